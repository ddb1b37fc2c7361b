import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Database } from '../storage/database';
import { StorageCorruptionError } from '../storage/errors';
import { readDatabaseFiles, useDatabase } from '../storage/test_support';
import { ensureResearcherToken, RESEARCHER_TOKEN_SETTING, resetResearcherToken, verifyResearcherToken } from './researcher_token';

const { dataDir, withDb } = useDatabase();

function firstStartToken(db: Database): string {
  const result = ensureResearcherToken(db);
  if (!result.created) throw new Error('expected a first start');
  return result.token;
}

describe('researcher token', () => {
  it('is created on the first start only, and still verifies after a restart', () => {
    const token = withDb(firstStartToken);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    withDb((db) => {
      expect(ensureResearcherToken(db)).toEqual({ created: false });
      expect(verifyResearcherToken(db, token)).toBe(true);
    });
    withDb((db) => expect(ensureResearcherToken(db)).toEqual({ created: false }));
  });

  it('rejects wrong, altered, empty and non-string tokens', () => {
    withDb((db) => {
      const token = firstStartToken(db);
      const otherDirectoryToken = 'A'.repeat(43);
      const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      for (const candidate of [otherDirectoryToken, flipped, token.slice(1), `${token} `, ` ${token}`, token.toLowerCase(), '', 'x'.repeat(100_000)]) {
        expect(verifyResearcherToken(db, candidate)).toBe(false);
      }
      for (const candidate of [undefined, null, 0, 1, true, {}, [token], Buffer.from(token), { toString: () => token }, Symbol('token'), () => token]) {
        expect(verifyResearcherToken(db, candidate)).toBe(false);
      }
      expect(verifyResearcherToken(db, token)).toBe(true);
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

  it('can be reset by the operator: the old token stops working, the new one works', () => {
    const oldToken = withDb(firstStartToken);
    const newToken = withDb(resetResearcherToken);
    expect(newToken).not.toBe(oldToken);
    withDb((db) => {
      expect(verifyResearcherToken(db, oldToken)).toBe(false);
      expect(verifyResearcherToken(db, newToken)).toBe(true);
      expect(ensureResearcherToken(db)).toEqual({ created: false });
    });
  });

  it('reset also works on a directory that never had a token', () => {
    withDb((db) => {
      const token = resetResearcherToken(db);
      expect(verifyResearcherToken(db, token)).toBe(true);
      expect(ensureResearcherToken(db)).toEqual({ created: false });
    });
  });

  it('says so when start-up never created a token, or the stored hash is damaged', () => {
    withDb((db) => {
      expect(() => verifyResearcherToken(db, 'anything')).toThrow(/call ensureResearcherToken at start-up/);
      firstStartToken(db);
      db.prepare('UPDATE settings SET value = ? WHERE key = ?').run('{"algorithm": "md5"}', RESEARCHER_TOKEN_SETTING);
      expect(() => verifyResearcherToken(db, 'anything')).toThrow(StorageCorruptionError);
      expect(() => verifyResearcherToken(db, 'anything')).toThrow(/settings row "researcher_token" column value/);
    });
  });
});
