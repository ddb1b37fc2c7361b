// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
// segment per byte plane, most significant plane first. Simple enough to read without a codec.

/** One greyscale frame's samples as little-endian bytes (`bytesPerSample` each). */
export function decodeRle(encoded: Uint8Array, pixels: number, bytesPerSample: number): Uint8Array {
  if (encoded.length < 64) throw new Error(`RLE frame of ${encoded.length} bytes is shorter than its 64-byte header`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== bytesPerSample) throw new Error(`RLE frame has ${segments} segments, a greyscale image of ${bytesPerSample * 8} bits needs ${bytesPerSample}`);
  const out = new Uint8Array(pixels * bytesPerSample);
  for (let segment = 0; segment < segments; segment++) {
    const start = view.getUint32(4 + 4 * segment, true);
    const end = segment + 1 < segments ? view.getUint32(8 + 4 * segment, true) : encoded.length;
    if (start < 64 || end > encoded.length || start > end) throw new Error(`RLE segment ${segment} lies outside the frame (${start} to ${end} of ${encoded.length} bytes)`);
    const byte = bytesPerSample - 1 - segment;
    let at = start;
    let pixel = 0;
    while (at < end && pixel < pixels) {
      const header = encoded[at++] as number;
      if (header < 128) {
        // A literal run of header + 1 bytes.
        for (let k = 0; k <= header && pixel < pixels && at < end; k++) out[pixel++ * bytesPerSample + byte] = encoded[at++] as number;
      } else if (header > 128) {
        // One byte repeated 257 - header times.
        const value = encoded[at++] as number;
        for (let k = 0; k < 257 - header && pixel < pixels; k++) out[pixel++ * bytesPerSample + byte] = value;
      }
      // 128 is a no-op.
    }
    if (pixel < pixels) throw new Error(`RLE segment ${segment} ends after ${pixel} of ${pixels} pixels`);
  }
  return out;
}
