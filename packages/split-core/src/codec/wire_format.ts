// The frame layout and every number written into a header. These tables ARE the protocol:
// a value here may never change meaning; a new dtype or encoding gets a new, unused code.
// Code 0 is never assigned so that a zero-filled buffer is always rejected.
//
// Tensor frame, format version 1, all integers little-endian:
//
//   offset     size      field
//   0          4         magic 'S' 'L' 'T' 'F' (split learning tensor frame)
//   4          1         format version (FORMAT_VERSION)
//   5          1         dtype code (DTYPE_CODES)
//   6          1         encoding code (ENCODING_CODES)
//   7          1         rank r, 0..MAX_RANK
//   8          1         name length n in bytes, 0..MAX_NAME_BYTES
//   9          3         reserved, must be zero (a decoder of this version refuses anything
//                        else, so a later use of these bytes cannot be silently misread)
//   12         4 r       shape, u32 per dimension, row-major
//   12+4r      n         name, UTF-8
//   12+4r+n    8         int8 encoding only: float32 minimum, float32 scale
//   ...                  payload, product(shape) elements: float32 / int32 (4 bytes),
//                        fp16 half bits (2 bytes) or int8 q (1 byte, value ~= min + q*scale)
//
// Bundle (several frames in one message, e.g. a client segment's weights):
//
//   0          4         magic 'S' 'L' 'T' 'B'
//   4          1         format version (FORMAT_VERSION)
//   5          3         reserved, must be zero
//   8          4         frame count c (u32)
//   12         ...       c times: u32 frame length L, then L bytes of tensor frame

import type { DType, Encoding } from './types';

export const FORMAT_VERSION = 1;

export const FRAME_MAGIC: readonly number[] = [0x53, 0x4c, 0x54, 0x46]; // 'SLTF'
export const BUNDLE_MAGIC: readonly number[] = [0x53, 0x4c, 0x54, 0x42]; // 'SLTB'

export const DTYPE_CODES = { float32: 1, int32: 2 } as const satisfies Record<DType, number>;

/** 'fp32' means full width, stored raw: 4 bytes per element of the dtype (the only code valid for int32). */
export const ENCODING_CODES = { fp32: 1, fp16: 2, int8: 3 } as const satisfies Record<Encoding, number>;

export const MAX_RANK = 8;
export const MAX_NAME_BYTES = 255;
export const FIXED_HEADER_BYTES = 12;
export const INT8_PARAMS_BYTES = 8;
export const BUNDLE_HEADER_BYTES = 12;
export const BUNDLE_LENGTH_PREFIX_BYTES = 4;
/** Largest value a u32 shape dimension or length prefix can carry. */
export const MAX_U32 = 0xffff_ffff;

export const HEADER_OFFSETS = {
  version: 4,
  dtype: 5,
  encoding: 6,
  rank: 7,
  nameLength: 8,
  reserved: 9,
  shape: FIXED_HEADER_BYTES,
} as const;

export const BUNDLE_OFFSETS = { version: 4, reserved: 5, count: 8 } as const;

export function dtypeFromCode(code: number): DType | undefined {
  return codeLookup(DTYPE_CODES, code);
}

export function encodingFromCode(code: number): Encoding | undefined {
  return codeLookup(ENCODING_CODES, code);
}

function codeLookup<K extends string>(table: Readonly<Record<K, number>>, code: number): K | undefined {
  for (const key of Object.keys(table) as K[]) if (table[key] === code) return key;
  return undefined;
}

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_CODES, value);
}

export function isEncoding(value: unknown): value is Encoding {
  return typeof value === 'string' && Object.hasOwn(ENCODING_CODES, value);
}

/** The encoding a frame actually records: int32 data is never quantized (labels must stay exact). */
export function storedEncoding(dtype: DType, requested: Encoding): Encoding {
  return dtype === 'int32' ? 'fp32' : requested;
}

export function bytesPerElement(encoding: Encoding): number {
  switch (encoding) {
    case 'fp32':
      return 4;
    case 'fp16':
      return 2;
    case 'int8':
      return 1;
  }
}

/** Offset of the payload (or of the int8 parameters) is derived, never stored: nothing to lie about. */
export function headerByteLength(rank: number, nameBytes: number, encoding: Encoding): number {
  return FIXED_HEADER_BYTES + 4 * rank + nameBytes + (encoding === 'int8' ? INT8_PARAMS_BYTES : 0);
}

/** Exact frame length; `encoding` must already be the stored one (see storedEncoding). */
export function frameByteLength(rank: number, nameBytes: number, elementCount: number, encoding: Encoding): number {
  return headerByteLength(rank, nameBytes, encoding) + elementCount * bytesPerElement(encoding);
}
