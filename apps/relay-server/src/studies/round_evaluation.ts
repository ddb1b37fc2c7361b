import { metrics as metricsLib, schedule as scheduleLib, type protocol } from '@splitlearn/split-core';
import type { NetworkFederation } from './network_federation';
import type { ParticipantSession } from './participant_session';
import type { StudyPersistence } from './persistence';

export interface RoundEvaluation {
  studyId: string;
  round: number;
  /** The configuration the round ran with. */
  config: protocol.StudyConfig;
  /** Ready participants holding validation data. */
  participants: readonly ParticipantSession[];
  outcome: scheduleLib.RoundOutcome;
  latestClientWeights: scheduleLib.SegmentWeights | undefined;
  federation: NetworkFederation;
  persistence: StudyPersistence;
}

/**
 * Validation without moving data: each participant scores its own validation split. In
 * vanilla the server scores the validation activations (it holds the last layers); in
 * U-shaped the client scores locally and reports only metrics. The study figure is the
 * sample-weighted merge; each participant's own figures are stored as its 'val' row.
 */
export async function evaluateRound(evaluation: RoundEvaluation): Promise<Record<string, unknown> | null> {
  const { config, outcome, latestClientWeights, federation, persistence } = evaluation;
  const lastTrainer = outcome.completed[outcome.completed.length - 1];
  const parts = await Promise.allSettled(
    evaluation.participants.map(async (session) => {
      // Round-robin: only the last trainer holds the latest client segment.
      if (config.schedule === 'round-robin' && latestClientWeights && session.participantId !== lastTrainer) {
        await federation.writeClientWeights(session.participantId, latestClientWeights);
      }
      const result = await federation.runEpoch(session.participantId, scheduleLib.SHARED_SERVER, 'eval');
      const reported = result.clientMetrics?.ok ? result.clientMetrics.metrics : undefined;
      const scored = result.metrics ?? (reported ? { ...reported, auc: reported.auc ?? Number.NaN, sensitivity: reported.sensitivity ?? Number.NaN, specificity: reported.specificity ?? Number.NaN } : undefined);
      if (!scored) throw new Error(`no validation metrics from ${session.participantId}`);
      persistence.recordMetrics(evaluation.studyId, evaluation.round, 'val', session.participantId, { ...scored });
      return { metrics: scored, count: scored.count };
    }),
  );
  const succeeded = parts.flatMap((part) => (part.status === 'fulfilled' ? [part.value] : []));
  if (succeeded.length === 0) return null;
  const merged = metricsLib.mergeClassificationMetrics(succeeded);
  return { ...merged, participants: succeeded.length };
}
