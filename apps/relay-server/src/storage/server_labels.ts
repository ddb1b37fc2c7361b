import { z } from 'zod';
import type { Database } from './database';
import { systemClock, type Clock } from './clock';
import { decodeRow } from './row_codec';

// The table of labels a researcher gives the relay for a vertical study whose server holds
// the labels (labelHolder 'server'). Kept as given (CSV text) and parsed by split-core's one
// rule when the study aligns; replaced, never merged, when given again.

export interface ServerLabelTable {
  idColumn: string;
  csv: string;
  rows: number;
}

const RowSchema = z.object({ id_column: z.string(), csv: z.string(), rows: z.number().int().nonnegative() });

export class ServerLabelRepository {
  readonly #db: Database;
  readonly #now: Clock;

  constructor(db: Database, options: { now?: Clock } = {}) {
    this.#db = db;
    this.#now = options.now ?? systemClock;
  }

  save(studyId: string, table: ServerLabelTable): void {
    this.#db
      .prepare(
        `INSERT INTO server_labels (study_id, id_column, csv, rows, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (study_id) DO UPDATE SET id_column = excluded.id_column, csv = excluded.csv, rows = excluded.rows, updated_at = excluded.updated_at`,
      )
      .run(studyId, table.idColumn, table.csv, table.rows, this.#now());
  }

  get(studyId: string): ServerLabelTable | undefined {
    const row: unknown = this.#db.prepare('SELECT id_column, csv, rows FROM server_labels WHERE study_id = ?').get(studyId);
    if (row === undefined) return undefined;
    const decoded = decodeRow(RowSchema, row, { table: 'server_labels', rowId: studyId });
    return { idColumn: decoded.id_column, csv: decoded.csv, rows: decoded.rows };
  }
}
