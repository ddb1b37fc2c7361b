// Node's half of image decoding (the browser decodes through a canvas): file bytes -> RGBA,
// or, for DICOM, the windowed first frame (split-core's dicom/, as the training worker does).
// The format is taken from the file's signature, not its name, because exports from
// hospital systems often carry wrong or missing extensions (DICOM files often none at all).

import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { toSampleValues, type DecodedSample, type ImageShape } from '../../data/image';
import { DicomCodecs } from '../../dicom/codecs';
import { decodeDicomSample } from '../../dicom/decode_dicom';
import { isDicom } from '../../dicom/dicom_header';

export type ImageFormat = 'png' | 'jpeg';

export interface DecodedImage {
  width: number;
  height: number;
  /** Row-major RGBA, 8 bits per channel. */
  rgba: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** Refuse images whose decoded RGBA would exceed this many pixels (a decompression bomb guard). */
const MAX_PIXELS = 50_000_000;

export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const startsWith = (signature: number[]): boolean => signature.every((byte, i) => bytes[i] === byte);
  if (startsWith(PNG_SIGNATURE)) return 'png';
  if (startsWith(JPEG_SIGNATURE)) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG (gray, gray+alpha, RGB, RGBA, palette; 1 to 16 bits, 16-bit scaled to 8)
 * or a baseline/progressive JPEG (gray, RGB, CMYK) to RGBA.
 * Throws an Error whose message says why the file cannot be used.
 */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  const format = detectImageFormat(bytes);
  if (format === undefined) throw new Error('not a PNG, JPEG or DICOM image');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (format === 'png') {
      const png = PNG.sync.read(buffer);
      checkPixels(png.width, png.height);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const image = decodeJpeg(buffer, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 1024,
    });
    checkPixels(image.width, image.height);
    return { width: image.width, height: image.height, rgba: image.data };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`corrupt or unsupported ${format.toUpperCase()}: ${detail}`, { cause: error });
  }
}

function checkPixels(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new Error(`image has no pixels (${width}x${height})`);
  if (width * height > MAX_PIXELS) throw new Error(`image too large (${width}x${height})`);
}

// One set of codec modules per process: each loads on its first file.
let codecs: DicomCodecs | undefined;

/** Decodes a PNG, JPEG or DICOM file to the model input; throws an Error whose message says why a file cannot be used. */
export async function decodeImageFile(bytes: Uint8Array, shape: ImageShape): Promise<DecodedSample> {
  if (!isDicom(bytes)) {
    const decoded = decodeImage(bytes);
    return { values: toSampleValues(decoded.rgba, decoded.width, decoded.height, shape) };
  }
  codecs ??= new DicomCodecs();
  return decodeDicomSample(bytes, codecs, shape);
}
