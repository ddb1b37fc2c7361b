import { z } from 'zod';
import type { Database } from './database';
import { systemClock, type Clock } from './clock';
import { decodeJsonColumn, decodeRow, encodeJson, JsonValueSchema, rowIdOf, type JsonValue } from './row_codec';

export const AUDIT_ACTORS = ['researcher', 'participant', 'relay'] as const;
export type AuditActor = (typeof AUDIT_ACTORS)[number];

export interface AuditEntry {
  id: number;
  studyId: string | null;
  /** Set while the line is about a participant; cleared with its details when it withdraws. */
  participantId: string | null;
  actor: AuditActor;
  action: string;
  /** Null when there were none, or they were redacted on withdrawal. */
  details: JsonValue | null;
  at: number;
}

/**
 * `action` is a short fixed phrase ("study created", "join code revoked"). Anything that
 * identifies a person or a site belongs in `details` with `participantId` set, because that
 * is what withdrawal redacts; the action text is kept forever.
 */
export interface NewAuditEntry {
  studyId?: string | null;
  participantId?: string | null;
  actor: AuditActor;
  action: string;
  /** Serialized as JSON.stringify does (undefined members dropped, Dates as strings); NaN and Infinity are refused. */
  details?: unknown;
}

const AuditRowSchema = z.object({
  id: z.number().int(),
  study_id: z.string().nullable(),
  participant_id: z.string().nullable(),
  actor: z.enum(AUDIT_ACTORS),
  action: z.string(),
  details: z.string().nullable(),
  at: z.number().int(),
});

const NewAuditEntrySchema = z.object({
  studyId: z.string().min(1).nullable().default(null),
  participantId: z.string().min(1).nullable().default(null),
  actor: z.enum(AUDIT_ACTORS),
  action: z.string().trim().min(1).max(200),
});

const limitSchema = z.number().int().min(1).max(10_000);

/** Append-only (enforced by triggers in the schema): lines are added and read, never changed or removed. */
export class AuditLog {
  readonly #db: Database;
  readonly #now: Clock;

  constructor(db: Database, options: { now?: Clock } = {}) {
    this.#db = db;
    this.#now = options.now ?? systemClock;
  }

  append(entry: NewAuditEntry): AuditEntry {
    const { studyId, participantId, actor, action } = NewAuditEntrySchema.parse(entry);
    const details = entry.details === undefined ? null : encodeJson(entry.details, 'audit details');
    const row = this.#db
      .prepare(
        `INSERT INTO audit_log (study_id, participant_id, actor, action, details, at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(studyId, participantId, actor, action, details, this.#now());
    return decodeEntry(row);
  }

  /** Newest first; all studies unless `studyId` is given. */
  list(options: { limit?: number; studyId?: string } = {}): AuditEntry[] {
    const limit = limitSchema.parse(options.limit ?? 100);
    const rows =
      options.studyId === undefined
        ? this.#db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
        : this.#db.prepare('SELECT * FROM audit_log WHERE study_id = ? ORDER BY id DESC LIMIT ?').all(options.studyId, limit);
    return rows.map(decodeEntry);
  }

  /**
   * Erases what the log says about one participant: its lines stay (that something happened,
   * and when, is the audit trail) but lose their details and their link to the participant.
   * Returns how many lines were redacted.
   */
  redactParticipant(participantId: string): number {
    return this.#db
      .prepare('UPDATE audit_log SET details = NULL, participant_id = NULL WHERE participant_id = ?')
      .run(participantId).changes;
  }
}

function decodeEntry(row: unknown): AuditEntry {
  const location = { table: 'audit_log', rowId: rowIdOf(row) };
  const stored = decodeRow(AuditRowSchema, row, location);
  return {
    id: stored.id,
    studyId: stored.study_id,
    participantId: stored.participant_id,
    actor: stored.actor,
    action: stored.action,
    details: stored.details === null ? null : decodeJsonColumn(JsonValueSchema, stored.details, { ...location, column: 'details' }),
    at: stored.at,
  };
}
