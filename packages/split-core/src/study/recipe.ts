import { AugmentationSchema, type Augmentation } from '../augmentation/augmentation';
import type { LearningRateScheduleName } from '../segment/learning_rate';
import type { OptimizerConfig, OptimizerName } from '../segment/optimizer_names';
import type { LossOptions } from '../segment/segment';
import type { StudyConfig } from './config';

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

/**
 * What a new study gets for the settings its creator left out: augmentation with the default
 * bounds when its input is an image (of one model: vanilla, U-shaped, multi-hop), since that is
 * what holds a model up on another site's images (reports/recipe.md); every other ingredient
 * stays off, as none of them paid there. Applied once, where a study is created, so a stored
 * study keeps the recipe it was created with.
 */
export function withRecipeDefaults(config: StudyConfig): StudyConfig {
  if ('parties' in config || config.augmentation !== undefined) return config;
  const augmentation = defaultAugmentation(config.inputShape);
  return augmentation ? { ...config, augmentation } : config;
}

/** The augmentation a model taking this input gets by default: the default bounds for an image ([height, width, channels]), none for a table. */
export function defaultAugmentation(inputShape: readonly number[]): Augmentation | undefined {
  return inputShape.length === 3 ? AugmentationSchema.parse({}) : undefined;
}

/** The augmentation a study's clients apply to training images, if any. */
export function studyAugmentation(config: StudyConfig): Augmentation | undefined {
  return 'augmentation' in config && config.augmentation ? config.augmentation : undefined;
}
