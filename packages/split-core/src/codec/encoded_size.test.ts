import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTensor } from './encode_tensor';
import { encodedSize, nameByteLength } from './encoded_size';
import { ALL_ENCODINGS, encodedTensorArbitrary, expectCodecError, utf8Length } from './test_support';

describe('encodedSize', () => {
  it('equals the encoded length for 1,000 random tensors in every encoding and dtype', () => {
    fc.assert(
      fc.property(encodedTensorArbitrary, ({ tensor, encoding }) => {
        expect(encodedSize(tensor.shape, tensor.dtype, encoding, nameByteLength(tensor.name))).toBe(encodeTensor(tensor, encoding).length);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts a multi-byte name by its UTF-8 bytes', () => {
    expect(nameByteLength('é🧠')).toBe(utf8Length('é🧠'));
    expect(nameByteLength('é🧠')).toBe(2 + 4);
  });

  it('sizes a 64x14x14x32 activation batch without encoding it (the socket.io limit case)', () => {
    const elements = 64 * 14 * 14 * 32;
    const perEncoding = ALL_ENCODINGS.map((encoding) => encodedSize([64, 14, 14, 32], 'float32', encoding, 11) - elements * { fp32: 4, fp16: 2, int8: 1 }[encoding]);
    // What is left is the header alone: identical for fp32 and fp16, 8 parameter bytes more for int8.
    expect(perEncoding[0]).toBe(perEncoding[1]);
    expect((perEncoding[2] ?? 0) - (perEncoding[0] ?? 0)).toBe(8);
    expect(encodedSize([64, 14, 14, 32], 'int32', 'int8', 11)).toBe(encodedSize([64, 14, 14, 32], 'float32', 'fp32', 11));
  });

  it('refuses arguments no frame could carry', () => {
    expectCodecError(() => encodedSize([1, 2], 'float32', 'fp32', 256), 'bad-name');
    expectCodecError(() => encodedSize([1, 2], 'float32', 'fp32', -1), 'bad-name');
    expectCodecError(() => encodedSize([1, 1, 1, 1, 1, 1, 1, 1, 1], 'float32', 'fp32'), 'bad-argument');
    expectCodecError(() => encodedSize([1.5], 'float32', 'fp32'), 'bad-argument');
    expectCodecError(() => encodedSize([2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1], 'float32', 'fp32'), 'too-large');
    expectCodecError(() => encodedSize([1], 'float64' as unknown as 'float32', 'fp32'), 'bad-argument');
    expectCodecError(() => encodedSize([1], 'float32', 'q4' as unknown as 'fp32'), 'bad-argument');
  });
});
