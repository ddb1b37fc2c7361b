import type { Migration } from './migrate';

// The relay's schema, one migration per version. Shipped migrations are never edited.
//
// Invariants the database enforces itself, so that a bug in one repository cannot break them:
// - a withdrawn participant keeps no personal fields (the CHECK on participants);
// - per-participant metrics belong to a participant of the same study (composite foreign key);
// - the audit log is append-only; the one permitted update is redacting a participant's
//   details (the triggers). It has no foreign keys: its lines outlive deleted studies.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'studies, participants, metrics, audit log, settings',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE studies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'training', 'paused', 'finished')),
        round INTEGER NOT NULL CHECK (round >= 0),
        join_code TEXT NOT NULL UNIQUE,
        join_code_revoked INTEGER NOT NULL DEFAULT 0 CHECK (join_code_revoked IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX studies_by_state ON studies (state);

      CREATE TABLE participants (
        id TEXT PRIMARY KEY,
        study_id TEXT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('browser', 'node')),
        status TEXT NOT NULL CHECK (status IN ('active', 'left', 'withdrawn')),
        label TEXT,
        backend TEXT,
        resume_token_hash BLOB,
        train_count INTEGER,
        val_count INTEGER,
        class_counts TEXT,
        joined_at INTEGER,
        last_seen_at INTEGER,
        UNIQUE (id, study_id),
        CHECK (CASE WHEN status = 'withdrawn'
          THEN label IS NULL AND backend IS NULL AND resume_token_hash IS NULL AND train_count IS NULL
            AND val_count IS NULL AND class_counts IS NULL AND joined_at IS NULL AND last_seen_at IS NULL
          ELSE backend IS NOT NULL AND resume_token_hash IS NOT NULL AND train_count IS NOT NULL
            AND val_count IS NOT NULL AND class_counts IS NOT NULL AND joined_at IS NOT NULL AND last_seen_at IS NOT NULL
          END)
      ) STRICT;
      CREATE INDEX participants_by_study ON participants (study_id);

      CREATE TABLE metrics (
        id INTEGER PRIMARY KEY,
        study_id TEXT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
        round INTEGER NOT NULL CHECK (round >= 0),
        phase TEXT NOT NULL CHECK (phase IN ('train', 'val')),
        participant_id TEXT,
        metrics TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        FOREIGN KEY (participant_id, study_id) REFERENCES participants (id, study_id) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX metrics_by_study_round ON metrics (study_id, round);
      CREATE INDEX metrics_by_participant ON metrics (participant_id) WHERE participant_id IS NOT NULL;

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        study_id TEXT,
        participant_id TEXT,
        actor TEXT NOT NULL CHECK (actor IN ('researcher', 'participant', 'relay')),
        action TEXT NOT NULL,
        details TEXT,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX audit_by_study ON audit_log (study_id, id);
      CREATE INDEX audit_by_participant ON audit_log (participant_id) WHERE participant_id IS NOT NULL;

      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: lines cannot be deleted');
      END;
      CREATE TRIGGER audit_log_only_redaction BEFORE UPDATE ON audit_log
      WHEN NOT (NEW.id = OLD.id AND NEW.study_id IS OLD.study_id AND NEW.actor = OLD.actor
        AND NEW.action = OLD.action AND NEW.at = OLD.at AND NEW.participant_id IS NULL AND NEW.details IS NULL)
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: the only allowed update is redacting a participant''s details');
      END;
    `,
  },
  {
    version: 2,
    name: 'server-held labels of vertical studies',
    sql: `
      -- The researcher's table of patient id and label, for a vertical study whose server
      -- holds the labels. It is the study's, so it goes with the study.
      CREATE TABLE server_labels (
        study_id TEXT PRIMARY KEY REFERENCES studies (id) ON DELETE CASCADE,
        id_column TEXT NOT NULL,
        csv TEXT NOT NULL,
        rows INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
