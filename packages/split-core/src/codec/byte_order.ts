// Raw 4-byte payloads (fp32 floats, int32 labels) are little-endian on the wire. On a
// little-endian host (every browser and Node platform in practice) they move with one memcpy;
// a big-endian host falls back to DataView, so the format never depends on the machine.

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads `count` little-endian 4-byte elements starting at `byteOffset` into a fresh array.
 * The payload copy is deliberate: a frame's payload sits at an arbitrary byte offset (after a
 * variable-length name, inside a socket.io Buffer whose own byteOffset is often odd), and a
 * Float32Array/Int32Array view needs 4-byte alignment; the copy also keeps the decoded tensor
 * from aliasing a network buffer that the transport may reuse.
 */
export function readRaw32LE<T extends Float32Array | Int32Array>(
  bytes: Uint8Array,
  byteOffset: number,
  target: T,
  hostIsLittleEndian: boolean = HOST_IS_LITTLE_ENDIAN,
): T {
  const byteLength = target.length * 4;
  if (hostIsLittleEndian) {
    new Uint8Array(target.buffer, target.byteOffset, byteLength).set(bytes.subarray(byteOffset, byteOffset + byteLength));
    return target;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, byteLength);
  if (target instanceof Float32Array) {
    for (let index = 0; index < target.length; index++) target[index] = view.getFloat32(index * 4, true);
  } else {
    for (let index = 0; index < target.length; index++) target[index] = view.getInt32(index * 4, true);
  }
  return target;
}

/** Writes the elements of `values` as little-endian 4-byte words into `out` at `byteOffset`. */
export function writeRaw32LE(
  values: Float32Array | Int32Array,
  out: Uint8Array,
  byteOffset: number,
  hostIsLittleEndian: boolean = HOST_IS_LITTLE_ENDIAN,
): void {
  if (hostIsLittleEndian) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), byteOffset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + byteOffset, values.length * 4);
  if (values instanceof Float32Array) {
    for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index] ?? 0, true);
  } else {
    for (let index = 0; index < values.length; index++) view.setInt32(index * 4, values[index] ?? 0, true);
  }
}
