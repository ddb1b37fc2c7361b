import { z } from 'zod';
import type { Database } from './database';
import { systemClock, type Clock } from './clock';
import { newId, newJoinCode, normalizeJoinCode } from './ids';
import { decodeJsonColumn, decodeRow, encodeJson, rowIdOf, sqliteBoolean } from './row_codec';

export const STUDY_STATES = ['open', 'training', 'paused', 'finished'] as const;
export type StudyState = (typeof STUDY_STATES)[number];

export interface Study<Config> {
  id: string;
  name: string;
  config: Config;
  state: StudyState;
  /** The round the study is in; after a restart the relay resumes (or pauses) from here. */
  round: number;
  joinCode: string;
  /** A revoked code no longer resolves; regenerating issues a fresh one. */
  joinCodeRevoked: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewStudy<Config> {
  name: string;
  config: Config;
  state?: StudyState;
  round?: number;
}

export interface StudyChanges<Config = unknown> {
  name?: string;
  state?: StudyState;
  round?: number;
  /** A running study's changed settings (schedule, codec); validated with the config schema. */
  config?: Config;
}

export interface StudyRepositoryOptions {
  now?: Clock;
  /** Tests force collisions with it; the relay uses random codes. */
  newJoinCode?: () => string;
}

const StudyRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  config: z.string(),
  state: z.enum(STUDY_STATES),
  round: z.number().int().nonnegative(),
  join_code: z.string(),
  join_code_revoked: sqliteBoolean,
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

const roundSchema = z.number().int().nonnegative();
const nameSchema = z.string().trim().min(1).max(200);

// A fresh random code collides with probability ~studies/2^40; a few retries are plenty.
const JOIN_CODE_ATTEMPTS = 5;

/**
 * Studies and their join codes. The config is opaque here: the caller passes the schema it
 * is validated with (split-core's StudyConfigSchema in the relay), which runs on the way in
 * (defaults applied; the parsed output is stored) and again on every read, so a hand-edited
 * config is reported instead of trusted. The schema's output must therefore parse as its input.
 */
export class StudyRepository<Config> {
  readonly #db: Database;
  // Input typed unknown so schemas with defaults (whose input type differs) fit the one type parameter.
  readonly #configSchema: z.ZodType<Config, unknown>;
  readonly #now: Clock;
  readonly #newJoinCode: () => string;

  constructor(db: Database, configSchema: z.ZodType<Config, unknown>, options: StudyRepositoryOptions = {}) {
    this.#db = db;
    this.#configSchema = configSchema;
    this.#now = options.now ?? systemClock;
    this.#newJoinCode = options.newJoinCode ?? newJoinCode;
  }

  create(input: NewStudy<Config>): Study<Config> {
    const id = newId();
    const name = nameSchema.parse(input.name);
    const config = encodeJson(this.#configSchema.parse(input.config), 'study config');
    const state = z.enum(STUDY_STATES).parse(input.state ?? 'open');
    const round = roundSchema.parse(input.round ?? 0);
    const now = this.#now();
    const insert = this.#db.prepare(
      `INSERT INTO studies (id, name, config, state, round, join_code, join_code_revoked, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    );
    this.#withFreshJoinCode((joinCode) => insert.run(id, name, config, state, round, joinCode, now, now));
    return this.#mustGet(id);
  }

  get(id: string): Study<Config> | undefined {
    return this.#decode(this.#db.prepare('SELECT * FROM studies WHERE id = ?').get(id));
  }

  /** Undefined for unknown, malformed and revoked codes alike: a joiner learns nothing more. */
  getByJoinCode(typed: string): Study<Config> | undefined {
    const joinCode = normalizeJoinCode(typed);
    if (joinCode === undefined) return undefined;
    return this.#decode(
      this.#db.prepare('SELECT * FROM studies WHERE join_code = ? AND join_code_revoked = 0').get(joinCode),
    );
  }

  /** Oldest first. */
  list(filter: { state?: StudyState } = {}): Array<Study<Config>> {
    const rows =
      filter.state === undefined
        ? this.#db.prepare('SELECT * FROM studies ORDER BY created_at, id').all()
        : this.#db.prepare('SELECT * FROM studies WHERE state = ? ORDER BY created_at, id').all(filter.state);
    return rows.map((row) => this.#decodeRow(row));
  }

  /**
   * Stores the study's progress. Which transitions are legal is the caller's state machine;
   * this only refuses values the schema cannot hold. Undefined when the study does not exist.
   */
  update(id: string, changes: StudyChanges<Config>): Study<Config> | undefined {
    const current = this.get(id);
    if (current === undefined) return undefined;
    const name = changes.name === undefined ? current.name : nameSchema.parse(changes.name);
    const state = changes.state === undefined ? current.state : z.enum(STUDY_STATES).parse(changes.state);
    const round = changes.round === undefined ? current.round : roundSchema.parse(changes.round);
    const config = encodeJson(changes.config === undefined ? current.config : this.#configSchema.parse(changes.config), 'study config');
    this.#db
      .prepare('UPDATE studies SET name = ?, state = ?, round = ?, config = ?, updated_at = ? WHERE id = ?')
      .run(name, state, round, config, this.#now(), id);
    return this.#mustGet(id);
  }

  revokeJoinCode(id: string): Study<Config> | undefined {
    const result = this.#db
      .prepare('UPDATE studies SET join_code_revoked = 1, updated_at = ? WHERE id = ?')
      .run(this.#now(), id);
    return result.changes === 0 ? undefined : this.#mustGet(id);
  }

  /** A new code replaces the old one (which therefore stops resolving) and is active. */
  regenerateJoinCode(id: string): Study<Config> | undefined {
    const update = this.#db.prepare(
      'UPDATE studies SET join_code = ?, join_code_revoked = 0, updated_at = ? WHERE id = ?',
    );
    const now = this.#now();
    const result = this.#withFreshJoinCode((joinCode) => update.run(joinCode, now, id));
    return result.changes === 0 ? undefined : this.#mustGet(id);
  }

  /**
   * Deletes the study with its participants and metrics (foreign-key cascade). Audit lines
   * stay, but details about its participants are redacted as on withdrawal. Checkpoint files
   * are not in the database: delete them with CheckpointStore.deleteStudy.
   */
  delete(id: string): boolean {
    const deleted = this.#db.transaction(() => {
      this.#db
        .prepare(
          `UPDATE audit_log SET details = NULL, participant_id = NULL
           WHERE participant_id IN (SELECT id FROM participants WHERE study_id = ?)`,
        )
        .run(id);
      return this.#db.prepare('DELETE FROM studies WHERE id = ?').run(id).changes > 0;
    })();
    // As on withdrawal: drop the WAL's older page images of the deleted participants.
    if (deleted) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return deleted;
  }

  #withFreshJoinCode<T>(write: (joinCode: string) => T): T {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return write(this.#newJoinCode());
      } catch (error) {
        if (attempt >= JOIN_CODE_ATTEMPTS || !isJoinCodeCollision(error)) throw error;
      }
    }
  }

  #mustGet(id: string): Study<Config> {
    const study = this.get(id);
    if (study === undefined) throw new Error(`Study ${id} vanished while being written.`);
    return study;
  }

  #decode(row: unknown): Study<Config> | undefined {
    return row === undefined ? undefined : this.#decodeRow(row);
  }

  #decodeRow(row: unknown): Study<Config> {
    const location = { table: 'studies', rowId: rowIdOf(row) };
    const stored = decodeRow(StudyRowSchema, row, location);
    return {
      id: stored.id,
      name: stored.name,
      config: decodeJsonColumn(this.#configSchema, stored.config, { ...location, column: 'config' }),
      state: stored.state,
      round: stored.round,
      joinCode: stored.join_code,
      joinCodeRevoked: stored.join_code_revoked,
      createdAt: stored.created_at,
      updatedAt: stored.updated_at,
    };
  }
}

function isJoinCodeCollision(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    error.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes('studies.join_code')
  );
}
