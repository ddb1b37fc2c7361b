export { StreamLink, StepAbandonedError, type FrameSink, type StreamLinkOptions } from './stream_link';
export { JoinError, lookupStudy, Participant, participantSocket, type ParticipantEvents, type ParticipantOptions, type ParticipantProgress, type ParticipantSocket } from './participant';
export { largestMessageBytes, stepsPerRound, studyModelSpec, studyRoleOptions, studySplit } from './study_model';
