import * as tf from '@tensorflow/tfjs';

/**
 * A segment's weights as plain arrays, in the model's variable order. Names are the layers'
 * own names (e.g. `conv1/kernel`), identical on every role that builds the same segment, so
 * weights can be checked by name when they arrive from another participant.
 */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export function readWeights(model: tf.LayersModel): NamedWeight[] {
  return model.weights.map((weight) => {
    const value = weight.read();
    // Copied: a backend may hand out its own buffer, which a later update would overwrite.
    return { name: weight.originalName, shape: value.shape.slice(), values: new Float32Array(value.dataSync()) };
  });
}

export class WeightMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightMismatchError';
  }
}

/** Loads weights into a model, refusing any set that does not match the model variable by variable. */
export function writeWeights(model: tf.LayersModel, weights: readonly NamedWeight[]): void {
  const targets = model.weights;
  if (targets.length !== weights.length) {
    throw new WeightMismatchError(`expected ${targets.length} weight tensors for ${model.name}, got ${weights.length}`);
  }
  const tensors = targets.map((target, i) => {
    const weight = weights[i] as NamedWeight;
    const expectedShape = target.shape;
    if (weight.name !== target.originalName || weight.shape.join('x') !== expectedShape.join('x')) {
      throw new WeightMismatchError(
        `weight ${i} of ${model.name} is ${target.originalName} [${expectedShape.join(', ')}], got ${weight.name} [${weight.shape.join(', ')}]`,
      );
    }
    return tf.tensor(weight.values, weight.shape, 'float32');
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Element-wise weighted mean of several weight sets (FedAvg, McMahan et al. 2017). */
export function averageWeights(sets: readonly NamedWeight[][], sampleCounts: readonly number[]): NamedWeight[] {
  if (sets.length === 0 || sets.length !== sampleCounts.length) {
    throw new WeightMismatchError(`averaging needs one sample count per weight set (got ${sets.length} sets, ${sampleCounts.length} counts)`);
  }
  const total = sampleCounts.reduce((sum, n) => sum + n, 0);
  if (!(total > 0)) throw new WeightMismatchError('averaging needs a positive total sample count');
  const first = sets[0] as NamedWeight[];
  return first.map((reference, w) => {
    // Summed in double precision and rounded once, so the order of the sets barely matters.
    const sums = new Float64Array(reference.values.length);
    sets.forEach((set, k) => {
      const weight = set[w];
      if (!weight || weight.name !== reference.name || weight.values.length !== sums.length) {
        throw new WeightMismatchError(`weight set ${k} does not match set 0 at ${reference.name}`);
      }
      const share = (sampleCounts[k] as number) / total;
      for (let i = 0; i < sums.length; i++) sums[i] = (sums[i] as number) + share * (weight.values[i] as number);
    });
    return { name: reference.name, shape: reference.shape.slice(), values: Float32Array.from(sums) };
  });
}

/** What a segment's weights must look like: its variables' names and shapes, in order. */
export interface WeightSpec {
  name: string;
  shape: number[];
}

export function weightLayout(model: tf.LayersModel): WeightSpec[] {
  return model.weights.map((weight) => ({ name: weight.originalName, shape: weight.shape.map((size) => size ?? 0) }));
}

/**
 * Refuses segment weights that do not fit `layout` (segment count, each variable's name,
 * shape and size) or hold a non-finite value. Weights from another participant are checked
 * before anything averages or stores them: one bad upload must fail only its sender.
 */
export function requireWeightLayout(weights: readonly NamedWeight[][], layout: readonly WeightSpec[][], from: string): void {
  if (weights.length !== layout.length) throw new WeightMismatchError(`${from} sent ${weights.length} segment weight sets; this study's client holds ${layout.length}`);
  layout.forEach((specs, segment) => {
    const set = weights[segment] as NamedWeight[];
    if (set.length !== specs.length) throw new WeightMismatchError(`${from} sent ${set.length} tensors for segment ${segment}; it has ${specs.length}`);
    specs.forEach((spec, i) => {
      const weight = set[i] as NamedWeight;
      if (weight.name !== spec.name || weight.shape.join('x') !== spec.shape.join('x')) {
        throw new WeightMismatchError(`${from} sent ${weight.name} [${weight.shape.join(', ')}] as weight ${i} of segment ${segment}, which is ${spec.name} [${spec.shape.join(', ')}]`);
      }
      const size = spec.shape.reduce((product, n) => product * n, 1);
      if (weight.values.length !== size) throw new WeightMismatchError(`${from} sent ${weight.values.length} values for ${spec.name}, which holds ${size}`);
      if (!weight.values.every(Number.isFinite)) throw new WeightMismatchError(`${from} sent non-finite values in ${spec.name}`);
    });
  });
}
