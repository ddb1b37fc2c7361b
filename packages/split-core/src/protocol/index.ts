export { PROTOCOL_VERSION } from './version';
export {
  CODEC_NAMES,
  horizontalStudy,
  HorizontalStudyConfigSchema,
  StudyConfigChangeSchema,
  StudyConfigSchema,
  STUDY_STATES,
  UnsupportedStudyError,
  VerticalStudyConfigSchema,
  type HorizontalStudyConfig,
  type HorizontalStudyConfigInput,
  type StudyConfig,
  type StudyConfigChange,
  type StudyConfigInput,
  type StudyState,
  type VerticalStudyConfig,
  type PartiesStudyConfig,
  type MultiHopStudyConfig,
  type ExtendedStudyConfig,
  type MultiTaskStudyConfig,
} from '../study/config';
export type { RelayError, RelayErrorCode } from './errors';
export * from './messages';
export type { Binary, ClientToServerEvents, ServerToClientEvents } from './events';
export * from './dashboard';
export * from './console';
