import { z } from 'zod';
import type { Database } from './database';
import { systemClock, type Clock } from './clock';
import { decodeJsonColumn, decodeRow, encodeJson, type JsonValue } from './row_codec';

// Relay-wide key/value settings (the researcher token's hash, for one). Values are JSON,
// validated against the caller's schema when read.

const SettingRowSchema = z.object({ value: z.string() });

export function readSetting<T>(db: Database, key: string, schema: z.ZodType<T>): T | undefined {
  const row: unknown = db.prepare('SELECT value FROM settings WHERE key = ?').get(key);
  if (row === undefined) return undefined;
  const location = { table: 'settings', rowId: key, column: 'value' };
  return decodeJsonColumn(schema, decodeRow(SettingRowSchema, row, location).value, location);
}

/** False when the key already has a value: two relays starting at once cannot both win. */
export function insertSettingIfAbsent(db: Database, key: string, value: JsonValue, now: Clock = systemClock): boolean {
  return (
    db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING')
      .run(key, encodeJson(value, `setting ${key}`), now()).changes > 0
  );
}

export function writeSetting(db: Database, key: string, value: JsonValue, now: Clock = systemClock): void {
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, encodeJson(value, `setting ${key}`), now());
}
