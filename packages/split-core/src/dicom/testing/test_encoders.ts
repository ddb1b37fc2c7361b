import charlsFactory from '@cornerstonejs/codec-charls/wasmjs';
import libjpegFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/wasmjs';

// Encoders that make the tests' compressed DICOM files: the codecs' own encoders where they
// have one (JPEG-LS, JPEG 2000, baseline JPEG), and two small ones written for the tests, for
// JPEG lossless (no maintained JavaScript encoder exists) and RLE. Test support only: the
// project decodes, it never encodes.

export interface FrameLayout {
  width: number;
  height: number;
  /** Bits per sample the stream carries (8 or up to 16). */
  bits: number;
  signed?: boolean;
}

let charls: Promise<CharlsModule> | undefined;
let libjpeg: Promise<LibJpegModule> | undefined;

function encodeWith(encoder: CornerstoneEncoder, samples: Uint8Array, layout: FrameLayout, configure: (encoder: CornerstoneEncoder) => void): Uint8Array {
  try {
    encoder.getDecodedBuffer({ width: layout.width, height: layout.height, bitsPerSample: layout.bits, componentCount: 1, isSigned: layout.signed ?? false }).set(samples);
    configure(encoder);
    encoder.encode();
    return new Uint8Array(encoder.getEncodedBuffer().slice());
  } finally {
    encoder.delete();
  }
}

/** `values` as the bytes a codec takes: 8-bit samples, or 16-bit little-endian words (signed ones masked to `bits`). */
export function sampleBytes(values: ArrayLike<number>, layout: FrameLayout, masked = true): Uint8Array {
  if (layout.bits <= 8) return Uint8Array.from(values, (value) => value & 0xff);
  const mask = masked ? (1 << layout.bits) - 1 : 0xffff;
  const words = Uint16Array.from(values, (value) => value & mask);
  return new Uint8Array(words.buffer);
}

export async function encodeJpegLs(values: ArrayLike<number>, layout: FrameLayout, nearLossless = 0): Promise<Uint8Array> {
  charls ??= charlsFactory();
  const module = await charls;
  // CharLS knows no sign: the stream carries the low `bits` bits, the reader sign-extends them.
  return encodeWith(new module.JpegLSEncoder(), sampleBytes(values, { ...layout, signed: false }), { ...layout, signed: false }, (encoder) => encoder.setNearLossless?.(nearLossless));
}

export async function encodeJpeg2000(values: ArrayLike<number>, layout: FrameLayout, lossless = true): Promise<Uint8Array> {
  // A fresh module per image: an OpenJPEG exception leaves its module unusable.
  const module = await openjpegFactory();
  const decompositions = Math.min(5, Math.floor(Math.log2(Math.min(layout.width, layout.height))));
  return encodeWith(new module.J2KEncoder(), sampleBytes(values, layout, !layout.signed), layout, (encoder) => {
    encoder.setDecompositions?.(decompositions);
    if (lossless) encoder.setQuality?.(true, 0);
    else {
      encoder.setQuality?.(false, 1);
      encoder.setCompressionRatio?.(0, 4);
    }
  });
}

/** Quality 90: libjpeg-turbo's wasm encoder writes past its output buffer when the stream is larger than the raw image (small, noisy images at 95). */
export async function encodeJpegBaseline(values: ArrayLike<number>, layout: FrameLayout, quality = 90): Promise<Uint8Array> {
  libjpeg ??= libjpegFactory();
  const module = await libjpeg;
  return encodeWith(new module.JPEGEncoder(), sampleBytes(values, { ...layout, bits: 8 }), { ...layout, bits: 8 }, (encoder) => {
    encoder.setQuality?.(quality);
    // The encoder's default is progressive, which DICOM's baseline syntax is not.
    encoder.setProgressive?.(0);
  });
}

/**
 * JPEG lossless (ITU T.81 process 14, one component, Huffman): SOI, SOF3, one table in which
 * every difference category has a 5-bit code (valid, not optimal), SOS with the predictor,
 * the differences modulo 2^16 with 0xFF byte stuffing, EOI. Predictor 1 is DICOM's SV1 (.70).
 */
export function encodeJpegLossless(values: ArrayLike<number>, layout: FrameLayout, predictor = 1): Uint8Array {
  const { width, height, bits } = layout;
  const mask = (1 << bits) - 1;
  const pixels = Int32Array.from(values, (value) => value & mask);
  const out: number[] = [];
  const word = (value: number): void => void out.push((value >> 8) & 0xff, value & 0xff);
  word(0xffd8);
  word(0xffc3);
  word(11);
  out.push(bits);
  word(height);
  word(width);
  out.push(1, 1, 0x11, 0);
  word(0xffc4);
  word(2 + 1 + 16 + 17);
  out.push(0x00, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  for (let category = 0; category <= 16; category++) out.push(category);
  word(0xffda);
  word(8);
  out.push(1, 1, 0x00, predictor, 0, 0);
  let accumulator = 0;
  let count = 0;
  const put = (value: number, length: number): void => {
    for (let bit = length - 1; bit >= 0; bit--) {
      accumulator = (accumulator << 1) | ((value >> bit) & 1);
      if (++count === 8) {
        out.push(accumulator);
        if (accumulator === 0xff) out.push(0x00);
        accumulator = 0;
        count = 0;
      }
    }
  };
  const at = (i: number): number => pixels[i] as number;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const [a, b, c] = [at(i - 1), at(i - width), at(i - width - 1)];
      const prediction =
        x === 0 && y === 0 ? 1 << (bits - 1)
        : y === 0 ? a
        : x === 0 ? b
        : [0, a, b, c, a + b - c, a + ((b - c) >> 1), b + ((a - c) >> 1), (a + b) >> 1][predictor] as number;
      let difference = (at(i) - prediction) & 0xffff;
      if (difference >= 0x8000) difference -= 0x10000;
      const magnitude = Math.abs(difference);
      const category = difference === -32768 ? 16 : magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
      put(category, 5);
      if (category > 0 && category < 16) put(difference >= 0 ? difference : difference - 1 + (1 << category), category);
    }
  }
  if (count > 0) put((1 << (8 - count)) - 1, 8 - count);
  word(0xffd9);
  return Uint8Array.from(out);
}

/** RLE Lossless (PS3.5 Annex G): one PackBits segment per byte plane, most significant first. */
export function encodeRle(values: ArrayLike<number>, layout: FrameLayout): Uint8Array {
  const bytesPerSample = layout.bits > 8 ? 2 : 1;
  const samples = sampleBytes(values, layout, false);
  const pixels = layout.width * layout.height;
  const segments: Uint8Array[] = [];
  for (let byte = bytesPerSample - 1; byte >= 0; byte--) {
    const plane = Uint8Array.from({ length: pixels }, (_, i) => samples[i * bytesPerSample + byte] as number);
    segments.push(packBits(plane));
  }
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    header.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  });
  const out = new Uint8Array(offset + (offset & 1));
  out.set(new Uint8Array(header.buffer));
  offset = 64;
  for (const segment of segments) {
    out.set(segment, offset);
    offset += segment.length;
  }
  return out;
}

function packBits(plane: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) run++;
    if (run >= 2) {
      out.push((257 - run) & 0xff, plane[i] as number);
      i += run;
      continue;
    }
    let literal = 1;
    while (i + literal < plane.length && literal < 128 && plane[i + literal] !== plane[i + literal + 1]) literal++;
    out.push(literal - 1, ...plane.subarray(i, i + literal));
    i += literal;
  }
  if (out.length & 1) out.push(0x80);
  return Uint8Array.from(out);
}
