// The relay's persistent state: SQLite for studies, participants, metrics, the audit log and
// settings; files for checkpoints. Everything else in the relay imports from here.

export { openDatabase, closeDatabase, DATABASE_FILE_NAME, type Database, type OpenDatabaseOptions } from './database';
export { migrate, type Migration, type MigrationResult } from './migrate';
export { MIGRATIONS } from './schema';
export { StorageCorruptionError, SchemaVersionError, ParticipantWithdrawnError, CheckpointCorruptionError, type RowLocation } from './errors';
export { systemClock, type Clock } from './clock';
export type { JsonValue } from './row_codec';
export { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, normalizeJoinCode } from './ids';
export {
  StudyRepository,
  STUDY_STATES,
  type Study,
  type StudyState,
  type NewStudy,
  type StudyChanges,
  type StudyRepositoryOptions,
} from './studies';
export {
  ParticipantRepository,
  type Participant,
  type PresentParticipant,
  type WithdrawnParticipant,
  type ParticipantKind,
  type ParticipantStatus,
  type NewParticipant,
  type ProfileChanges,
  type WithdrawOutcome,
} from './participants';
export {
  MetricsRepository,
  METRIC_PHASES,
  RoundMetricsSchema,
  type MetricPhase,
  type RoundMetrics,
  type MetricRecord,
  type NewMetricRecord,
  type MetricQuery,
} from './metrics';
export { AuditLog, AUDIT_ACTORS, type AuditActor, type AuditEntry, type NewAuditEntry } from './audit';
export { readSetting, writeSetting, insertSettingIfAbsent } from './settings';
export {
  CheckpointStore,
  CHECKPOINTS_DIRECTORY,
  type Checkpoint,
  type CheckpointContents,
  type CheckpointStoreOptions,
} from './checkpoints';
export { ServerLabelRepository, type ServerLabelTable } from './server_labels';
