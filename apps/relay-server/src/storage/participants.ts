import { z } from 'zod';
import type { Database } from './database';
import { AuditLog } from './audit';
import { systemClock, type Clock } from './clock';
import { ParticipantWithdrawnError } from './errors';
import { newId } from './ids';
import { decodeJsonColumn, decodeRow, encodeJson, rowIdOf } from './row_codec';
import { hashResumeToken, newResumeToken, resumeTokenMatches } from './resume_token';

export type ParticipantKind = 'browser' | 'node';
export type ParticipantStatus = 'active' | 'left' | 'withdrawn';

interface ParticipantIdentity {
  id: string;
  studyId: string;
  kind: ParticipantKind;
}

export interface PresentParticipant extends ParticipantIdentity {
  status: 'active' | 'left';
  label: string | null;
  backend: string;
  trainCount: number;
  valCount: number;
  classCounts: Record<string, number>;
  joinedAt: number;
  lastSeenAt: number;
}

/** All that remains after withdrawal: no label, counts, times or token. */
export interface WithdrawnParticipant extends ParticipantIdentity {
  status: 'withdrawn';
}

export type Participant = PresentParticipant | WithdrawnParticipant;

export interface NewParticipant {
  studyId: string;
  kind: ParticipantKind;
  label?: string | null;
  backend: string;
  trainCount: number;
  valCount: number;
  classCounts: Record<string, number>;
}

export type ProfileChanges = Partial<Pick<NewParticipant, 'label' | 'backend' | 'trainCount' | 'valCount' | 'classCounts'>>;

export type WithdrawOutcome = 'withdrawn' | 'already-withdrawn' | 'not-found';

const count = z.number().int().nonnegative();
const ClassCountsSchema = z.record(z.string(), count);

const ProfileSchema = z.object({
  label: z.string().max(64).nullable(),
  backend: z.string().min(1).max(32),
  trainCount: count,
  valCount: count,
  classCounts: ClassCountsSchema,
});

const NewParticipantSchema = ProfileSchema.extend({
  studyId: z.string().min(1),
  kind: z.enum(['browser', 'node']),
  label: z.string().max(64).nullable().default(null),
});

const identityColumns = {
  id: z.string(),
  study_id: z.string(),
  kind: z.enum(['browser', 'node']),
};

// The schema's CHECK already ties the nullable columns to the status; this mirrors it so the
// union type below is earned, not asserted.
const ParticipantRowSchema = z.discriminatedUnion('status', [
  z.object({
    ...identityColumns,
    status: z.enum(['active', 'left']),
    label: z.string().nullable(),
    backend: z.string(),
    resume_token_hash: z.instanceof(Uint8Array),
    train_count: count,
    val_count: count,
    class_counts: z.string(),
    joined_at: z.number().int(),
    last_seen_at: z.number().int(),
  }),
  z.object({ ...identityColumns, status: z.literal('withdrawn') }),
]);
type ParticipantRow = z.infer<typeof ParticipantRowSchema>;

export class ParticipantRepository {
  readonly #db: Database;
  readonly #now: Clock;
  readonly #audit: AuditLog;

  constructor(db: Database, options: { now?: Clock } = {}) {
    this.#db = db;
    this.#now = options.now ?? systemClock;
    this.#audit = new AuditLog(db, options);
  }

  /** The plaintext resume token is returned here once and never stored. */
  create(input: NewParticipant): { participant: PresentParticipant; resumeToken: string } {
    const participant = NewParticipantSchema.parse(input);
    const id = newId();
    const resumeToken = newResumeToken();
    const now = this.#now();
    this.#db
      .prepare(
        `INSERT INTO participants (id, study_id, kind, status, label, backend, resume_token_hash,
           train_count, val_count, class_counts, joined_at, last_seen_at)
         VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        participant.studyId,
        participant.kind,
        participant.label,
        participant.backend,
        hashResumeToken(resumeToken),
        participant.trainCount,
        participant.valCount,
        encodeJson(participant.classCounts, 'class counts'),
        now,
        now,
      );
    return { participant: this.#mustGetPresent(id), resumeToken };
  }

  get(id: string): Participant | undefined {
    const row = this.#getRow(id);
    return row === undefined ? undefined : toParticipant(row);
  }

  /**
   * The participant when `token` is its resume token; undefined for an unknown id, a wrong or
   * malformed token, or a withdrawn participant. The caller still checks that the participant
   * belongs to the study being joined.
   */
  verifyResume(participantId: unknown, token: unknown): PresentParticipant | undefined {
    const row = typeof participantId === 'string' && participantId.length <= 128 ? this.#getRow(participantId) : undefined;
    const expected = row !== undefined && row.status !== 'withdrawn' ? row.resume_token_hash : undefined;
    if (!resumeTokenMatches(token, expected) || row === undefined || row.status === 'withdrawn') return undefined;
    return toPresent(row);
  }

  /** Records activity; false when the participant is unknown or withdrawn. */
  touch(id: string): boolean {
    return (
      this.#db
        .prepare("UPDATE participants SET last_seen_at = ? WHERE id = ? AND status <> 'withdrawn'")
        .run(this.#now(), id).changes > 0
    );
  }

  /** 'withdrawn' is not settable here: use withdraw(), which also erases data. */
  setStatus(id: string, status: 'active' | 'left'): PresentParticipant | undefined {
    z.enum(['active', 'left']).parse(status);
    this.#assertNotWithdrawn(id);
    const changes = this.#db
      .prepare('UPDATE participants SET status = ?, last_seen_at = ? WHERE id = ?')
      .run(status, this.#now(), id).changes;
    return changes === 0 ? undefined : this.#mustGetPresent(id);
  }

  /** On a rejoin: the client may bring another backend or a changed local dataset. */
  updateProfile(id: string, changes: ProfileChanges): PresentParticipant | undefined {
    this.#assertNotWithdrawn(id);
    const current = this.get(id);
    if (current === undefined || current.status === 'withdrawn') return undefined;
    const profile = ProfileSchema.parse({
      label: changes.label === undefined ? current.label : changes.label,
      backend: changes.backend ?? current.backend,
      trainCount: changes.trainCount ?? current.trainCount,
      valCount: changes.valCount ?? current.valCount,
      classCounts: changes.classCounts ?? current.classCounts,
    });
    this.#db
      .prepare(
        `UPDATE participants SET label = ?, backend = ?, train_count = ?, val_count = ?, class_counts = ?, last_seen_at = ?
         WHERE id = ?`,
      )
      .run(
        profile.label,
        profile.backend,
        profile.trainCount,
        profile.valCount,
        encodeJson(profile.classCounts, 'class counts'),
        this.#now(),
        id,
      );
    return this.#mustGetPresent(id);
  }

  /** In join order. */
  listByStudy(studyId: string): Participant[] {
    return this.#db
      .prepare('SELECT * FROM participants WHERE study_id = ? ORDER BY rowid')
      .all(studyId)
      .map((row) => toParticipant(decodeParticipantRow(row)));
  }

  /**
   * Ends the participation for good and erases what the relay stored about the participant:
   * its personal fields and resume token, its own metrics rows, and the details of audit
   * lines about it. What stays: the bare row (id, study, kind, 'withdrawn') so a later resume
   * is refused clearly, the study's aggregate metrics and model (the participant's
   * contribution is already mixed into them), and one audit line "participant withdrawn"
   * carrying only the study id. All in one transaction: it happens completely or not at all.
   * Files are scrubbed too (see openDatabase's secure_delete and the checkpoint below).
   */
  withdraw(id: string): WithdrawOutcome {
    const outcome = this.#db.transaction((): WithdrawOutcome => {
      const row = this.#getRow(id);
      if (row === undefined) return 'not-found';
      if (row.status === 'withdrawn') return 'already-withdrawn';
      this.#db.prepare('DELETE FROM metrics WHERE participant_id = ?').run(id);
      this.#audit.redactParticipant(id);
      this.#db
        .prepare(
          `UPDATE participants SET status = 'withdrawn', label = NULL, backend = NULL, resume_token_hash = NULL,
             train_count = NULL, val_count = NULL, class_counts = NULL, joined_at = NULL, last_seen_at = NULL
           WHERE id = ?`,
        )
        .run(id);
      this.#audit.append({ studyId: row.study_id, actor: 'participant', action: 'participant withdrawn' });
      return 'withdrawn';
    })();
    // With secure_delete the database file is scrubbed, but the WAL still holds earlier
    // versions of the changed pages until a checkpoint; truncating it removes them from
    // disk now. Best effort: a checkpoint cannot complete while another connection reads.
    if (outcome === 'withdrawn') this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return outcome;
  }

  #getRow(id: string): ParticipantRow | undefined {
    const row: unknown = this.#db.prepare('SELECT * FROM participants WHERE id = ?').get(id);
    return row === undefined ? undefined : decodeParticipantRow(row);
  }

  #assertNotWithdrawn(id: string): void {
    if (this.#getRow(id)?.status === 'withdrawn') throw new ParticipantWithdrawnError(id);
  }

  #mustGetPresent(id: string): PresentParticipant {
    const row = this.#getRow(id);
    if (row === undefined || row.status === 'withdrawn') throw new Error(`Participant ${id} vanished while being written.`);
    return toPresent(row);
  }
}

function decodeParticipantRow(row: unknown): ParticipantRow {
  return decodeRow(ParticipantRowSchema, row, { table: 'participants', rowId: rowIdOf(row) });
}

function toParticipant(row: ParticipantRow): Participant {
  if (row.status === 'withdrawn') return { id: row.id, studyId: row.study_id, kind: row.kind, status: 'withdrawn' };
  return toPresent(row);
}

function toPresent(row: Exclude<ParticipantRow, { status: 'withdrawn' }>): PresentParticipant {
  return {
    id: row.id,
    studyId: row.study_id,
    kind: row.kind,
    status: row.status,
    label: row.label,
    backend: row.backend,
    trainCount: row.train_count,
    valCount: row.val_count,
    classCounts: decodeJsonColumn(ClassCountsSchema, row.class_counts, {
      table: 'participants',
      rowId: row.id,
      column: 'class_counts',
    }),
    joinedAt: row.joined_at,
    lastSeenAt: row.last_seen_at,
  };
}
