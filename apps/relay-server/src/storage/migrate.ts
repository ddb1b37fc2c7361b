import { z } from 'zod';
import type { Database } from './database';
import { SchemaVersionError } from './errors';
import { decodeRow } from './row_codec';
import { systemClock, type Clock } from './clock';

/**
 * One schema step. Migrations are append-only: never edit one that has shipped, add the next
 * version instead. The SQL runs inside a transaction, so it must not contain BEGIN/COMMIT,
 * and cannot change `PRAGMA foreign_keys` (SQLite ignores that inside a transaction).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrationResult {
  /** Versions applied by this call, in order; empty when the schema was already current. */
  applied: number[];
  version: number;
}

const VersionRowSchema = z.object({ version: z.number().int().nullable() });

export function migrate(db: Database, migrations: readonly Migration[], now: Clock = systemClock): MigrationResult {
  assertOrdered(migrations);
  const knownVersion = migrations.at(-1)?.version ?? 0;

  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const readVersion = (): number =>
    decodeRow(VersionRowSchema, db.prepare('SELECT max(version) AS version FROM schema_migrations').get(), {
      table: 'schema_migrations',
    }).version ?? 0;
  const isApplied = db.prepare<[number]>('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare<[number, string, number]>('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');

  // Checked before touching anything: a newer relay's tables may hold data we would mangle.
  const found = readVersion();
  if (found > knownVersion) throw new SchemaVersionError(db.name, found, knownVersion);

  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= found) continue;
    // IMMEDIATE takes the write lock before re-checking, so two relays starting on the same
    // directory cannot both apply a step; the loser sees it applied and skips it.
    db.transaction(() => {
      if (isApplied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now());
      applied.push(migration.version);
    }).immediate();
  }
  return { applied, version: readVersion() };
}

function assertOrdered(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new RangeError(
        `Migration "${migration.name}" has version ${migration.version}; versions must be integers increasing from 1.`,
      );
    }
    previous = migration.version;
  }
}
