import { study, type protocol } from '@splitlearn/split-core';
import type { RoundTotals } from './client_ledger';
import type { StudyPersistence } from './persistence';

// What a finished round leaves in SQLite: one study row ('train', no participant) with the
// round's loss, accuracy, throughput, traffic and compute, and one 'train' row per participant
// with its share (steps, samples, bytes), so the dashboard's history and the clients' totals
// survive a restart. Validation rows are written by the evaluation itself.

export interface FlopsPerSample {
  client: number;
  server: number;
}

/** Analytic training FLOPs (forward + backward) per sample of each side of the study. */
export function studyFlopsPerSample(config: protocol.StudyConfig): FlopsPerSample {
  return study.studyFlopsPerSample(config);
}

export interface FinishedRound {
  studyId: string;
  round: number;
  /** The configuration the round ran with. */
  config: protocol.StudyConfig;
  /** Wall time of the round's training (validation excluded). */
  seconds: number;
  completed: readonly string[];
  failed: readonly unknown[];
  totals: RoundTotals;
  flopsPerSample: FlopsPerSample;
  /** A binary task whose labels reached the server: the round's label-leak AUCs (null where a class was missing). */
  leak?: { norm: number | null; direction: number | null };
}

/** The leak AUCs of a round's group epochs, merged by the samples each scored. */
export class RoundLeak {
  private norm = { sum: 0, weight: 0 };
  private direction = { sum: 0, weight: 0 };

  add(epoch: { norm: number; direction: number; samples: number }): void {
    if (Number.isFinite(epoch.norm)) this.norm = { sum: this.norm.sum + epoch.norm * epoch.samples, weight: this.norm.weight + epoch.samples };
    if (Number.isFinite(epoch.direction)) this.direction = { sum: this.direction.sum + epoch.direction * epoch.samples, weight: this.direction.weight + epoch.samples };
  }

  get result(): { norm: number | null; direction: number | null } | undefined {
    if (this.norm.weight === 0 && this.direction.weight === 0) return undefined;
    const mean = (part: { sum: number; weight: number }): number | null => (part.weight > 0 ? part.sum / part.weight : null);
    return { norm: mean(this.norm), direction: mean(this.direction) };
  }
}

export function recordRound(persistence: StudyPersistence, finished: FinishedRound): { samplesPerSecond: number } {
  const { studyId, round, totals } = finished;
  for (const client of totals.perClient) {
    const { participantId, ...share } = client;
    persistence.recordMetrics(studyId, round, 'train', participantId, { ...share });
  }
  const samplesPerSecond = finished.seconds > 0 ? totals.samples / finished.seconds : 0;
  persistence.recordMetrics(studyId, round, 'train', null, {
    loss: totals.trainLoss,
    accuracy: totals.trainAccuracy,
    seconds: finished.seconds,
    steps: totals.steps,
    samples: totals.samples,
    samplesPerSecond,
    // All of the round's traffic: training, weight exchange and validation.
    bytesUp: totals.bytesUp,
    bytesDown: totals.bytesDown,
    clientFlops: totals.samples * finished.flopsPerSample.client,
    serverFlops: totals.samples * finished.flopsPerSample.server,
    completed: finished.completed.length,
    failed: finished.failed.length,
    schedule: finished.config.schedule,
    codec: finished.config.codec,
    ...(finished.leak ? { leak: finished.leak } : {}),
  });
  return { samplesPerSecond };
}
