import { trainingFlopsPerSample } from '../accounting/flops';
import { encodedSize } from '../codec/encoded_size';
import { countSegmentParams } from '../model/shapes';
import type { OptimizerName } from '../segment/optimizer_names';
import type { RoleOptions } from '../segment/roles';
import { getHorizontalTopology } from '../topology/get';
import { planSegments } from '../model/cuts';
import { chainRolePlans, horizontalRolePlans, partyRolePlans, wholeModelRolePlans, type RolePlans } from '../topology/role_plans';
import { planSplit, type SplitPlan } from '../topology/split_plan';
import { extended, multiTask, vertical } from '../topology/vertical';
import { chainSegments, studyModelSpec, studyPositions } from './positions';
import { studyTaskHeads, verticalStudyPlan } from './vertical_plan';
import { studyMethod } from './method';
import { studyAugmentation, trainingRecipe } from './recipe';
import { horizontalStudy, labelParty, partiesStudy, type HorizontalStudyConfig, type PartiesStudyConfig, type StudyConfig } from './config';

// Every participant rebuilds the same split from the study's configuration; identical
// specs and seeds give identical initial weights on every role.

export function studySplit(config: StudyConfig): SplitPlan {
  const horizontal: HorizontalStudyConfig = horizontalStudy(config);
  return planSplit(studyModelSpec(horizontal), getHorizontalTopology(horizontal.topology), horizontal.cuts);
}

/** What every role of the study is built with: its seed, training recipe and privacy settings. */
export function studyRoleOptions(config: StudyConfig): RoleOptions {
  const recipe = trainingRecipe({
    optimizer: config.optimizer as OptimizerName,
    learningRate: config.learningRate,
    rounds: config.rounds,
    learningRateSchedule: config.learningRateSchedule,
    weightDecay: config.weightDecay,
    labelSmoothing: config.labelSmoothing,
    classWeights: config.classWeights,
    augmentation: studyAugmentation(config),
  });
  return {
    seed: config.seed,
    ...recipe,
    ...(config.noPeek ? { noPeek: config.noPeek } : {}),
    ...(config.activationNoise ? { activationNoise: config.activationNoise } : {}),
  };
}

/**
 * The largest single message a study sends, in bytes: a cut tensor of a full batch (fp32,
 * the worst case) or a client segment's weight bundle. The relay sets its message size
 * limit from it; socket.io's default 1 MB is too small for many cut tensors.
 */
export function largestMessageBytes(config: StudyConfig): number {
  const plans = studyRolePlans(config);
  const clientPlans = Array.from({ length: studyPositions(config) }, (_, index) => studyRolePlans(config, () => index).client('')).flat();
  const cutBytes = [...clientPlans, ...plans.server].map((plan) => encodedSize([config.batchSize, ...plan.outputShape], 'float32', 'fp32', 32));
  const weightBytes = clientPlans.map((plan) => {
    const params = countSegmentParams(plan.layers, plan.inputShape);
    // Bundle framing: a header per variable (names, shapes) on top of 4 bytes per parameter.
    return params * 4 + plan.layers.length * 2 * 512 + 64;
  });
  return Math.max(...cutBytes, ...weightBytes);
}

/**
 * The roles of any study: the horizontal split's segments; a multi-hop chain's, each
 * participant at its position; or for a study with parties each party's encoder over what it
 * holds (its columns, or its image region), the intermediate participant's layers (extended
 * vanilla) and the server's head (one per task in multi-task). `partyOf` says which party or
 * position a client takes (not horizontal).
 */
export function studyRolePlans(config: StudyConfig, partyOf: (clientId: string) => number = () => 0): RolePlans {
  const parties = partiesStudy(config);
  if (parties) return partiesRolePlans(parties, partyOf);
  if (!studyMethod(config).serverSegment) {
    const [whole] = planSegments(studyModelSpec(config), []);
    if (!whole) throw new Error("the study's model has no layers");
    return wholeModelRolePlans(whole, config.classes.length);
  }
  if (config.topology === 'multi-hop') return chainRolePlans(chainSegments(config), config.classes.length, partyOf);
  return horizontalRolePlans(studySplit(config));
}

function partiesRolePlans(config: PartiesStudyConfig, partyOf: (clientId: string) => number): RolePlans {
  const plan = verticalStudyPlan(config);
  const heads = studyTaskHeads(config);
  const topology = heads ? multiTask(heads) : plan.intermediate ? extended : vertical;
  return partyRolePlans({
    topology,
    parties: plan.parties,
    ...(plan.intermediate ? { intermediate: plan.intermediate } : {}),
    server: plan.server,
    numClasses: config.classes.length,
    ...(heads ? { taskClasses: heads.map((head) => head.classes) } : {}),
    labelHolder: labelParty(config),
    partyOf,
  });
}

/** Analytic training FLOPs (forward + backward) per sample on each side: every client segment of one sample (all parties, intermediates and hops), and the server's. */
export function studyFlopsPerSample(config: StudyConfig): { client: number; server: number } {
  const positions = Array.from({ length: studyPositions(config) }, (_, index) => index);
  const client = positions.reduce((sum, position) => sum + trainingFlopsPerSample(studyRolePlans(config, () => position).client('')), 0);
  return { client, server: trainingFlopsPerSample(studyRolePlans(config).server) };
}
