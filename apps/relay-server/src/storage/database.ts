import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrate, type Migration } from './migrate';
import { MIGRATIONS } from './schema';

export type Database = BetterSqlite3.Database;

export const DATABASE_FILE_NAME = 'relay.sqlite';
/** The data folder and everything the relay writes in it are private to the relay's user. */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

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
  // Patients' participation and the researcher token's hash live here: only the relay's own
  // user may read them, whatever the umask. SQLite gives its -wal and -shm files the main
  // file's permissions.
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dataDir, DATA_DIR_MODE);
  const file = join(dataDir, DATABASE_FILE_NAME);
  if (!existsSync(file)) closeSync(openSync(file, 'a', DATA_FILE_MODE));
  chmodSync(file, DATA_FILE_MODE);
  const db = new BetterSqlite3(file, { timeout: options.busyTimeoutMs ?? 5000 });
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
