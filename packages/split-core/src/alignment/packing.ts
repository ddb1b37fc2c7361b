import { PsiError } from './psi_party';

// Lists of fixed-size items (blinded points, tags) travel as one binary attachment: n items
// back to back. A count is checked against the bytes before anything is sliced.

export function packPoints(items: readonly Uint8Array[], itemBytes: number): Uint8Array {
  const out = new Uint8Array(items.length * itemBytes);
  items.forEach((item, i) => {
    if (item.length !== itemBytes) throw new PsiError(`item ${i} has ${item.length} bytes, not ${itemBytes}`);
    out.set(item, i * itemBytes);
  });
  return out;
}

export function unpackPoints(bytes: Uint8Array, itemBytes: number, maxItems: number): Uint8Array[] {
  if (bytes.length % itemBytes !== 0) throw new PsiError(`${bytes.length} bytes are not a whole number of ${itemBytes}-byte items`);
  const count = bytes.length / itemBytes;
  if (count > maxItems) throw new PsiError(`${count} items, over the limit of ${maxItems}`);
  return Array.from({ length: count }, (_, i) => bytes.slice(i * itemBytes, (i + 1) * itemBytes));
}
