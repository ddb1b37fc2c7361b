export { StreamLink, StepAbandonedError, type FrameSink, type StreamLinkOptions } from './stream_link';
export { JoinError, Participant, type ParticipantEvents, type ParticipantOptions, type ParticipantProgress, type ParticipantSocket } from './participant';
export { stepsPerRound, studyModelSpec, studyRoleOptions, studySplit } from './study_model';
