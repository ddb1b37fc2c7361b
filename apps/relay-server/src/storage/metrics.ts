import { z } from 'zod';
import { model } from '@splitlearn/split-core';
import type { Database } from './database';
import { systemClock, type Clock } from './clock';
import { decodeJsonColumn, decodeRow, encodeJson, JsonValueSchema, rowIdOf } from './row_codec';

export const METRIC_PHASES = ['train', 'val'] as const;
export type MetricPhase = (typeof METRIC_PHASES)[number];

// null stands for "undefined for this round" (split-core reports NaN, e.g. the AUC of a
// validation split holding one class); JSON has no NaN, and the wire already uses null.
const metricNumber = z.number().nullable().optional();
const countNumber = z.number().nonnegative().optional();

/** The known figures are typed; anything else JSON may ride along for the dashboard. */
export const RoundMetricsSchema = z
  .object({
    accuracy: metricNumber,
    loss: metricNumber,
    auc: metricNumber,
    sensitivity: metricNumber,
    specificity: metricNumber,
    /** confusion[trueClass][predictedClass] = number of samples. */
    confusion: z.array(z.array(z.number().int().nonnegative())).optional(),
    count: countNumber,
    samplesPerSecond: metricNumber,
    bytesUp: countNumber,
    bytesDown: countNumber,
    clientFlops: countNumber,
    serverFlops: countNumber,
    /** Validation: the digests of the client and server weights scored (model/weights_digest.ts). */
    weights: z.object({ client: z.string().regex(model.WEIGHTS_DIGEST_PATTERN).optional(), server: z.string().regex(model.WEIGHTS_DIGEST_PATTERN).optional() }).optional(),
  })
  .catchall(JsonValueSchema);
export type RoundMetrics = z.infer<typeof RoundMetricsSchema>;

export interface MetricRecord {
  id: number;
  studyId: string;
  round: number;
  phase: MetricPhase;
  /** Null for the study aggregate; those rows survive a participant's withdrawal. */
  participantId: string | null;
  metrics: RoundMetrics;
  createdAt: number;
}

export interface NewMetricRecord {
  studyId: string;
  round: number;
  phase: MetricPhase;
  participantId: string | null;
  /** Top-level NaN figures are stored as null; other non-JSON values are refused. */
  metrics: Record<string, unknown>;
}

export interface MetricQuery {
  /** Inclusive: rounds >= fromRound. */
  fromRound?: number;
  /** Undefined: every row; null: study aggregates only; an id: that participant's rows. */
  participantId?: string | null;
}

const MetricRowSchema = z.object({
  id: z.number().int(),
  study_id: z.string(),
  round: z.number().int().nonnegative(),
  phase: z.enum(METRIC_PHASES),
  participant_id: z.string().nullable(),
  metrics: z.string(),
  created_at: z.number().int(),
});

const NewMetricRecordSchema = z.object({
  studyId: z.string().min(1),
  round: z.number().int().nonnegative(),
  phase: z.enum(METRIC_PHASES),
  participantId: z.string().min(1).nullable(),
  metrics: z.record(z.string(), z.unknown()),
});

export class MetricsRepository {
  readonly #db: Database;
  readonly #now: Clock;

  constructor(db: Database, options: { now?: Clock } = {}) {
    this.#db = db;
    this.#now = options.now ?? systemClock;
  }

  /** A participant id must belong to a participant of this study (enforced by a foreign key). */
  insert(record: NewMetricRecord): MetricRecord {
    const { studyId, round, phase, participantId, metrics } = NewMetricRecordSchema.parse(record);
    const stored = encodeJson(RoundMetricsSchema.parse(nanToNull(metrics)), 'round metrics');
    const row = this.#db
      .prepare(
        `INSERT INTO metrics (study_id, round, phase, participant_id, metrics, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(studyId, round, phase, participantId, stored, this.#now());
    return decodeMetricRow(row);
  }

  /** Ordered by round, then in insertion order within a round. */
  list(studyId: string, query: MetricQuery = {}): MetricRecord[] {
    const fromRound = z.number().int().nonnegative().parse(query.fromRound ?? 0);
    const participantFilter =
      query.participantId === undefined ? '' : query.participantId === null ? 'AND participant_id IS NULL' : 'AND participant_id = @participantId';
    const rows = this.#db
      .prepare(
        `SELECT * FROM metrics WHERE study_id = @studyId AND round >= @fromRound ${participantFilter} ORDER BY round, id`,
      )
      .all({ studyId, fromRound, ...(typeof query.participantId === 'string' ? { participantId: query.participantId } : {}) });
    return rows.map(decodeMetricRow);
  }
}

function nanToNull(metrics: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, Number.isNaN(value) ? null : value]));
}

function decodeMetricRow(row: unknown): MetricRecord {
  const location = { table: 'metrics', rowId: rowIdOf(row) };
  const stored = decodeRow(MetricRowSchema, row, location);
  return {
    id: stored.id,
    studyId: stored.study_id,
    round: stored.round,
    phase: stored.phase,
    participantId: stored.participant_id,
    metrics: decodeJsonColumn(RoundMetricsSchema, stored.metrics, { ...location, column: 'metrics' }),
    createdAt: stored.created_at,
  };
}
