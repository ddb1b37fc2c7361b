// Shapes come from two places: callers (trusted, but possibly buggy) and frame headers
// (hostile). Both go through the product here, which stops multiplying as soon as the
// product passes a bound, so eight u32 dimensions can never overflow into a wrong small count.

import { CodecError } from './codec_error';
import { MAX_RANK, MAX_U32 } from './wire_format';

/**
 * product(shape) if it is <= maxElements, otherwise undefined. A zero dimension makes the
 * product 0 whatever the others are (an empty tensor is valid, even as [0, 4294967295]).
 */
export function elementCountWithin(shape: ArrayLike<number>, maxElements: number): number | undefined {
  for (let axis = 0; axis < shape.length; axis++) if (shape[axis] === 0) return 0;
  let product = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    product *= shape[axis] ?? 0;
    // Checked every step: the product of one in-bound value and a u32 stays below 2^64, where
    // doubles still compare correctly against the bound even if they are no longer exact.
    if (product > maxElements) return undefined;
  }
  return product;
}

/** Refuses shapes a frame cannot carry: rank over MAX_RANK, dims that are not u32 integers. */
export function assertEncodableShape(shape: unknown): asserts shape is number[] {
  if (!Array.isArray(shape)) throw new CodecError('bad-argument', `shape must be an array of dimensions, got ${typeof shape}`);
  if (shape.length > MAX_RANK) {
    throw new CodecError('bad-argument', `rank ${shape.length} is over the frame format's maximum of ${MAX_RANK}: reshape the tensor first`);
  }
  for (const dim of shape as unknown[]) {
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0 || dim > MAX_U32) {
      throw new CodecError('bad-argument', `shape [${shape.join(', ')}] has a dimension that is not an integer in 0..${MAX_U32}`);
    }
  }
}
