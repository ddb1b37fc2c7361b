// Decoded pixels -> model input. Browser (canvas ImageData) and Node (pngjs, jpeg-js)
// decoders all hand back RGBA bytes, so the colour conversion and the resize live here,
// once, and every device turns the same file into the same Float32Array.

/** [height, width, channels] of the model input; channels is 1 (grayscale) or 3 (RGB). */
export type ImageShape = readonly [number, number, number];

/** One image file as model input, whatever its format (decoded in Node or in the browser's worker). */
export interface DecodedSample {
  values: Float32Array;
  /** What the file list should say about the file (a multi-frame DICOM's first frame is used). */
  note?: string;
  /** A DICOM file's SOP Instance UID, for a label manifest keyed by it: it stays on the device, never in a message. */
  sopInstanceUid?: string;
}

/** One output pixel along one axis is a weighted sum of these source pixels. */
interface AxisTap {
  source: number;
  weight: number;
}

/**
 * Converts RGBA bytes (row-major, 4 bytes per pixel) to row-major [h, w, c] floats in [0, 1].
 *
 * - c = 1: ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), the weighting most
 *   grayscale medical exports were produced with; c = 3: RGB.
 * - Alpha is ignored, like tfjs `fromPixels(..., 3)`: medical images are opaque, and
 *   compositing over an arbitrary background would invent intensities.
 * - Each axis is resampled on its own: area averaging when it shrinks (every source pixel
 *   contributes, so thin structures and noise are not aliased away), bilinear with
 *   half-pixel centres when it grows, and an exact copy when its size is unchanged.
 */
export function toSampleValues(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  target: ImageShape,
): Float32Array {
  const [targetHeight, targetWidth, channels] = target;
  checkDimension('width', width);
  checkDimension('height', height);
  checkDimension('target height', targetHeight);
  checkDimension('target width', targetWidth);
  if (channels !== 1 && channels !== 3) {
    throw new Error(`Unsupported channel count ${channels}: use 1 (grayscale) or 3 (RGB).`);
  }
  if (rgba.length !== width * height * 4) {
    throw new Error(
      `Expected ${width * height * 4} RGBA bytes for a ${width}x${height} image, got ${rgba.length}.`,
    );
  }
  const source = toChannelFloats(rgba, width * height, channels);
  if (width === targetWidth && height === targetHeight) return source;
  return resample(source, width, height, targetWidth, targetHeight, channels);
}

/**
 * Converts greyscale in [0, 1] (row-major, one value per pixel: a windowed DICOM frame) to
 * the model input, by the same resize as toSampleValues; c = 3 repeats the grey in R, G, B.
 */
export function grayToSampleValues(gray: Float32Array, width: number, height: number, target: ImageShape): Float32Array {
  const [targetHeight, targetWidth, channels] = target;
  checkDimension('width', width);
  checkDimension('height', height);
  checkDimension('target height', targetHeight);
  checkDimension('target width', targetWidth);
  if (channels !== 1 && channels !== 3) throw new Error(`Unsupported channel count ${channels}: use 1 (grayscale) or 3 (RGB).`);
  if (gray.length !== width * height) throw new Error(`Expected ${width * height} grey values for a ${width}x${height} image, got ${gray.length}.`);
  const source = channels === 1 ? gray : Float32Array.from({ length: gray.length * 3 }, (_, i) => gray[Math.floor(i / 3)] as number);
  if (width === targetWidth && height === targetHeight) return source.slice();
  return resample(source, width, height, targetWidth, targetHeight, channels);
}

function checkDimension(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`Image ${name} must be a positive integer, got ${value}.`);
  }
}

function toChannelFloats(rgba: Uint8Array | Uint8ClampedArray, pixels: number, channels: 1 | 3): Float32Array {
  const out = new Float32Array(pixels * channels);
  if (channels === 1) {
    for (let p = 0, i = 0; p < pixels; p++, i += 4) {
      out[p] = (0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0)) / 255;
    }
  } else {
    for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
      out[o] = (rgba[i] ?? 0) / 255;
      out[o + 1] = (rgba[i + 1] ?? 0) / 255;
      out[o + 2] = (rgba[i + 2] ?? 0) / 255;
    }
  }
  return out;
}

/** Separable resample: rows first, then columns; each axis picks its own filter. */
function resample(
  source: Float32Array,
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
  channels: number,
): Float32Array {
  const columnTaps = axisTaps(width, targetWidth);
  const rowTaps = axisTaps(height, targetHeight);

  const widened = new Float32Array(height * targetWidth * channels);
  for (let y = 0; y < height; y++) {
    const rowIn = y * width * channels;
    const rowOut = y * targetWidth * channels;
    for (let x = 0; x < targetWidth; x++) {
      for (const tap of columnTaps[x] ?? []) {
        const from = rowIn + tap.source * channels;
        const to = rowOut + x * channels;
        for (let c = 0; c < channels; c++) {
          widened[to + c] = (widened[to + c] ?? 0) + tap.weight * (source[from + c] ?? 0);
        }
      }
    }
  }

  const out = new Float32Array(targetHeight * targetWidth * channels);
  const rowLength = targetWidth * channels;
  for (let y = 0; y < targetHeight; y++) {
    const rowOut = y * rowLength;
    for (const tap of rowTaps[y] ?? []) {
      const rowIn = tap.source * rowLength;
      for (let i = 0; i < rowLength; i++) {
        out[rowOut + i] = (out[rowOut + i] ?? 0) + tap.weight * (widened[rowIn + i] ?? 0);
      }
    }
  }
  // Weights sum to 1 but float rounding can step a hair outside [0, 1].
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i] ?? 0));
  return out;
}

function axisTaps(sourceSize: number, targetSize: number): AxisTap[][] {
  if (sourceSize === targetSize) {
    return Array.from({ length: targetSize }, (_, i) => [{ source: i, weight: 1 }]);
  }
  return sourceSize > targetSize ? areaTaps(sourceSize, targetSize) : bilinearTaps(sourceSize, targetSize);
}

/** Output pixel i covers source span [i * scale, (i + 1) * scale); weights are overlaps / scale. */
function areaTaps(sourceSize: number, targetSize: number): AxisTap[][] {
  const scale = sourceSize / targetSize;
  const taps: AxisTap[][] = [];
  for (let i = 0; i < targetSize; i++) {
    const start = i * scale;
    const end = Math.min(sourceSize, (i + 1) * scale);
    const row: AxisTap[] = [];
    for (let s = Math.floor(start); s < end; s++) {
      const overlap = Math.min(end, s + 1) - Math.max(start, s);
      if (overlap > 1e-9) row.push({ source: s, weight: overlap / scale });
    }
    taps.push(row);
  }
  return taps;
}

/** Half-pixel centres (the align_corners = false convention), clamped at the borders. */
function bilinearTaps(sourceSize: number, targetSize: number): AxisTap[][] {
  const scale = sourceSize / targetSize;
  const taps: AxisTap[][] = [];
  for (let i = 0; i < targetSize; i++) {
    const position = Math.min(sourceSize - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const low = Math.floor(position);
    const high = Math.min(sourceSize - 1, low + 1);
    const fraction = position - low;
    taps.push(
      high === low || fraction === 0
        ? [{ source: low, weight: 1 }]
        : [
            { source: low, weight: 1 - fraction },
            { source: high, weight: fraction },
          ],
    );
  }
  return taps;
}
