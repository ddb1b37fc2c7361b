import type { LearningRateSchedule } from './learning_rate';

// The optimizers a study may name: a tfjs-free list, so that study configurations validate
// on the page's main thread too (segment/optimizer.ts builds them).

export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'adam'];

export interface OptimizerConfig {
  name: OptimizerName;
  /** The base rate: round 0's, and every round's without a schedule. */
  learningRate: number;
  /** How the rate moves over the rounds (segment/learning_rate.ts); constant when absent. */
  schedule?: LearningRateSchedule;
  /** Decoupled weight decay (AdamW's, Loshchilov & Hutter 2019) on kernels, per unit of learning rate; none when absent. */
  weightDecay?: number;
}
