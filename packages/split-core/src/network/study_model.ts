import { getModelSpec } from '../model/catalogue';
import type { ModelSpec } from '../model/spec';
import type { StudyConfig } from '../protocol/study_config';
import { getHorizontalTopology } from '../topology/get';
import type { OptimizerName } from '../training/optimizer';
import { planSplit, type RoleOptions, type SplitPlan } from '../training/roles';

// Every participant rebuilds the same split from the study's configuration; identical
// specs and seeds give identical initial weights on every role.

export function studyModelSpec(config: StudyConfig): ModelSpec {
  return getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
}

export function studySplit(config: StudyConfig): SplitPlan {
  return planSplit(studyModelSpec(config), getHorizontalTopology(config.topology), config.cuts);
}

export function studyRoleOptions(config: StudyConfig): RoleOptions {
  return { seed: config.seed, optimizer: { name: config.optimizer as OptimizerName, learningRate: config.learningRate } };
}

/** Steps a client with `sampleCount` samples takes in one round (the relay and the client agree on it). */
export function stepsPerRound(sampleCount: number, batchSize: number, maxSteps?: number): number {
  const steps = Math.ceil(sampleCount / batchSize);
  return maxSteps === undefined ? steps : Math.min(steps, maxSteps);
}
