import type { DicomImageHeader } from './dicom_header';

// Stored pixel values -> what a radiologist would see, in [0, 1]: the modality rescale
// (slope, intercept), then the header's first VOI window (PS3.3 C.11.2.1.2, linear), or,
// without one, a robust min-max (the 0.5th to 99.5th percentile, so a few burnt-in or dead
// pixels do not flatten the rest); MONOCHROME1 (bright = low values) is inverted last.

/** Share of pixels ignored at either end by the min-max stretch. */
const ROBUST_TAIL = 0.005;

/** The samples of one frame (little-endian bytes) as stored values, sign-extended or masked to BitsStored. */
export function storedValues(bytes: Uint8Array, header: Pick<DicomImageHeader, 'bitsAllocated' | 'bitsStored' | 'pixelRepresentation'>, pixels: number, bigEndian = false): Int32Array {
  const bytesPerSample = header.bitsAllocated / 8;
  if (bytes.length < pixels * bytesPerSample) throw new Error(`the frame holds ${bytes.length} bytes, ${pixels} pixels of ${header.bitsAllocated} bits need ${pixels * bytesPerSample}`);
  const shift = 32 - header.bitsStored;
  const mask = header.bitsStored >= 32 ? -1 : (1 << header.bitsStored) - 1;
  const out = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const raw = bytesPerSample === 1 ? (bytes[i] as number) : bigEndian ? ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number) : (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
    out[i] = header.pixelRepresentation === 1 ? (raw << shift) >> shift : raw & mask;
  }
  return out;
}

/** Display values in [0, 1] of one frame's stored values. */
export function displayValues(stored: Int32Array, header: Pick<DicomImageHeader, 'rescaleSlope' | 'rescaleIntercept' | 'window' | 'photometric'>): Float32Array {
  const { rescaleSlope: slope, rescaleIntercept: intercept, window } = header;
  const out = new Float32Array(stored.length);
  if (window) {
    // The standard's linear VOI function: below c - 0.5 - (w - 1) / 2 black, above c - 0.5 + (w - 1) / 2 white.
    const { center, width } = window;
    const low = center - 0.5 - (width - 1) / 2;
    const high = center - 0.5 + (width - 1) / 2;
    for (let i = 0; i < stored.length; i++) {
      const value = (stored[i] as number) * slope + intercept;
      out[i] = value <= low ? 0 : value > high ? 1 : width > 1 ? (value - (center - 0.5)) / (width - 1) + 0.5 : 1;
    }
  } else {
    const sorted = Float64Array.from(stored, (value) => value * slope + intercept).sort();
    const low = sorted[Math.floor(ROBUST_TAIL * (sorted.length - 1))] as number;
    const high = sorted[Math.ceil((1 - ROBUST_TAIL) * (sorted.length - 1))] as number;
    const range = high - low;
    for (let i = 0; i < stored.length; i++) {
      const value = (stored[i] as number) * slope + intercept;
      out[i] = range > 0 ? Math.min(1, Math.max(0, (value - low) / range)) : 0;
    }
  }
  if (header.photometric === 'MONOCHROME1') for (let i = 0; i < out.length; i++) out[i] = 1 - (out[i] as number);
  return out;
}
