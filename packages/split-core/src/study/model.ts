import { trainingFlopsPerSample } from '../accounting/flops';
import { encodedSize } from '../codec/encoded_size';
import { getModelSpec } from '../model/catalogue';
import { countSegmentParams } from '../model/shapes';
import type { ModelSpec } from '../model/spec';
import type { OptimizerName } from '../segment/optimizer_names';
import type { RoleOptions } from '../segment/roles';
import { getHorizontalTopology } from '../topology/get';
import { horizontalRolePlans, verticalRolePlans, type RolePlans } from '../topology/role_plans';
import { planSplit, type SplitPlan } from '../topology/split_plan';
import { verticalStudyPlan } from './vertical_plan';
import { horizontalStudy, labelParty, type StudyConfig } from './config';

// Every participant rebuilds the same split from the study's configuration; identical
// specs and seeds give identical initial weights on every role.

export function studyModelSpec(config: StudyConfig): ModelSpec {
  const horizontal = horizontalStudy(config);
  return getModelSpec(horizontal.model, { numClasses: horizontal.classes.length, inputShape: horizontal.inputShape });
}

export function studySplit(config: StudyConfig): SplitPlan {
  const horizontal = horizontalStudy(config);
  return planSplit(studyModelSpec(horizontal), getHorizontalTopology(horizontal.topology), horizontal.cuts);
}

export function studyRoleOptions(config: StudyConfig): RoleOptions {
  return { seed: config.seed, optimizer: { name: config.optimizer as OptimizerName, learningRate: config.learningRate } };
}

/**
 * The largest single message a study sends, in bytes: a cut tensor of a full batch (fp32,
 * the worst case) or a client segment's weight bundle. The relay sets its message size
 * limit from it; socket.io's default 1 MB is too small for many cut tensors.
 */
export function largestMessageBytes(config: StudyConfig): number {
  const plans = studyRolePlans(config);
  const parties = config.topology === 'vertical' ? config.parties.map((_, index) => studyRolePlans(config, () => index).client('')) : [plans.client('')];
  const clientPlans = parties.flat();
  const cutBytes = [...clientPlans, ...plans.server].map((plan) => encodedSize([config.batchSize, ...plan.outputShape], 'float32', 'fp32', 32));
  const weightBytes = clientPlans.map((plan) => {
    const params = countSegmentParams(plan.layers, plan.inputShape);
    // Bundle framing: a header per variable (names, shapes) on top of 4 bytes per parameter.
    return params * 4 + plan.layers.length * 2 * 512 + 64;
  });
  return Math.max(...cutBytes, ...weightBytes);
}

/**
 * The roles of any study: the horizontal split's segments, or for a vertical study each
 * party's encoder over what it holds (its columns, or its image region) and the server's
 * head over their joined encodings. `partyOf` says which party a client is (vertical only).
 */
export function studyRolePlans(config: StudyConfig, partyOf: (clientId: string) => number = () => 0): RolePlans {
  if (config.topology !== 'vertical') return horizontalRolePlans(studySplit(config));
  const plan = verticalStudyPlan(config);
  return verticalRolePlans(plan, config.classes.length, labelParty(config), partyOf);
}

/** Analytic training FLOPs (forward + backward) per sample on each side: every client segment of one sample (all parties in vertical), and the server's. */
export function studyFlopsPerSample(config: StudyConfig): { client: number; server: number } {
  const parties = config.topology === 'vertical' ? config.parties.map((_, index) => index) : [0];
  const client = parties.reduce((sum, party) => sum + trainingFlopsPerSample(studyRolePlans(config, () => party).client('')), 0);
  return { client, server: trainingFlopsPerSample(studyRolePlans(config).server) };
}
