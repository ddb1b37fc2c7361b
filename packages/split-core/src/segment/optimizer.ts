import * as tf from '@tensorflow/tfjs';
import { learningRateAt } from './learning_rate';
import type { OptimizerConfig } from './optimizer_names';

// Each role owns its optimizer: the server never sees the client's optimizer state and
// vice versa (PAPER.md, vanilla configuration).

/** Kernels decay; biases and normalization scales and shifts do not (as in AdamW's usual setup). */
function decays(variable: tf.Variable): boolean {
  return /kernel(_\d+)?$/.test(variable.name);
}

/**
 * A segment's optimizer: tfjs's own, plus the study's learning-rate schedule (the rate of
 * the round being trained, set by enterRound) and decoupled weight decay.
 */
export class SegmentOptimizer {
  private readonly optimizer: tf.Optimizer;
  private rate: number;

  constructor(readonly config: OptimizerConfig) {
    this.rate = config.learningRate;
    this.optimizer = createOptimizer(config);
  }

  /** The rate this optimizer steps at now. */
  get learningRate(): number {
    return this.rate;
  }

  /** Moves to the rate of round `round` of the study's schedule. */
  enterRound(round: number): void {
    const rate = learningRateAt(this.config.learningRate, this.config.schedule, round);
    if (rate === this.rate) return;
    this.rate = rate;
    const optimizer = this.optimizer as tf.Optimizer & { setLearningRate?: (rate: number) => void; learningRate: number };
    // SGD and momentum keep the rate as a tensor (setLearningRate rebuilds it); Adam reads the number at each step.
    if (optimizer.setLearningRate) optimizer.setLearningRate(rate);
    else optimizer.learningRate = rate;
  }

  /** One update with these gradients (keyed by variable name), then each decaying variable shrinks by rate x weightDecay. */
  applyGradients(gradients: tf.NamedTensorMap): void {
    this.optimizer.applyGradients(gradients);
    const decay = this.config.weightDecay ?? 0;
    if (decay <= 0) return;
    const keep = 1 - this.rate * decay;
    tf.tidy(() => {
      for (const name of Object.keys(gradients)) {
        const variable = tf.engine().registeredVariables[name];
        if (variable && decays(variable)) variable.assign(tf.mul(variable, keep));
      }
    });
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config.name) {
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'momentum':
      return tf.train.momentum(config.learningRate, 0.9);
    case 'adam':
      return tf.train.adam(config.learningRate);
  }
}
