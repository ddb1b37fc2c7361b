import type { Augmentation } from '../augmentation/augmentation';
import type { LearningRateScheduleName } from '../segment/learning_rate';
import type { OptimizerConfig, OptimizerName } from '../segment/optimizer_names';
import type { LossOptions } from '../segment/segment';

// A study's training recipe (optimizer, schedule, weight decay, loss, augmentation) as every
// role builds it: from a study's configuration on the relay and its participants, and from
// the simulator's flags, by the same rule.

export interface RecipeSettings {
  optimizer: OptimizerName;
  learningRate: number;
  /** The study's rounds: the schedule spans them. */
  rounds: number;
  learningRateSchedule?: LearningRateScheduleName | undefined;
  weightDecay?: number | undefined;
  labelSmoothing?: number | undefined;
  classWeights?: readonly number[] | undefined;
  augmentation?: Augmentation | undefined;
}

export interface TrainingRecipe {
  optimizer: OptimizerConfig;
  loss?: LossOptions;
  augmentation?: Augmentation;
}

export function trainingRecipe(settings: RecipeSettings): TrainingRecipe {
  const schedule = settings.learningRateSchedule && settings.learningRateSchedule !== 'constant' ? { kind: settings.learningRateSchedule, rounds: settings.rounds } : undefined;
  const loss: LossOptions = {
    ...(settings.labelSmoothing ? { labelSmoothing: settings.labelSmoothing } : {}),
    ...(settings.classWeights ? { classWeights: settings.classWeights } : {}),
  };
  return {
    optimizer: {
      name: settings.optimizer,
      learningRate: settings.learningRate,
      ...(schedule ? { schedule } : {}),
      ...(settings.weightDecay ? { weightDecay: settings.weightDecay } : {}),
    },
    ...(Object.keys(loss).length > 0 ? { loss } : {}),
    ...(settings.augmentation ? { augmentation: settings.augmentation } : {}),
  };
}

/** Class weights that make every class count as much in the loss as the others: total / (classes x count), from the training labels' counts. */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (count > 0 ? total / (counts.length * count) : 1));
}
