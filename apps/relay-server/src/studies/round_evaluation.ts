import { metrics as metricsLib, schedule as scheduleLib, study as studyLib, type protocol } from '@splitlearn/split-core';
import { digestOf, type NetworkFederation } from './network_federation';
import type { StudyPersistence } from './persistence';

export interface RoundEvaluation {
  studyId: string;
  round: number;
  /** The configuration the round ran with. */
  config: protocol.StudyConfig;
  /** The groups to validate: those whose participants are ready and hold validation data. */
  groups: readonly scheduleLib.TrainingGroup[];
  /** The schedule's latest group weights: the model the study stands at. */
  latestGroupWeights: scheduleLib.SegmentWeights | undefined;
  federation: NetworkFederation;
  persistence: StudyPersistence;
}

/** Which weights a validation figure belongs to (model/weights_digest.ts): what an export is checked against. */
export interface ScoredWeights {
  client?: string;
  server?: string;
}

/** The one value every group agreed on, or undefined when they differ or none said. */
function agreed(values: readonly (string | undefined)[]): string | undefined {
  const distinct = new Set(values);
  return distinct.size === 1 ? values[0] : undefined;
}

/**
 * Validation without moving data: each group scores its own validation split. Where the
 * server holds the loss (vanilla) it scores the validation activations; where a client
 * does (U-shaped) the client scores locally and reports only metrics. The study figure is
 * the sample-weighted merge; each group's own figures are stored as its members' 'val' rows.
 *
 * The merged figure is of one model by construction: every group is first given the
 * schedule's latest weights unless the relay knows it holds them (whatever the schedule: a
 * round-robin client that trained before the last, a SplitFed client that missed the
 * average, a participant that rejoined mid-round), and a group whose members report other
 * weights is left out of the merge. The row records the digests of the weights it scored.
 */
export async function evaluateRound(evaluation: RoundEvaluation): Promise<{ val: Record<string, unknown> | null; failed: { groupId: string; reason: string }[] }> {
  const { latestGroupWeights: latest, federation, persistence } = evaluation;
  const scoreGroup = async (group: scheduleLib.TrainingGroup) => {
      if (latest && !federation.holds(group, latest)) await federation.writeGroupWeights(group, latest);
      const result = await federation.runGroupEpoch(group, scheduleLib.SHARED_SERVER, 'eval');
      const expected = latest ? federation.memberDigests(group, latest) : undefined;
      result.replies.forEach((reply, i) => {
        if (expected && reply.weightsDigest !== expected[i]) {
          throw new Error(`participant ${group.members[i] ?? '?'} validated client weights ${reply.weightsDigest ?? '(unnamed)'}, not the study's latest ${expected[i] ?? '?'}`);
        }
      });
      const reported = result.replies.find((reply) => reply.metrics)?.metrics;
      const scored = result.metrics ?? (reported ? { ...reported, auc: reported.auc ?? Number.NaN, sensitivity: reported.sensitivity ?? Number.NaN, specificity: reported.specificity ?? Number.NaN } : undefined);
      if (!scored) throw new Error(`no validation metrics from group ${group.id}`);
      // A report that cannot be merged (its count and its confusion matrix disagree, a matrix
      // of another size, more samples than the epoch's steps hold) leaves this group out,
      // here inside its own settled promise, rather than failing the whole round's merge.
      metricsLib.requireConsistentPart({ metrics: scored, count: scored.count }, 0, evaluation.config.classes.length);
      if (scored.count > result.steps * evaluation.config.batchSize) {
        throw new RangeError(`group ${group.id} reports ${scored.count} validation samples, more than its ${result.steps} steps of at most ${evaluation.config.batchSize} hold`);
      }
      const tasks = taskFigures(evaluation.config, result.tasks, scored.count);
      const client = latest ? digestOf(latest) : agreed(result.replies.map((reply) => reply.weightsDigest));
      const weights: ScoredWeights = { ...(client ? { client } : {}), ...(result.weightsDigest ? { server: result.weightsDigest } : {}) };
      for (const member of group.members) persistence.recordMetrics(evaluation.studyId, evaluation.round, 'val', member, { ...scored, ...(tasks ? { tasks: tasks.map(storable) } : {}), weights });
      return { metrics: scored, count: scored.count, weights, tasks };
  };
  // Groups run side by side unless they share a member (a multi-hop study's hops serve every data holder): then one after another.
  const members = evaluation.groups.flatMap((group) => group.members);
  const parts: PromiseSettledResult<Awaited<ReturnType<typeof scoreGroup>>>[] = [];
  if (new Set(members).size === members.length) parts.push(...(await Promise.allSettled(evaluation.groups.map(scoreGroup))));
  else for (const group of evaluation.groups) parts.push(...(await Promise.allSettled([scoreGroup(group)])));
  const failed = parts.flatMap((part, i) => (part.status === 'rejected' ? [{ groupId: evaluation.groups[i]?.id ?? '?', reason: part.reason instanceof Error ? part.reason.message : String(part.reason) }] : []));
  const succeeded = parts.flatMap((part) => (part.status === 'fulfilled' ? [part.value] : []));
  if (succeeded.length === 0) return { val: null, failed };
  const merged = metricsLib.mergeClassificationMetrics(succeeded);
  const client = agreed(succeeded.map((part) => part.weights.client));
  const server = agreed(succeeded.map((part) => part.weights.server));
  const weights: ScoredWeights = { ...(client ? { client } : {}), ...(server ? { server } : {}) };
  const heads = 'parties' in evaluation.config ? studyLib.studyTaskHeads(evaluation.config) : undefined;
  // A binary study's decision threshold, chosen on the pooled validation counts by the study's rule.
  const operatingPoint = merged.thresholds ? metricsLib.operatingPoint(merged.thresholds, studyLib.operatingRule(evaluation.config)) : undefined;
  const tasks = heads?.map((head, task) => storable({ name: head.name, ...metricsLib.mergeClassificationMetrics(succeeded.flatMap((part) => (part.tasks?.[task] ? [{ metrics: part.tasks[task], count: part.tasks[task].count }] : []))) }));
  return { val: { ...merged, ...(operatingPoint ? { operatingPoint } : {}), ...(tasks ? { tasks } : {}), participants: succeeded.length, weights }, failed };
}

type TaskMetrics = NonNullable<NonNullable<Awaited<ReturnType<NetworkFederation['runGroupEpoch']>>['tasks']>[number]>;

/** A multi-task study's per-task figures from the server, each checked like the round's own (undefined for one task). */
function taskFigures(config: protocol.StudyConfig, reported: readonly TaskMetrics[] | undefined, count: number): (TaskMetrics & { name: string })[] | undefined {
  const heads = 'parties' in config ? studyLib.studyTaskHeads(config) : undefined;
  if (!heads) return undefined;
  if (reported?.length !== heads.length) throw new Error(`the server scored ${reported?.length ?? 0} tasks, the study has ${heads.length}`);
  return heads.map((head, task) => {
    const metrics = reported[task] as TaskMetrics;
    metricsLib.requireConsistentPart({ metrics, count: metrics.count }, 0, head.classes);
    if (metrics.count !== count) throw new RangeError(`task ${head.name} was scored on ${metrics.count} samples, the round on ${count}`);
    return { name: head.name, ...metrics };
  });
}

/** A task's figures as the metrics table stores them: an undefined figure (NaN AUC of a one-class split) as null. */
function storable<T extends Record<string, unknown>>(figures: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, typeof value === 'number' && !Number.isFinite(value) ? null : value]));
}
