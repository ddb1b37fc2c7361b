import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Resume tokens let a reloaded page rejoin as the same participant. They are 256 random
// bits, so a plain SHA-256 is enough to make a leaked database useless for impersonation:
// there is no dictionary to try. (Researcher tokens use scrypt; see auth/researcher_token.ts.)

export function newResumeToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashResumeToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time in the token's content; `expected` absent still costs one comparison. */
export function resumeTokenMatches(token: unknown, expected: Uint8Array | undefined): boolean {
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) return false;
  const actual = hashResumeToken(token);
  const reference = expected !== undefined && expected.length === actual.length ? expected : Buffer.alloc(actual.length);
  return timingSafeEqual(actual, reference) && expected === reference;
}
