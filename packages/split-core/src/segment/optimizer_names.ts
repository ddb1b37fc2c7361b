// The optimizers a study may name: a tfjs-free list, so that study configurations validate
// on the page's main thread too (segment/optimizer.ts builds them).

export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'adam'];

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
}
