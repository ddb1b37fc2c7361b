import type { OptimizerName } from '../segment/optimizer_names';
import type { RoleOptions } from '../segment/roles';
import { getHorizontalTopology } from '../topology/get';
import type { RolePlans } from '../topology/role_plans';
import { planSplit, type SplitPlan } from '../topology/split_plan';
import type { Topology } from '../topology/topology';
import { multiHop, vanilla } from '../topology/vanilla';
import { extended, multiTask, vertical } from '../topology/vertical';
import { horizontalStudy, partiesStudy, type HorizontalStudyConfig, type StudyConfig } from './config';
import { studyMethod } from './method';
import { studyModelSpec } from './positions';
import { studyAugmentation, trainingRecipe } from './recipe';
import { studyRoleLayout } from './role_layout';
import { studyTaskHeads } from './vertical_plan';

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

/** The roles of any study (role_layout.ts says which segments each holds) and the topology whose steps they run. */
export function studyRolePlans(config: StudyConfig, partyOf: (clientId: string) => number = () => 0): RolePlans {
  return { topology: studyTopology(config), ...studyRoleLayout(config, partyOf) };
}

function studyTopology(config: StudyConfig): Topology {
  const parties = partiesStudy(config);
  if (parties) {
    const heads = studyTaskHeads(parties);
    return heads ? multiTask(heads) : parties.topology === 'extended' ? extended : vertical;
  }
  // The baselines run vanilla's steps on the whole model; a chain, the data holder's and the server's.
  if (!studyMethod(config).serverSegment) return vanilla;
  if (config.topology === 'multi-hop') return multiHop;
  return getHorizontalTopology(horizontalStudy(config).topology);
}
