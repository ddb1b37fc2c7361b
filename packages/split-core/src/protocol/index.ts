export { PROTOCOL_VERSION } from './version';
export { CODEC_NAMES, StudyConfigChangeSchema, StudyConfigSchema, STUDY_STATES, type StudyConfig, type StudyConfigChange, type StudyConfigInput, type StudyState } from '../study/config';
export type { RelayError, RelayErrorCode } from './errors';
export * from './messages';
export type { Binary, ClientToServerEvents, ServerToClientEvents } from './events';
export * from './dashboard';
