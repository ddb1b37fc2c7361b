// Limits arrive from configuration, so they are checked once per call: a NaN limit would
// make every size comparison false and silently disable the checks that protect the relay.

import { CodecError } from './codec_error';
import type { DecodeLimits } from './types';
import { MAX_RANK } from './wire_format';

export interface ResolvedDecodeLimits {
  maxFrameBytes: number;
  maxElements: number;
  maxRank: number;
  allowNonFinite: boolean;
}

export function resolveDecodeLimits(limits: DecodeLimits): ResolvedDecodeLimits {
  const { maxFrameBytes, maxElements = Infinity, maxRank = MAX_RANK, allowNonFinite = false } = limits;
  assertLimit('maxFrameBytes', maxFrameBytes);
  assertLimit('maxElements', maxElements);
  assertLimit('maxRank', maxRank);
  return {
    maxFrameBytes,
    // Every element takes at least one byte, so the frame limit already bounds the count.
    maxElements: Math.min(maxElements, maxFrameBytes),
    // The format cannot express more than MAX_RANK; a limit can only tighten it.
    maxRank: Math.min(maxRank, MAX_RANK),
    allowNonFinite: allowNonFinite === true,
  };
}

export function assertLimit(field: string, value: unknown): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new CodecError('bad-argument', `decode limit ${field} must be a non-negative number, got ${String(value)}`);
  }
}
