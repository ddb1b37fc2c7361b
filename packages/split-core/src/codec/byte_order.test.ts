import { describe, expect, it } from 'vitest';
import { HOST_IS_LITTLE_ENDIAN, readRaw32LE, writeRaw32LE } from './byte_order';

// The big-endian fallback cannot run natively here, so both paths are forced and compared with
// bytes written by DataView (which is explicit about byte order) at unaligned offsets.
describe('raw 32-bit payloads', () => {
  const floats = new Float32Array([1.5, -0, 3.4e38, -1e-45, Infinity]);
  const ints = new Int32Array([0, -1, 2 ** 31 - 1, -(2 ** 31), 12345]);

  for (const hostIsLittleEndian of [true, false]) {
    const path = hostIsLittleEndian ? 'memcpy path' : 'DataView path';

    it(`writes little-endian words at an odd offset (${path})`, () => {
      for (const values of [floats, ints]) {
        const out = new Uint8Array(3 + values.length * 4);
        writeRaw32LE(values, out, 3, hostIsLittleEndian);
        const expected = new Uint8Array(out.length);
        const view = new DataView(expected.buffer);
        values.forEach((value, index) =>
          values instanceof Float32Array ? view.setFloat32(3 + 4 * index, value, true) : view.setInt32(3 + 4 * index, value, true),
        );
        expect(out).toEqual(expected);
      }
    });

    it(`reads little-endian words from an odd offset inside a larger buffer (${path})`, () => {
      const backing = new Uint8Array(64).fill(0xee);
      const view = new DataView(backing.buffer);
      floats.forEach((value, index) => view.setFloat32(5 + 4 * index, value, true));
      const frame = backing.subarray(2, 40); // payload at offset 3 of a view at byteOffset 2
      const decoded = readRaw32LE(frame, 3, new Float32Array(floats.length), hostIsLittleEndian);
      expect(Array.from(decoded).map((value) => Object.is(value, -0) ? '-0' : value)).toEqual(
        Array.from(floats).map((value) => (Object.is(value, -0) ? '-0' : value)),
      );
      ints.forEach((value, index) => view.setInt32(5 + 4 * index, value, true));
      expect(readRaw32LE(frame, 3, new Int32Array(ints.length), hostIsLittleEndian)).toEqual(ints);
    });
  }

  it('detects this host as little-endian (x86 and ARM Node, every browser in use)', () => {
    expect(HOST_IS_LITTLE_ENDIAN).toBe(new Uint8Array(Uint32Array.of(1).buffer)[0] === 1);
  });
});
