import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../storage/database';
import { insertSettingIfAbsent, readSetting, writeSetting } from '../storage/settings';

// The researcher token guards creating and controlling studies. Only a salted scrypt hash is
// stored, so a copied data directory does not hand out control of the relay.
//
// The token is 256 random bits, so nobody can guess it whatever the hash cost; scrypt is
// here for defence in depth. The cost is therefore kept low (N = 2^12, about 4 MiB and a few
// milliseconds per check) because every researcher request pays it. Verification runs on
// libuv's thread pool (async scrypt), so a burst of requests with made-up tokens does not
// stall the event loop that relays the participants' frames; the HTTP layer also limits
// failed attempts per address. Issuing a token (start-up, reset) stays synchronous: it runs
// once, before the relay serves anything. The parameters are stored with the hash, so
// raising them later only needs a reset.

export const RESEARCHER_TOKEN_SETTING = 'researcher_token';

const SCRYPT_PARAMETERS = { N: 2 ** 12, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const TOKEN_BYTES = 32;
/** Longer input is not a token this relay issued; refusing it early caps the work an anonymous caller can cause. */
const MAX_TOKEN_LENGTH = 256;

const StoredTokenSchema = z.object({
  algorithm: z.literal('scrypt'),
  N: z.number().int().min(2).max(2 ** 20),
  r: z.number().int().min(1).max(64),
  p: z.number().int().min(1).max(16),
  keyLength: z.number().int().min(16).max(128),
  salt: z.base64url().min(16),
  hash: z.base64url().min(16),
  createdAt: z.number().int(),
});
type StoredToken = z.infer<typeof StoredTokenSchema>;

export type EnsureResearcherTokenResult = { created: true; token: string } | { created: false };

/**
 * Call once at start-up. On the first start of a data directory it creates the token and
 * returns it, the only time the plaintext exists: the relay prints it for the operator.
 * Afterwards it returns `{ created: false }`.
 */
export function ensureResearcherToken(db: Database): EnsureResearcherTokenResult {
  const { token, stored } = issueToken();
  return insertSettingIfAbsent(db, RESEARCHER_TOKEN_SETTING, stored) ? { created: true, token } : { created: false };
}

/**
 * For an operator who lost the token (the relay's `--reset-researcher-token` flag): replaces
 * it and returns the new plaintext once. The old token stops working immediately.
 */
export function resetResearcherToken(db: Database): string {
  const { token, stored } = issueToken();
  writeSetting(db, RESEARCHER_TOKEN_SETTING, stored);
  return token;
}

/**
 * True only for the current researcher token. Anything else, including non-strings, empty
 * or oversized input, is false. The comparison is constant-time in the hash.
 * Rejects if no token was ever created (call ensureResearcherToken at start-up) or the stored
 * hash is damaged: those are operator problems, not a wrong guess.
 */
export async function verifyResearcherToken(db: Database, token: unknown): Promise<boolean> {
  const stored = readSetting(db, RESEARCHER_TOKEN_SETTING, StoredTokenSchema);
  if (stored === undefined) {
    throw new Error('No researcher token has been created for this data directory; call ensureResearcherToken at start-up.');
  }
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = await deriveOffLoop(token, Buffer.from(stored.salt, 'base64url'), stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function issueToken(): { token: string; stored: StoredToken } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const salt = randomBytes(16);
  const parameters = { ...SCRYPT_PARAMETERS, keyLength: KEY_LENGTH };
  const stored: StoredToken = {
    algorithm: 'scrypt',
    ...parameters,
    salt: salt.toString('base64url'),
    hash: derive(token, salt, parameters).toString('base64url'),
    createdAt: Date.now(),
  };
  return { token, stored };
}

type ScryptParameters = Pick<StoredToken, 'N' | 'r' | 'p' | 'keyLength'>;

function scryptOptions({ N, r, p }: ScryptParameters): ScryptOptions {
  // Node refuses scrypt above 32 MiB by default; allow what the stored parameters need.
  return { N, r, p, maxmem: 256 * N * r * p };
}

function derive(token: string, salt: Buffer, parameters: ScryptParameters): Buffer {
  return scryptSync(token, salt, parameters.keyLength, scryptOptions(parameters));
}

function deriveOffLoop(token: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(token, salt, parameters.keyLength, scryptOptions(parameters), (error, key) => (error ? reject(error) : resolve(key)));
  });
}
