import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { NamedWeight } from './weights';
import { encodeWeights } from './weights_frames';

/** A SHA-256 digest of weights, as 64 lower-case hex digits. */
export type WeightsDigest = string;

export const WEIGHTS_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Names one set of a role's weights (its segments, input side first): a validation row, an
 * exported segment and `npm run infer` compare these to tell whether two copies of a model
 * are the same weights, bit for bit. Computed over the weights' fp32 codec bundles (names,
 * shapes, little-endian values), so the digest is the same on every platform, and the same
 * for weights read from a live segment, a checkpoint or an exported file.
 */
export function weightsDigest(segments: readonly (readonly NamedWeight[])[]): WeightsDigest {
  const hash = sha256.create();
  const length = new Uint8Array(4);
  const view = new DataView(length.buffer);
  for (const segment of segments) {
    const bundle = encodeWeights(segment);
    // Length-prefixed, so two segments can never hash like one with their bytes joined.
    view.setUint32(0, bundle.byteLength, true);
    hash.update(length);
    hash.update(bundle);
  }
  return bytesToHex(hash.digest());
}
