// The study key that encrypts a round-robin study's hand-off end to end (sealed_handoff.ts).
// The researcher makes it and gives it to participants in the invite link's fragment
// (`/join/CODE#key=...`, which browsers never send to a server) or to type in; the relay
// stores only its check, a hash from which the key cannot be recovered, so that a participant
// holding a wrong key is told before it joins rather than when a hand-off fails to open.

const KEY_BYTES = 32;
const CHECK_BYTES = 16;
const CHECK_CONTEXT = new TextEncoder().encode('splitnn study key check\0');

/** A study key as text: 32 random bytes, base64url without padding. */
export const STUDY_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A study key's check as the study configuration stores it. */
export const STUDY_KEY_CHECK_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export class StudyKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudyKeyError';
  }
}

/** WebCrypto: Node's global one or the page's (which exists only on https or localhost). */
export function webCrypto(): Crypto {
  const crypto = globalThis.crypto as Crypto | undefined;
  if (!crypto?.subtle) throw new StudyKeyError('this page cannot encrypt: the browser offers WebCrypto only on https:// or http://localhost pages; open the relay by such an address');
  return crypto;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** A new random study key. */
export function generateStudyKey(): string {
  return toBase64Url(webCrypto().getRandomValues(new Uint8Array(KEY_BYTES)));
}

/** The key's bytes, or a plain refusal of text that is not a study key (a truncated paste, a join code). */
export function studyKeyBytes(key: string): Uint8Array<ArrayBuffer> {
  const text = key.trim();
  if (!STUDY_KEY_PATTERN.test(text)) throw new StudyKeyError(`that is not a study key: a key is 43 letters, digits, - and _ (got ${text.length} characters); copy it again from the researcher's invite link, after #key=`);
  return fromBase64Url(text);
}

/** The check the study stores: the first 16 bytes of SHA-256 over a fixed context and the key. */
export async function studyKeyCheck(key: string): Promise<string> {
  const bytes = studyKeyBytes(key);
  const input = new Uint8Array(CHECK_CONTEXT.length + bytes.length);
  input.set(CHECK_CONTEXT);
  input.set(bytes, CHECK_CONTEXT.length);
  const digest = new Uint8Array(await webCrypto().subtle.digest('SHA-256', input));
  return toBase64Url(digest.subarray(0, CHECK_BYTES));
}

/** The key in a URL fragment such as `#key=...` (other fragment parameters allowed), if there is one. */
export function studyKeyFromFragment(fragment: string): string | undefined {
  const key = new URLSearchParams(fragment.replace(/^#/, '')).get('key');
  return key === null || key.trim() === '' ? undefined : key.trim();
}

/**
 * Why a participant cannot take part in a study's hand-off with this key (none given, not a
 * key, another study's), in words for the participant; undefined when it can, or when the
 * study's hand-off is not encrypted.
 */
export async function studyKeyProblem(handoffKeyCheck: string | undefined, key: string | undefined): Promise<string | undefined> {
  if (handoffKeyCheck === undefined) return undefined;
  if (key === undefined || key.trim() === '') return 'this study’s hand-off is end-to-end encrypted with a study key, and none was given: open the researcher’s full invite link (the key follows #key= in it) or enter the key they gave you';
  try {
    if ((await studyKeyCheck(key)) !== handoffKeyCheck) return 'this study key is not the study’s: check the invite link or the key with the researcher';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}
