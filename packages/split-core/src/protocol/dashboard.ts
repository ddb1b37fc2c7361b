import { z } from 'zod';
import type { RelayError } from './errors';
import type { StudyInfo } from './messages';
import type { StudyConfig } from './study_config';

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

export interface DashboardClient {
  participantId: string;
  label: string | null;
  kind: 'browser' | 'node';
  backend: string;
  /** training: in a step with the server; waiting: ready, not its turn; idle: paused by the clinician or not yet started. */
  status: ClientStatus;
  trainCount: number;
  valCount: number;
  /** Samples trained in this study so far (all rounds). */
  samples: number;
  /** Training steps completed in this study so far. */
  steps: number;
  /** Bytes this client sent to / received from the relay so far (tensors and weights). */
  bytesUp: number;
  bytesDown: number;
  /** Date.now() of the last message from this client. */
  lastSeen: number;
}

/** Validation metrics of one round, merged over clients (sample-weighted). */
export interface DashboardValMetrics {
  loss: number;
  accuracy: number;
  /** null where undefined (e.g. one class only in the validation data). */
  auc: number | null;
  sensitivity: number | null;
  specificity: number | null;
  /** confusion[trueClass][predictedClass]. */
  confusion: number[][];
  count: number;
}

/** One point per finished round: the curves' x is `round`. */
export interface DashboardRound {
  round: number;
  /** Date.now() when the round ended. */
  at: number;
  seconds: number;
  trainLoss: number | null;
  /** Where the party holding the labels computes it; null when nobody reported it. */
  trainAccuracy: number | null;
  val: DashboardValMetrics | null;
  samples: number;
  samplesPerSecond: number;
  bytesUp: number;
  bytesDown: number;
  /** Analytic FLOPs of the round's training (forward + backward), per side. */
  clientFlops: number;
  serverFlops: number;
  /** Per-client traffic in this round. */
  perClient: { participantId: string; bytesUp: number; bytesDown: number }[];
  completed: number;
  failed: number;
  /**
   * The schedule and codec this round ran with (the researcher may change them between
   * rounds); absent for rounds recorded by a relay that did not track them.
   */
  schedule?: StudyConfig['schedule'];
  codec?: StudyConfig['codec'];
}

export interface DashboardSnapshot {
  study: StudyInfo;
  rounds: DashboardRound[];
  clients: DashboardClient[];
  sentAt: number;
}

export type DashboardWatchReply = { ok: true; snapshot: DashboardSnapshot } | { ok: false; error: RelayError };

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
