import { z } from 'zod';
import type { RelayError } from './errors';
import { StudyInfoSchema, type StudyInfo } from './messages';
import { STUDY_CODEC, STUDY_SCHEDULE } from '../study/config';

// What the relay streams to a study's dashboard viewers. Viewing is read-only and needs only
// the study id (read-only view links); controlling a study goes through the REST API with
// the researcher token. Everything here is aggregate: counts, bytes, metrics, never samples.
//
// Viewers connect to their own socket.io namespace, so a viewer socket can never send a step
// frame and a participant socket never receives dashboard traffic.
// A viewer sends 'dashboard:watch' with the study id and gets a snapshot (the whole history
// from the relay's SQLite, so a dashboard opened late shows the whole run), then live
// 'dashboard:*' events. Every live event carries `sentAt` (the relay's Date.now() when it was
// emitted) so the dashboard can measure the delay from the relay to the drawn point.

export const DASHBOARD_NAMESPACE = '/dashboard';

/** What a client is doing, as the clients table shows it. */
export const CLIENT_STATUSES = ['idle', 'training', 'waiting', 'disconnected'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

// The schemas a viewer parses what arrives with (everything is `unknown` until then,
// STYLE.md §10); the relay builds the same shapes. The types are inferred from them.

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'a finite number');
const nullableFinite = finite.nullable();
const id = z.string().min(1).max(128);

export const DashboardClientSchema = z.object({
  participantId: id,
  label: z.string().max(128).nullable(),
  kind: z.enum(['browser', 'node']),
  backend: z.string().max(64),
  /** training: in a step with the server; waiting: ready, not its turn; idle: paused by the clinician or not yet started. */
  status: z.enum(CLIENT_STATUSES),
  trainCount: count,
  valCount: count,
  /** Samples trained in this study so far (all rounds). */
  samples: count,
  /** Training steps completed in this study so far. */
  steps: count,
  /** Bytes this client sent to / received from the relay so far (tensors and weights). */
  bytesUp: count,
  bytesDown: count,
  /** Date.now() of the last message from this client. */
  lastSeen: finite,
});
export type DashboardClient = z.infer<typeof DashboardClientSchema>;

const ValFiguresSchema = z.object({
  loss: finite,
  accuracy: finite,
  /** null where undefined (e.g. one class only in the validation data). */
  auc: nullableFinite,
  sensitivity: nullableFinite,
  specificity: nullableFinite,
  /** confusion[trueClass][predictedClass]. */
  confusion: z.array(z.array(count).max(100)).max(100),
  count,
});

/** Validation metrics of one round, merged over clients (sample-weighted); a multi-task study's per task too. */
export const DashboardValMetricsSchema = ValFiguresSchema.extend({
  /** A binary study's decision threshold chosen on this round's validation (metrics/operating_point.ts), and its rates there. */
  operatingPoint: z
    .object({ threshold: z.number().gt(0).lt(1), sensitivity: z.number().min(0).max(1), specificity: z.number().min(0).max(1), balancedAccuracy: z.number().min(0).max(1) })
    .optional(),
  /** Multi-task: each task's figures, in head order (the first task's are also the round's). */
  tasks: z.array(ValFiguresSchema.extend({ name: z.string().max(64) })).max(8).optional(),
});
export type DashboardValMetrics = z.infer<typeof DashboardValMetricsSchema>;

/** One point per finished round: the curves' x is `round`. */
export const DashboardRoundSchema = z.object({
  round: count,
  /** Date.now() when the round ended. */
  at: finite,
  seconds: finite,
  trainLoss: nullableFinite,
  /** Where the party holding the labels computes it; null when nobody reported it. */
  trainAccuracy: nullableFinite,
  val: DashboardValMetricsSchema.nullable(),
  samples: count,
  samplesPerSecond: finite,
  bytesUp: count,
  bytesDown: count,
  /** Analytic FLOPs of the round's training (forward + backward), per side. */
  clientFlops: finite,
  serverFlops: finite,
  /** Per-client traffic in this round. */
  perClient: z.array(z.object({ participantId: id, bytesUp: count, bytesDown: count })).max(100_000),
  completed: count,
  failed: count,
  /**
   * The schedule and codec this round ran with (the researcher may change them between
   * rounds); absent for rounds recorded by a relay that did not track them.
   */
  schedule: STUDY_SCHEDULE.optional(),
  codec: STUDY_CODEC.optional(),
  /**
   * A binary task whose labels reach the server: what the round's cut gradients reveal of the
   * labels, as leak AUCs of the norm and direction attacks (0.5 nothing, 1 every label); null
   * where a class was missing. Absent where no labels reach the server (U-shaped, baselines).
   */
  leak: z.object({ norm: nullableFinite, direction: nullableFinite }).optional(),
});
export type DashboardRound = z.infer<typeof DashboardRoundSchema>;

export const DashboardSnapshotSchema = z.object({
  study: StudyInfoSchema,
  rounds: z.array(DashboardRoundSchema),
  clients: z.array(DashboardClientSchema),
  sentAt: finite,
});
export type DashboardSnapshot = z.infer<typeof DashboardSnapshotSchema>;

const RelayErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(2000) });

export const DashboardWatchReplySchema = z.union([z.object({ ok: z.literal(true), snapshot: DashboardSnapshotSchema }), z.object({ ok: z.literal(false), error: RelayErrorSchema })]);
export type DashboardWatchReply = { ok: true; snapshot: DashboardSnapshot } | { ok: false; error: RelayError };

export const DashboardStudyUpdateSchema = z.object({ study: StudyInfoSchema, sentAt: finite });
export const DashboardRoundUpdateSchema = z.object({ round: DashboardRoundSchema, sentAt: finite });
export const DashboardClientsUpdateSchema = z.object({ clients: z.array(DashboardClientSchema), sentAt: finite });
/** A refusal the relay sends a viewer ('dashboard:error'). */
export const DashboardErrorSchema = RelayErrorSchema;

export const DashboardWatchSchema = z.object({ studyId: z.string().min(1).max(128) });
export type DashboardWatch = z.infer<typeof DashboardWatchSchema>;

export interface DashboardClientToServerEvents {
  'dashboard:watch': (watch: unknown, ack: (reply: DashboardWatchReply) => void) => void;
  'dashboard:unwatch': (watch: unknown) => void;
}

export interface DashboardServerToClientEvents {
  /** The study's state or configuration changed (start/pause/resume/stop, schedule, codec). */
  'dashboard:study': (update: { study: StudyInfo; sentAt: number }) => void;
  /** A round finished. */
  'dashboard:round': (update: { round: DashboardRound; sentAt: number }) => void;
  /** The clients table, whole; sent on change and at most a few times per second. */
  'dashboard:clients': (update: { clients: DashboardClient[]; sentAt: number }) => void;
  /** A viewer message the relay refused that has no acknowledgement to answer in (malformed unwatch, unknown event). */
  'dashboard:error': (error: RelayError) => void;
}
