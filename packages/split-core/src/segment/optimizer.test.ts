import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { learningRateAt } from './learning_rate';
import { SegmentOptimizer } from './optimizer';
import type { OptimizerConfig } from './optimizer_names';
import { softmaxCrossEntropy } from './segment';

beforeAll(() => useBackend('cpu'));

let made = 0;

/** A kernel and a bias (named as tfjs layers name them: dense/kernel, dense/kernel_1, ...), a step of gradient 1 on each, and how far each moved. */
function stepOnce(optimizer: SegmentOptimizer, at: { kernel: number; bias: number }): { kernel: number; bias: number } {
  made += 1;
  const kernel = tf.variable(tf.scalar(at.kernel), true, `dense/kernel_${made}`);
  const bias = tf.variable(tf.scalar(at.bias), true, `dense/bias_${made}`);
  const one = (): tf.Scalar => tf.scalar(1);
  const gradients = { [kernel.name]: one(), [bias.name]: one() };
  optimizer.applyGradients(gradients);
  const moved = { kernel: (kernel.dataSync()[0] ?? 0) - at.kernel, bias: (bias.dataSync()[0] ?? 0) - at.bias };
  tf.dispose([kernel, bias, ...Object.values(gradients)]);
  return moved;
}

describe('a segment\'s optimizer', () => {
  it.each(['sgd', 'momentum', 'adam'] as const)('%s steps at the rate of the round it entered', (name) => {
    const config: OptimizerConfig = { name, learningRate: 0.1, schedule: { kind: 'cosine', rounds: 5 } };
    for (const round of [0, 2, 4]) {
      // A fresh optimizer per round: its first step is the rate itself (momentum and Adam have no history yet).
      const optimizer = new SegmentOptimizer(config);
      optimizer.enterRound(round);
      const rate = learningRateAt(0.1, config.schedule, round);
      expect(optimizer.learningRate).toBeCloseTo(rate, 12);
      expect(stepOnce(optimizer, { kernel: 0, bias: 0 }).kernel).toBeCloseTo(-rate, 5);
      optimizer.dispose();
    }
  });

  it('decays kernels by rate x weight decay after the update, and leaves biases alone', () => {
    const optimizer = new SegmentOptimizer({ name: 'sgd', learningRate: 0.1, weightDecay: 0.5 });
    const moved = stepOnce(optimizer, { kernel: 2, bias: 2 });
    // kernel: 2 - 0.1 x 1 = 1.9, then x (1 - 0.1 x 0.5) = 1.805; bias: 2 - 0.1 = 1.9.
    expect(moved.kernel).toBeCloseTo(1.805 - 2, 5);
    expect(moved.bias).toBeCloseTo(-0.1, 5);
    optimizer.dispose();
  });
});

describe('the loss with a study\'s recipe', () => {
  const logits = [
    [2, 0],
    [0.5, 1],
    [-1, 1],
  ];
  const labels = [0, 1, 0];
  const crossEntropy = (row: number[], target: number[]): number => {
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0)) + max;
    return -row.reduce((sum, v, c) => sum + (target[c] as number) * (v - logSum), 0);
  };
  const loss = (options: Parameters<typeof softmaxCrossEntropy>[2]): number => {
    const value = softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), options);
    const number = value.dataSync()[0] ?? Number.NaN;
    value.dispose();
    return number;
  };

  it('is the plain mean cross-entropy without options', () => {
    const expected = logits.reduce((sum, row, i) => sum + crossEntropy(row, labels[i] === 0 ? [1, 0] : [0, 1]), 0) / 3;
    expect(loss({})).toBeCloseTo(expected, 5);
  });

  it('smooths the targets towards uniform and weighs each sample by its class', () => {
    const smooth = 0.2;
    const target = (label: number): number[] => [0, 1].map((c) => (c === label ? 1 - smooth : 0) + smooth / 2);
    expect(loss({ labelSmoothing: smooth })).toBeCloseTo(logits.reduce((sum, row, i) => sum + crossEntropy(row, target(labels[i] as number)), 0) / 3, 5);
    const weights = [0.5, 3];
    const weighted = logits.reduce((sum, row, i) => sum + (weights[labels[i] as number] as number) * crossEntropy(row, labels[i] === 0 ? [1, 0] : [0, 1]), 0) / 3;
    expect(loss({ classWeights: weights })).toBeCloseTo(weighted, 5);
    expect(() => loss({ classWeights: [1, 2, 3] })).toThrow(/3 class weights for 2 classes/);
  });
});
