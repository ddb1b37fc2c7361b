import * as tf from '@tensorflow/tfjs';
import { WeightMismatchError, type NamedWeight } from '../model/weights';
import { buildLayersModel } from '../model/build';
import type { SegmentPlan } from '../model/cuts';
import { distanceCorrelation } from '../privacy/distance_correlation';
import { SegmentOptimizer } from './optimizer';
import type { OptimizerConfig } from './optimizer_names';

/** How a segment that computes the loss weighs it (the study's recipe); plain cross-entropy when absent. */
export interface LossOptions {
  /** Each one-hot target moves this share towards the uniform distribution (Szegedy et al. 2016). */
  labelSmoothing?: number;
  /** Each sample's loss counts with its class's weight (one per class, in the study's class order). */
  classWeights?: readonly number[];
}

/** One trainable piece of the split model, held by one role, with that role's optimizer. */
export interface Segment {
  readonly plan: SegmentPlan;
  readonly model: tf.LayersModel;
  readonly optimizer: SegmentOptimizer;
  /** Where this segment computes the loss: how. */
  readonly loss?: LossOptions;
}

export function createSegment(plan: SegmentPlan, options: { seed: number; name: string; optimizer: OptimizerConfig; loss?: LossOptions }): Segment {
  return {
    plan,
    model: buildLayersModel(plan.layers, plan.inputShape, { seed: options.seed, name: options.name }),
    optimizer: new SegmentOptimizer(options.optimizer),
    ...(options.loss ? { loss: options.loss } : {}),
  };
}

function trainableVariables(segment: Segment): tf.Variable[] {
  return segment.model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** Forward pass in training mode, outside any gradient tape: the activations to send on. */
export function forward(segment: Segment, input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => segment.model.apply(input, { training: true }) as tf.Tensor);
}

/** Forward pass for evaluation. */
export function infer(segment: Segment, input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => segment.model.apply(input, { training: false }) as tf.Tensor);
}

/**
 * Backward pass given the gradient of the loss at this segment's output (the cut gradient
 * received from the next role): applies this segment's update and returns the gradient at its
 * input when the previous role needs it. The forward pass is recomputed under the tape
 * because the tape cannot stay open while the cut tensors travel to the peer and back;
 * the catalogue has no stochastic layers, so the recomputation is exact.
 */
export function backward(segment: Segment, input: tf.Tensor, outputGradient: tf.Tensor, needsInputGradient: boolean, noPeek = 0): tf.Tensor | undefined {
  if (noPeek <= 0) return applyGradients(segment, input, needsInputGradient, { outputGradient });
  return applyGradients(segment, input, needsInputGradient, (output): tf.Scalar =>
    // NoPeek (Vepakomma et al. 2020): the segment also learns to make its output depend less on its input.
    tf.sum(tf.mul(output, outputGradient)).add<tf.Scalar>(distanceCorrelation(input, output).mul(noPeek)),
  );
}

/**
 * Loss-side step: forward, softmax cross-entropy against `labels`, backward, update.
 * Returns the mean loss, how many samples the logits classified correctly (argmax, before
 * the update: the training accuracy the dashboard plots), and, when asked, the gradient at
 * the segment's input.
 */
export function lossStep(
  segment: Segment,
  input: tf.Tensor,
  labels: tf.Tensor,
  needsInputGradient: boolean,
): { loss: number; correct: number; inputGradient: tf.Tensor | undefined } {
  let loss = Number.NaN;
  let correct = 0;
  const inputGradient = applyGradients(
    segment,
    input,
    needsInputGradient,
    (logits) => {
      const value = softmaxCrossEntropy(logits, labels, segment.loss);
      loss = value.dataSync()[0] ?? Number.NaN;
      correct = countCorrect(logits, labels);
      return value;
    },
    () => {
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    },
  );
  return { loss, correct, inputGradient };
}

/** Samples whose highest logit is their label. */
export function countCorrect(logits: tf.Tensor, labels: tf.Tensor): number {
  const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')), 'int32')));
  try {
    return hits.dataSync()[0] ?? 0;
  } finally {
    hits.dispose();
  }
}

/** The batch's mean cross-entropy, with the study's label smoothing and class weights where it sets them. */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[logits.shape.length - 1] ?? 1;
    const classes = tf.cast(labels, 'int32');
    const oneHot = tf.oneHot(classes, numClasses);
    const { classWeights, labelSmoothing = 0 } = options;
    if (classWeights && classWeights.length !== numClasses) throw new Error(`${classWeights.length} class weights for ${numClasses} classes`);
    // Per-sample weights, averaged over the batch's samples (Keras's class_weight): balanced weights keep the loss's scale.
    const weights = classWeights ? tf.gather(tf.tensor1d(classWeights as number[], 'float32'), classes) : undefined;
    const loss: tf.Scalar = tf.losses.softmaxCrossEntropy(oneHot, logits, weights, labelSmoothing);
    return loss;
  });
}

/** A step whose loss was NaN or infinite: its update was not applied. */
export class NonFiniteLossError extends Error {
  constructor(readonly loss: number) {
    super(`the loss was ${loss}, so this step's update was not applied (training diverged: a lower learning rate usually helps)`);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * What one tape pass differentiates: a scalar of the segment's output (a loss), or the output
 * itself against the gradient the next role sent back for it (seeded with that gradient, so no
 * extra product and sum is computed).
 */
export type Objective = ((output: tf.Tensor) => tf.Scalar) | { readonly outputGradient: tf.Tensor };

/**
 * One tape pass over the segment: `objective` of its output, the update applied, and the
 * gradient at its input when asked. `admit` runs after the gradients are computed and before
 * they are applied; it throws to refuse the update. (Internal to the segment module and its
 * loss variants.)
 */
export function applyGradients(segment: Segment, input: tf.Tensor, needsInputGradient: boolean, objective: Objective, admit?: () => void): tf.Tensor | undefined {
  const variables = trainableVariables(segment);
  // The engine's gradients(): tf.variableGrads without its two limits, a scalar objective only
  // and variables only. The input is differentiated as it is, without a copy into a variable.
  const xs: tf.Tensor[] = needsInputGradient ? [...variables, input] : variables;
  const seed = typeof objective === 'function' ? undefined : objective.outputGradient;
  const { value, grads } = tf.engine().gradients(
    () => {
      const output = segment.model.apply(input, { training: true }) as tf.Tensor;
      return typeof objective === 'function' ? objective(output) : output;
    },
    xs,
    seed,
    true,
  );
  value.dispose();
  const inputGradient = needsInputGradient ? grads[variables.length] : undefined;
  const named: tf.NamedTensorMap = {};
  variables.forEach((variable, i) => {
    const gradient = grads[i];
    if (gradient) named[variable.name] = gradient;
  });
  try {
    admit?.();
  } catch (error) {
    tf.dispose(grads);
    throw error;
  }
  segment.optimizer.applyGradients(named);
  tf.dispose(Object.values(named));
  return inputGradient;
}

/**
 * The gradient of the batch's mean loss for each trainable weight, computed and not applied:
 * large-batch synchronous SGD averages several clients' gradients before one update. Named
 * as the weights are (readWeights), so they travel and average like weights.
 */
export function weightGradients(segment: Segment, input: tf.Tensor, labels: tf.Tensor): { loss: number; correct: number; gradients: NamedWeight[] } {
  const weights = segment.model.trainableWeights;
  const variables = weights.map((weight) => weight.read() as tf.Variable);
  let correct = 0;
  const { value, grads } = tf.variableGrads(() => {
    const logits = segment.model.apply(input, { training: true }) as tf.Tensor;
    correct = countCorrect(logits, labels);
    return softmaxCrossEntropy(logits, labels, segment.loss);
  }, variables);
  const loss = value.dataSync()[0] ?? Number.NaN;
  value.dispose();
  try {
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    const gradients = weights.map((weight, i) => {
      const gradient = grads[(variables[i] as tf.Variable).name] as tf.Tensor;
      return { name: weight.originalName, shape: gradient.shape.slice(), values: new Float32Array(gradient.dataSync()) };
    });
    return { loss, correct, gradients };
  } finally {
    tf.dispose(grads);
  }
}

/** One optimizer step with given gradients (as weightGradients names them), in the segment's weight order. */
export function applyWeightGradients(segment: Segment, gradients: readonly NamedWeight[]): void {
  const weights = segment.model.trainableWeights;
  if (gradients.length !== weights.length) throw new WeightMismatchError(`expected ${weights.length} gradients for ${segment.model.name}, got ${gradients.length}`);
  const named: tf.NamedTensorMap = {};
  weights.forEach((weight, i) => {
    const gradient = gradients[i] as NamedWeight;
    if (gradient.name !== weight.originalName || gradient.shape.join('x') !== weight.shape.join('x')) {
      throw new WeightMismatchError(`gradient ${i} of ${segment.model.name} is for ${weight.originalName} [${weight.shape.join(', ')}], got ${gradient.name} [${gradient.shape.join(', ')}]`);
    }
    named[(weight.read() as tf.Variable).name] = tf.tensor(gradient.values, gradient.shape, 'float32');
  });
  segment.optimizer.applyGradients(named);
  tf.dispose(Object.values(named));
}
