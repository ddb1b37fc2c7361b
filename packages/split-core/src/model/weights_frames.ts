import { decodeBundle, encodeBundle } from '../codec/bundle';
import type { NamedWeight } from './weights';

// Client-segment weights cross the wire for hand-off (round-robin) and aggregation
// (SplitFed) as one codec bundle per segment, always fp32: a hand-off must not lose
// precision, or round-robin would drift from centralized training.

export function encodeWeights(weights: readonly NamedWeight[]): Uint8Array {
  return encodeBundle(
    weights.map((weight) => ({ name: weight.name, dtype: 'float32', shape: weight.shape, values: weight.values })),
    'fp32',
  );
}

/**
 * The one limit on a weight bundle anywhere (a hand-off, an average, a checkpoint): weights
 * are sized by the study's model, which the relay checks against its message limit when the
 * study is created; this only keeps a hostile bundle from allocating without bound.
 */
export const WEIGHT_BUNDLE_LIMITS = { maxFrameBytes: 1024 * 1024 * 1024, maxTensors: 10_000 } as const;

export function decodeWeights(bundle: Uint8Array, limits: { maxFrameBytes: number; maxTensors: number } = WEIGHT_BUNDLE_LIMITS): NamedWeight[] {
  return decodeBundle(bundle, limits).map((tensor) => {
    if (!(tensor.values instanceof Float32Array)) throw new TypeError(`weight ${tensor.name} arrived as ${tensor.dtype}; weights are float32`);
    return { name: tensor.name, shape: tensor.shape, values: tensor.values };
  });
}
