import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, DATABASE_FILE_NAME, openDatabase } from './database';
import { SchemaVersionError } from './errors';
import { migrate, type Migration } from './migrate';
import { MIGRATIONS } from './schema';
import { useDataDir } from './test_support';

const dataDir = useDataDir();

function appliedVersions(dir: string, migrations?: readonly Migration[]): number[] {
  const db = openDatabase(dir, migrations === undefined ? {} : { migrations });
  try {
    return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  } finally {
    closeDatabase(db);
  }
}

const first: Migration = { version: 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;' };
const second: Migration = { version: 2, name: 'tags', sql: 'CREATE TABLE tags (name TEXT PRIMARY KEY) STRICT;' };

describe('openDatabase', () => {
  it('creates the data directory and opens relay.sqlite in WAL mode with foreign keys and a busy timeout', () => {
    const dir = join(dataDir(), 'nested', 'data');
    const db = openDatabase(dir, { busyTimeoutMs: 1234 });
    try {
      expect(existsSync(join(dir, DATABASE_FILE_NAME))).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    } finally {
      closeDatabase(db);
    }
  });

  it('keeps the data folder private to the relay user (0700) and its database files 0600, also when the folder existed with wider permissions', () => {
    const dir = join(dataDir(), 'shared-before');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const db = openDatabase(dir);
    try {
      db.exec('CREATE TABLE IF NOT EXISTS probe (x INTEGER)');
      db.prepare('INSERT INTO probe VALUES (1)').run();
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(dir)) expect({ name, mode: statSync(join(dir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      expect(readdirSync(dir)).toContain(`${DATABASE_FILE_NAME}-wal`);
    } finally {
      closeDatabase(db);
    }
  });

  it('applies the shipped migrations once, however often it is reopened', () => {
    const latest = MIGRATIONS.map((migration) => migration.version);
    expect(appliedVersions(dataDir())).toEqual(latest);
    // The shipped SQL uses plain CREATE TABLE: running it a second time would throw.
    expect(appliedVersions(dataDir())).toEqual(latest);
    const db = openDatabase(dataDir());
    try {
      expect(migrate(db, MIGRATIONS)).toEqual({ applied: [], version: latest.at(-1) });
    } finally {
      closeDatabase(db);
    }
  });

  it('applies only the migrations a database does not have yet', () => {
    expect(appliedVersions(dataDir(), [first])).toEqual([1]);
    const db = openDatabase(dataDir(), { migrations: [first] });
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('kept across the upgrade');
    closeDatabase(db);

    const upgraded = openDatabase(dataDir(), { migrations: [first, second] });
    try {
      expect(upgraded.prepare('SELECT body FROM notes').pluck().all()).toEqual(['kept across the upgrade']);
      expect(upgraded.prepare("SELECT name FROM sqlite_master WHERE name = 'tags'").pluck().get()).toBe('tags');
      expect(upgraded.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2]);
    } finally {
      closeDatabase(upgraded);
    }
  });

  it('rolls a failing migration back completely and applies it once fixed', () => {
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE tags (name TEXT) STRICT; CREATE TABLE oops (;' };
    expect(() => openDatabase(dataDir(), { migrations: [first, broken] })).toThrow(/syntax error/);
    // Migration 1 committed on its own; none of migration 2 did, not even its first statement.
    expect(appliedVersions(dataDir(), [first])).toEqual([1]);
    const db = openDatabase(dataDir(), { migrations: [first] });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'tags'").pluck().get()).toBe(0);
    closeDatabase(db);
    expect(appliedVersions(dataDir(), [first, second])).toEqual([1, 2]);
  });

  it('refuses a database written by a newer relay, with a clear message, and leaves it untouched', () => {
    const db = openDatabase(dataDir());
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('from the future');
    closeDatabase(db);

    let refusal: unknown;
    try {
      openDatabase(dataDir());
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(SchemaVersionError);
    expect((refusal as SchemaVersionError).message).toMatch(new RegExp(`schema version 999.*only knows versions up to ${MIGRATIONS.at(-1)?.version}.*newer relay`));
    // A relay that knows version 999 still finds its database as it left it.
    expect(appliedVersions(dataDir(), [...MIGRATIONS, { version: 999, name: 'from the future', sql: '' }])).toEqual([...MIGRATIONS.map((migration) => migration.version), 999]);
  });

  it('refuses migration lists that are not strictly increasing', () => {
    expect(() => openDatabase(dataDir(), { migrations: [second, first] })).toThrow(/versions must be integers increasing/);
    expect(() => openDatabase(dataDir(), { migrations: [first, { ...second, version: 1 }] })).toThrow(/increasing/);
  });

  it('closeDatabase can be called twice', () => {
    const db = openDatabase(dataDir());
    closeDatabase(db);
    expect(() => closeDatabase(db)).not.toThrow();
    expect(db.open).toBe(false);
  });
});
