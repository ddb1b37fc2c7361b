import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit';
import { StorageCorruptionError } from './errors';
import { useDatabase } from './test_support';

const { withDb } = useDatabase();

describe('AuditLog', () => {
  it('appends lines and lists the latest first, per study or for all, across a restart', () => {
    withDb((db) => {
      let now = 0;
      const audit = new AuditLog(db, { now: () => (now += 10) });
      audit.append({ actor: 'relay', action: 'relay started' });
      audit.append({ studyId: 's1', actor: 'researcher', action: 'study created', details: { name: 'Pneumonia' } });
      audit.append({ studyId: 's2', actor: 'researcher', action: 'study created' });
      const last = audit.append({ studyId: 's1', actor: 'researcher', action: 'join code revoked' });
      expect(last).toEqual({ id: last.id, studyId: 's1', participantId: null, actor: 'researcher', action: 'join code revoked', details: null, at: 40 });
    });
    withDb((db) => {
      const audit = new AuditLog(db);
      expect(audit.list().map((line) => line.action)).toEqual(['join code revoked', 'study created', 'study created', 'relay started']);
      expect(audit.list({ limit: 2 }).map((line) => line.at)).toEqual([40, 30]);
      expect(audit.list({ studyId: 's1' }).map((line) => [line.action, line.details])).toEqual([
        ['join code revoked', null],
        ['study created', { name: 'Pneumonia' }],
      ]);
      expect(() => audit.list({ limit: 0 })).toThrow();
    });
  });

  it('refuses lines it could not store faithfully', () => {
    withDb((db) => {
      const audit = new AuditLog(db);
      expect(() => audit.append({ actor: 'relay', action: '' })).toThrow();
      expect(() => audit.append({ actor: 'janitor' as 'relay', action: 'swept' })).toThrow();
      expect(() => audit.append({ actor: 'relay', action: 'odd', details: { ratio: Number.NaN } })).toThrow(/NaN/);
      expect(audit.list()).toEqual([]);
      // JSON.stringify semantics otherwise: undefined members vanish.
      expect(audit.append({ actor: 'relay', action: 'ok', details: { kept: 1, dropped: undefined } }).details).toEqual({ kept: 1 });
    });
  });

  it('is append-only in the database itself; only redaction of participant details is allowed', () => {
    withDb((db) => {
      const audit = new AuditLog(db);
      const line = audit.append({ studyId: 's1', participantId: 'p1', actor: 'participant', action: 'participant joined', details: { label: 'Ward 5' } });
      expect(() => db.prepare('DELETE FROM audit_log WHERE id = ?').run(line.id)).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE audit_log SET action = 'nothing happened' WHERE id = ?").run(line.id)).toThrow(/append-only/);
      expect(() => db.prepare('UPDATE audit_log SET at = 0 WHERE id = ?').run(line.id)).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE audit_log SET details = '{}' WHERE id = ?").run(line.id)).toThrow(/append-only/);

      expect(audit.redactParticipant('p1')).toBe(1);
      expect(audit.list()).toEqual([{ ...line, participantId: null, details: null }]);
      expect(audit.redactParticipant('p1')).toBe(0);
    });
  });

  it('reports corrupted details clearly', () => {
    withDb((db) => {
      db.prepare("INSERT INTO audit_log (actor, action, details, at) VALUES ('relay', 'hand-made', '{oops', 1)").run();
      expect(() => new AuditLog(db).list()).toThrow(StorageCorruptionError);
      expect(() => new AuditLog(db).list()).toThrow(/audit_log row 1 column details: not valid JSON/);
    });
  });
});
