import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { closeDatabase, openDatabase, type Database } from '../storage/database';
import { StorageCorruptionError } from '../storage/errors';
import { readDatabaseFiles, useDatabase } from '../storage/test_support';
import { ensureResearcherToken, RESEARCHER_TOKEN_SETTING, resetResearcherToken, verifyResearcherToken } from './researcher_token';

// The real functions, watched: verification must not run scrypt synchronously.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, scrypt: vi.fn(actual.scrypt), scryptSync: vi.fn(actual.scryptSync) };
});

const { dataDir, withDb } = useDatabase();

/** withDb for a callback that awaits: the database stays open until it settles. */
async function withDbAsync<T>(use: (db: Database) => Promise<T>): Promise<T> {
  const db = openDatabase(dataDir());
  try {
    return await use(db);
  } finally {
    closeDatabase(db);
  }
}

function firstStartToken(db: Database): string {
  const result = ensureResearcherToken(db);
  if (!result.created) throw new Error('expected a first start');
  return result.token;
}

describe('researcher token', () => {
  it('is created on the first start only, and still verifies after a restart', async () => {
    const token = withDb(firstStartToken);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    await withDbAsync(async (db) => {
      expect(ensureResearcherToken(db)).toEqual({ created: false });
      expect(await verifyResearcherToken(db, token)).toBe(true);
    });
    withDb((db) => expect(ensureResearcherToken(db)).toEqual({ created: false }));
  });

  it('rejects wrong, altered, empty and non-string tokens', async () => {
    await withDbAsync(async (db) => {
      const token = firstStartToken(db);
      const otherDirectoryToken = 'A'.repeat(43);
      const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      for (const candidate of [otherDirectoryToken, flipped, token.slice(1), `${token} `, ` ${token}`, token.toLowerCase(), '', 'x'.repeat(100_000)]) {
        expect(await verifyResearcherToken(db, candidate)).toBe(false);
      }
      for (const candidate of [undefined, null, 0, 1, true, {}, [token], Buffer.from(token), { toString: () => token }, Symbol('token'), () => token]) {
        expect(await verifyResearcherToken(db, candidate)).toBe(false);
      }
      expect(await verifyResearcherToken(db, token)).toBe(true);
    });
  });

  it('verifies with scrypt on the thread pool, never synchronously on the event loop', async () => {
    await withDbAsync(async (db) => {
      const token = firstStartToken(db);
      vi.mocked(crypto.scrypt).mockClear();
      vi.mocked(crypto.scryptSync).mockClear();
      const verdicts = await Promise.all([verifyResearcherToken(db, token), verifyResearcherToken(db, 'A'.repeat(43))]);
      expect(verdicts).toEqual([true, false]);
      expect(crypto.scryptSync).not.toHaveBeenCalled();
      expect(crypto.scrypt).toHaveBeenCalledTimes(2);
    });
  });

  it('never stores the plaintext: only a salted scrypt hash with its parameters', () => {
    const dir = dataDir();
    const db = openDatabase(dir);
    let token: string;
    try {
      token = firstStartToken(db);
      const stored = JSON.parse(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(RESEARCHER_TOKEN_SETTING) as string) as Record<string, unknown>;
      expect(stored).toMatchObject({ algorithm: 'scrypt', N: 4096, r: 8, p: 1, keyLength: 32 });
      expect(stored.hash).not.toBe(token);
      // While the relay runs (database and WAL) ...
      expect(readDatabaseFiles(dir).includes(token)).toBe(false);
      expect(readDatabaseFiles(dir).includes(Buffer.from(token, 'base64url'))).toBe(false);
    } finally {
      closeDatabase(db);
    }
    // ... and after it stopped.
    const files = readDatabaseFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    expect(files.includes(token)).toBe(false);
    expect(files.includes(Buffer.from(token, 'base64url'))).toBe(false);
  });

  it('draws a fresh salt for every token', () => {
    const storedHash = (db: Database): { salt: string; hash: string } =>
      JSON.parse(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(RESEARCHER_TOKEN_SETTING) as string) as { salt: string; hash: string };
    const first = withDb((db) => (firstStartToken(db), storedHash(db)));
    const second = withDb((db) => (resetResearcherToken(db), storedHash(db)));
    expect(second.salt).not.toBe(first.salt);
    expect(second.hash).not.toBe(first.hash);
  });

  it('can be reset by the operator: the old token stops working, the new one works', async () => {
    const oldToken = withDb(firstStartToken);
    const newToken = withDb(resetResearcherToken);
    expect(newToken).not.toBe(oldToken);
    await withDbAsync(async (db) => {
      expect(await verifyResearcherToken(db, oldToken)).toBe(false);
      expect(await verifyResearcherToken(db, newToken)).toBe(true);
      expect(ensureResearcherToken(db)).toEqual({ created: false });
    });
  });

  it('reset also works on a directory that never had a token', async () => {
    await withDbAsync(async (db) => {
      const token = resetResearcherToken(db);
      expect(await verifyResearcherToken(db, token)).toBe(true);
      expect(ensureResearcherToken(db)).toEqual({ created: false });
    });
  });

  it('says so when start-up never created a token, or the stored hash is damaged', async () => {
    await withDbAsync(async (db) => {
      await expect(verifyResearcherToken(db, 'anything')).rejects.toThrow(/call ensureResearcherToken at start-up/);
      firstStartToken(db);
      db.prepare('UPDATE settings SET value = ? WHERE key = ?').run('{"algorithm": "md5"}', RESEARCHER_TOKEN_SETTING);
      await expect(verifyResearcherToken(db, 'anything')).rejects.toThrow(StorageCorruptionError);
      await expect(verifyResearcherToken(db, 'anything')).rejects.toThrow(/settings row "researcher_token" column value/);
    });
  });
});
