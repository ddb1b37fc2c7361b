import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { closeDatabase, openDatabase, type Database } from './database';

// Shared by the storage and auth tests (not part of the public API): every test gets its own
// real data directory, removed afterwards.

export function useDataDir(): () => string {
  let dataDir: string | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'relay-storage-'));
  });
  afterEach(() => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });
  return () => {
    if (dataDir === undefined) throw new Error('useDataDir: only available inside a test.');
    return dataDir;
  };
}

/** Concatenated bytes of every file directly in `dataDir` (the database, its WAL and SHM). */
export function readDatabaseFiles(dataDir: string): Buffer {
  const files = readdirSync(dataDir).filter((name) => name.startsWith('relay.sqlite'));
  return Buffer.concat(files.map((name) => readFileSync(join(dataDir, name))));
}

/** A fresh data directory per test, and a way to open its database for the length of a callback. */
export function useDatabase(): { dataDir: () => string; withDb: <T>(use: (db: Database) => T) => T } {
  const dataDir = useDataDir();
  const withDb = <T>(use: (db: Database) => T): T => {
    const db = openDatabase(dataDir());
    try {
      return use(db);
    } finally {
      closeDatabase(db);
    }
  };
  return { dataDir, withDb };
}
