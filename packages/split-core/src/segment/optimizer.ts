import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from './optimizer_names';

// Each role owns its optimizer: the server never sees the client's optimizer state and
// vice versa (PAPER.md, vanilla configuration).

export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config.name) {
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'momentum':
      return tf.train.momentum(config.learningRate, 0.9);
    case 'adam':
      return tf.train.adam(config.learningRate);
  }
}
