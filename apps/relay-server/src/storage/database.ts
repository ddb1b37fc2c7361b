import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrate, type Migration } from './migrate';
import { MIGRATIONS } from './schema';

export type Database = BetterSqlite3.Database;

export const DATABASE_FILE_NAME = 'relay.sqlite';

export interface OpenDatabaseOptions {
  /** How long a write waits for another connection's lock before failing (SQLITE_BUSY). */
  busyTimeoutMs?: number;
  /** Tests substitute their own; the relay always uses the shipped MIGRATIONS. */
  migrations?: readonly Migration[];
}

/**
 * Opens `<dataDir>/relay.sqlite`, creating the directory and file on first start, and brings
 * the schema up to date. Throws SchemaVersionError (and leaves the file untouched) when the
 * database comes from a newer relay.
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE_NAME), { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    // WAL lets dashboard reads proceed while a round's metrics are written, and survives a
    // killed process without a rollback journal dance. It fails on some network filesystems;
    // better to say so at start-up than to run without it.
    const journalMode: unknown = db.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal') {
      throw new Error(
        `Could not switch ${db.name} to WAL mode (got ${String(journalMode)}); put --data-dir on a local disk.`,
      );
    }
    // In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Deleted rows otherwise linger in free pages of the file: a withdrawn participant's data
    // must really be gone, not just unreachable (measured: without it a deleted row's text
    // is still in relay.sqlite after close).
    db.pragma('secure_delete = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function closeDatabase(db: Database): void {
  if (!db.open) return;
  // Recommended by SQLite before closing a long-lived connection: refreshes query-planner stats.
  db.pragma('optimize');
  db.close();
}
