import { randomBytes } from 'node:crypto';

/**
 * 128 random bits, base64url: unguessable and safe in URLs and file names. Never starting
 * with '-', which a command line would read as an option (`npm run export -- --study -x...`).
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

// Join codes are read aloud and typed by clinicians, so the alphabet leaves out 0/O and 1/I.
// 32 symbols make each character exactly 5 random bits (no modulo bias); 8 characters give
// 2^40 codes, plenty against collisions for one relay, and guessing must still be
// rate-limited by whoever serves the join endpoint.
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 8;

export function newJoinCode(): string {
  let code = '';
  for (const byte of randomBytes(JOIN_CODE_LENGTH)) code += JOIN_CODE_ALPHABET[byte & 31] ?? '';
  return code;
}

const JOIN_CODE_PATTERN = new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);

/**
 * What a person typed, as stored: case, spaces and dashes ignored (so "abcd-efgh" works when
 * the UI shows codes in two groups). Undefined when it cannot be a join code at all.
 */
export function normalizeJoinCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  return JOIN_CODE_PATTERN.test(code) ? code : undefined;
}
