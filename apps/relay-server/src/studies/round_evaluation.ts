import { metrics as metricsLib, schedule as scheduleLib, type protocol } from '@splitlearn/split-core';
import { digestOf, type NetworkFederation } from './network_federation';
import type { ParticipantSession } from './participant_session';
import type { StudyPersistence } from './persistence';

export interface RoundEvaluation {
  studyId: string;
  round: number;
  /** The configuration the round ran with. */
  config: protocol.StudyConfig;
  /** Ready participants holding validation data. */
  participants: readonly ParticipantSession[];
  latestClientWeights: scheduleLib.SegmentWeights | undefined;
  federation: NetworkFederation;
  persistence: StudyPersistence;
}

/** Which weights a validation figure belongs to (model/weights_digest.ts): what an export is checked against. */
export interface ScoredWeights {
  client?: string;
  server?: string;
}

/** The one value every participant agreed on, or undefined when they differ or none said. */
function agreed(values: readonly (string | undefined)[]): string | undefined {
  const distinct = new Set(values);
  return distinct.size === 1 ? values[0] : undefined;
}

/**
 * Validation without moving data: each participant scores its own validation split. In
 * vanilla the server scores the validation activations (it holds the last layers); in
 * U-shaped the client scores locally and reports only metrics. The study figure is the
 * sample-weighted merge; each participant's own figures are stored as its 'val' row.
 *
 * The merged figure is of one model by construction: every participant is first given the
 * study's latest client weights unless the relay knows it holds them (whatever the schedule:
 * a round-robin client that trained before the last, a SplitFed client that missed the
 * average, a participant that rejoined mid-round), and a participant whose reply names other
 * weights is left out of the merge. The row records the digests of the weights it scored.
 */
export async function evaluateRound(evaluation: RoundEvaluation): Promise<{ val: Record<string, unknown> | null; failed: { participantId: string; reason: string }[] }> {
  const { latestClientWeights: latest, federation, persistence } = evaluation;
  const latestDigest = latest ? digestOf(latest) : undefined;
  const parts = await Promise.allSettled(
    evaluation.participants.map(async (session) => {
      const { participantId } = session;
      if (latest && !federation.holds(participantId, latest)) await federation.writeClientWeights(participantId, latest);
      const result = await federation.runEpoch(participantId, scheduleLib.SHARED_SERVER, 'eval');
      const reply = result.clientMetrics?.ok ? result.clientMetrics : undefined;
      if (latestDigest !== undefined && reply?.weightsDigest !== latestDigest) {
        throw new Error(`participant ${participantId} validated client weights ${reply?.weightsDigest ?? '(unnamed)'}, not the study's latest ${latestDigest}`);
      }
      const reported = reply?.metrics;
      const scored = result.metrics ?? (reported ? { ...reported, auc: reported.auc ?? Number.NaN, sensitivity: reported.sensitivity ?? Number.NaN, specificity: reported.specificity ?? Number.NaN } : undefined);
      if (!scored) throw new Error(`no validation metrics from ${participantId}`);
      const weights: ScoredWeights = { ...(reply?.weightsDigest ? { client: reply.weightsDigest } : {}), ...(result.weightsDigest ? { server: result.weightsDigest } : {}) };
      persistence.recordMetrics(evaluation.studyId, evaluation.round, 'val', participantId, { ...scored, weights });
      return { metrics: scored, count: scored.count, weights };
    }),
  );
  const failed = parts.flatMap((part, i) => (part.status === 'rejected' ? [{ participantId: evaluation.participants[i]?.participantId ?? '?', reason: part.reason instanceof Error ? part.reason.message : String(part.reason) }] : []));
  const succeeded = parts.flatMap((part) => (part.status === 'fulfilled' ? [part.value] : []));
  if (succeeded.length === 0) return { val: null, failed };
  const merged = metricsLib.mergeClassificationMetrics(succeeded);
  const client = agreed(succeeded.map((part) => part.weights.client));
  const server = agreed(succeeded.map((part) => part.weights.server));
  const weights: ScoredWeights = { ...(client ? { client } : {}), ...(server ? { server } : {}) };
  return { val: { ...merged, participants: succeeded.length, weights }, failed };
}
