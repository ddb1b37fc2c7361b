export { NonFiniteFrameError, StreamLink, StepAbandonedError, type FrameRefusal, type FrameSink, type StreamLinkOptions } from './stream_link';
export { JoinError, Participant, participantSocket, type ParticipantEvents, type ParticipantOptions, type ParticipantProgress, type ParticipantSocket } from './participant';
export { LOOKUP_PATH, lookupStudy, type LookupFailure, type LookupResult } from './study_lookup';
