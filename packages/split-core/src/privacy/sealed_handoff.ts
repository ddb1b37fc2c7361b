import type { NamedWeight } from '../model/weights';
import { studyKeyBytes, webCrypto } from './study_key';

// Round-robin hand-off, encrypted end to end: a participant seals each client-segment weight
// bundle with the study key (AES-GCM, a fresh 96-bit nonce per bundle) before it leaves, and
// the next participant opens it. The relay forwards and checkpoints the sealed bytes as they
// are; it never holds the key. The study and the segment index are authenticated with each
// bundle, so a sealed segment cannot be replayed into another study or slot.

const MAGIC = new TextEncoder().encode('SLH1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** What sealing adds to a bundle: magic, nonce and tag (AES-GCM's ciphertext is as long as its plaintext). */
export const SEALED_OVERHEAD_BYTES = MAGIC.length + NONCE_BYTES + TAG_BYTES;
/** The smallest sealed bundle: the overhead around an empty plaintext. */
const MIN_SEALED_BYTES = SEALED_OVERHEAD_BYTES;

/** Whether bytes are a sealed hand-off bundle (by their header; only the key proves it). */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.byteLength >= MIN_SEALED_BYTES && MAGIC.every((byte, i) => bytes[i] === byte);
}

export class HandoffSealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandoffSealError';
  }
}

export interface HandoffCipher {
  /** The encoded weights of client segment `segment`, sealed for the next participant. */
  seal(bundle: Uint8Array, segment: number): Promise<Uint8Array>;
  /** The encoded weights inside a sealed bundle, or a HandoffSealError saying why not. */
  open(sealed: Uint8Array, segment: number): Promise<Uint8Array>;
}

/** WebCrypto takes bytes over an ArrayBuffer (not a SharedArrayBuffer). */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function associatedData(studyId: string, segment: number): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`splitnn hand-off\0${studyId}\0segment ${segment}`);
}

/** The cipher of one study's hand-off under its key. */
export async function handoffCipher(key: string, studyId: string): Promise<HandoffCipher> {
  const crypto = webCrypto();
  const secret = await crypto.subtle.importKey('raw', owned(studyKeyBytes(key)), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return {
    async seal(bundle, segment) {
      const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: associatedData(studyId, segment) }, secret, owned(bundle)));
      const sealed = new Uint8Array(MAGIC.length + NONCE_BYTES + ciphertext.length);
      sealed.set(MAGIC);
      sealed.set(nonce, MAGIC.length);
      sealed.set(ciphertext, MAGIC.length + NONCE_BYTES);
      return sealed;
    },
    async open(sealed, segment) {
      if (!isSealed(sealed)) throw new HandoffSealError('the hand-off weights arrived unencrypted in a study whose hand-off is end-to-end encrypted: they were not loaded; tell the researcher');
      const bytes = owned(sealed);
      const nonce = bytes.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
      try {
        return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: associatedData(studyId, segment) }, secret, bytes.subarray(MAGIC.length + NONCE_BYTES)));
      } catch {
        throw new HandoffSealError('the hand-off weights could not be decrypted with this study key: they were sealed with another key, or altered on the way; they were not loaded');
      }
    },
  };
}

// The relay carries sealed bundles through the schedules, which move weights as NamedWeight
// sets, in a carrier of its own: the bytes two to a value (whole numbers below 65536, which
// every float32 path keeps exactly), named after their length. Digests of carriers differ
// whenever the bytes do, so the relay never mistakes one hand-off for another.

const CARRIER_PREFIX = 'sealed-handoff/';

/** A sealed bundle as the relay's schedules carry it. */
export function sealedSegment(bytes: Uint8Array): NamedWeight[] {
  const values = new Float32Array(Math.ceil(bytes.byteLength / 2));
  for (let i = 0; i < values.length; i++) values[i] = (bytes[2 * i] ?? 0) + 256 * (bytes[2 * i + 1] ?? 0);
  return [{ name: `${CARRIER_PREFIX}${bytes.byteLength}`, shape: [values.length], values }];
}

/** The sealed bundle a carrier holds, or undefined for weights in the clear. */
export function sealedBytes(segment: readonly NamedWeight[]): Uint8Array | undefined {
  const [carrier] = segment;
  if (segment.length !== 1 || !carrier?.name.startsWith(CARRIER_PREFIX)) return undefined;
  const length = Number(carrier.name.slice(CARRIER_PREFIX.length));
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const value = carrier.values[i >> 1] ?? 0;
    bytes[i] = i % 2 === 0 ? value % 256 : Math.floor(value / 256);
  }
  return bytes;
}
