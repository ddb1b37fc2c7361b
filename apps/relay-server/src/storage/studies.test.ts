import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { protocol } from '@splitlearn/split-core';
import { AuditLog } from './audit';
import { StorageCorruptionError } from './errors';
import { JOIN_CODE_ALPHABET } from './ids';
import { MetricsRepository } from './metrics';
import { ParticipantRepository } from './participants';
import { StudyRepository, type StudyState } from './studies';
import { useDatabase } from './test_support';

const { withDb } = useDatabase();

const ConfigSchema = z.object({ model: z.string().trim().min(1), rounds: z.number().int().positive().optional() });

function clock(start = 1_000): () => number {
  let now = start;
  return () => (now += 1);
}

describe('StudyRepository', () => {
  it('keeps its states in step with the protocol', () => {
    expectTypeOf<StudyState>().toEqualTypeOf<protocol.StudyState>();
  });

  it('creates a study with a url-safe id, a fresh join code and defaults', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema, { now: () => 42 });
      const study = studies.create({ name: ' Pneumonia ', config: { model: ' small-cnn ' } });
      expect(study.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(study.joinCode).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{8}$`));
      expect(study).toMatchObject({
        name: 'Pneumonia',
        // What the schema made of it is stored, not the raw input.
        config: { model: 'small-cnn' },
        state: 'open',
        round: 0,
        joinCodeRevoked: false,
        createdAt: 42,
        updatedAt: 42,
      });
      expect(studies.create({ name: 'Other', config: { model: 'mlp' } }).id).not.toBe(study.id);
    });
  });

  it('validates the config on the way in', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema);
      expect(() => studies.create({ name: 'Bad', config: { model: 3 } as unknown as z.infer<typeof ConfigSchema> })).toThrow(z.ZodError);
      expect(() => studies.create({ name: '   ', config: { model: 'mlp', rounds: 1 } })).toThrow(z.ZodError);
      expect(studies.list()).toEqual([]);
    });
  });

  it('keeps a training study, its round and config across a restart', () => {
    const id = withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema);
      const study = studies.create({ name: 'Survives', config: { model: 'vgg', rounds: 30 } });
      studies.update(study.id, { state: 'training', round: 7 });
      return study.id;
    });
    withDb((db) => {
      const study = new StudyRepository(db, ConfigSchema).get(id);
      expect(study).toMatchObject({ id, name: 'Survives', state: 'training', round: 7, config: { model: 'vgg', rounds: 30 } });
      expect(new StudyRepository(db, ConfigSchema).list({ state: 'training' }).map((s) => s.id)).toEqual([id]);
    });
  });

  it('updates progress, refusing rounds the schema cannot hold, and reports unknown studies', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema, { now: clock() });
      const study = studies.create({ name: 'Progress', config: { model: 'mlp' } });
      const paused = studies.update(study.id, { state: 'paused', round: 3 });
      expect(paused).toMatchObject({ state: 'paused', round: 3, createdAt: study.createdAt });
      expect(paused?.updatedAt).toBeGreaterThan(study.updatedAt);
      expect(studies.update(study.id, { name: 'Renamed' })).toMatchObject({ name: 'Renamed', state: 'paused', round: 3 });
      expect(() => studies.update(study.id, { round: -1 })).toThrow(z.ZodError);
      expect(() => studies.update(study.id, { round: 1.5 })).toThrow(z.ZodError);
      expect(() => studies.update(study.id, { state: 'exploded' as StudyState })).toThrow(z.ZodError);
      expect(studies.get(study.id)?.round).toBe(3);
      expect(studies.update('no-such-study', { round: 1 })).toBeUndefined();
      expect(studies.get('no-such-study')).toBeUndefined();
    });
  });

  it('stores a changed config through its schema, refusing one the schema rejects', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema, { now: clock() });
      const study = studies.create({ name: 'Settings', config: { model: 'mlp', rounds: 3 } });
      expect(studies.update(study.id, { config: { model: ' cnn ', rounds: 5 } })?.config).toEqual({ model: 'cnn', rounds: 5 });
      expect(() => studies.update(study.id, { config: { model: '' } })).toThrow(z.ZodError);
      expect(new StudyRepository(db, ConfigSchema).get(study.id)?.config).toEqual({ model: 'cnn', rounds: 5 });
      // Progress updates leave the config alone.
      expect(studies.update(study.id, { round: 1 })?.config).toEqual({ model: 'cnn', rounds: 5 });
    });
  });

  it('lists oldest first and filters by state', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema, { now: clock() });
      const a = studies.create({ name: 'A', config: { model: 'mlp' } });
      const b = studies.create({ name: 'B', config: { model: 'mlp' }, state: 'finished', round: 10 });
      const c = studies.create({ name: 'C', config: { model: 'mlp' } });
      expect(studies.list().map((study) => study.name)).toEqual(['A', 'B', 'C']);
      expect(studies.list({ state: 'open' }).map((study) => study.id)).toEqual([a.id, c.id]);
      expect(studies.list({ state: 'finished' }).map((study) => study.id)).toEqual([b.id]);
    });
  });

  describe('join codes', () => {
    it('resolve regardless of case, spaces and dashes; nonsense does not', () => {
      withDb((db) => {
        const studies = new StudyRepository(db, ConfigSchema, { newJoinCode: () => 'ABCD2345' });
        const study = studies.create({ name: 'Join', config: { model: 'mlp' } });
        for (const typed of ['ABCD2345', 'abcd2345', 'abcd-2345', ' ABCD 2345 ']) expect(studies.getByJoinCode(typed)?.id).toBe(study.id);
        for (const typed of ['', 'ABCD234', 'ABCD23456', 'ABCD234O', "' OR 1=1 --"]) expect(studies.getByJoinCode(typed)).toBeUndefined();
      });
    });

    it('are unique: a collision is retried with a fresh code', () => {
      withDb((db) => {
        const codes = ['AAAA2222', 'AAAA2222', 'AAAA2222', 'BBBB3333'];
        const studies = new StudyRepository(db, ConfigSchema, { newJoinCode: () => codes.shift() ?? 'ZZZZ9999' });
        const first = studies.create({ name: 'First', config: { model: 'mlp' } });
        const second = studies.create({ name: 'Second', config: { model: 'mlp' } });
        expect([first.joinCode, second.joinCode]).toEqual(['AAAA2222', 'BBBB3333']);
        expect(codes).toEqual([]);
      });
    });

    it('give up with the database error when every attempt collides', () => {
      withDb((db) => {
        const studies = new StudyRepository(db, ConfigSchema, { newJoinCode: () => 'SAME2222' });
        studies.create({ name: 'First', config: { model: 'mlp' } });
        expect(() => studies.create({ name: 'Second', config: { model: 'mlp' } })).toThrow(/UNIQUE constraint failed: studies.join_code/);
        expect(studies.list()).toHaveLength(1);
      });
    });

    it('stop resolving when revoked, and a regenerated code replaces the old one', () => {
      withDb((db) => {
        const studies = new StudyRepository(db, ConfigSchema);
        const study = studies.create({ name: 'Revocable', config: { model: 'mlp' } });
        expect(studies.revokeJoinCode(study.id)).toMatchObject({ joinCode: study.joinCode, joinCodeRevoked: true });
        expect(studies.getByJoinCode(study.joinCode)).toBeUndefined();
        // Still there for the researcher, by id.
        expect(studies.get(study.id)?.joinCodeRevoked).toBe(true);

        const renewed = studies.regenerateJoinCode(study.id);
        expect(renewed?.joinCodeRevoked).toBe(false);
        expect(renewed?.joinCode).not.toBe(study.joinCode);
        expect(studies.getByJoinCode(renewed?.joinCode ?? '')?.id).toBe(study.id);
        expect(studies.getByJoinCode(study.joinCode)).toBeUndefined();

        expect(studies.revokeJoinCode('missing')).toBeUndefined();
        expect(studies.regenerateJoinCode('missing')).toBeUndefined();
      });
    });

    it('stay revoked across a restart', () => {
      const code = withDb((db) => {
        const studies = new StudyRepository(db, ConfigSchema);
        const study = studies.create({ name: 'Revoked', config: { model: 'mlp' } });
        studies.revokeJoinCode(study.id);
        return study.joinCode;
      });
      withDb((db) => expect(new StudyRepository(db, ConfigSchema).getByJoinCode(code)).toBeUndefined());
    });
  });

  describe('corrupted rows', () => {
    it('report a config that is not JSON, naming the table, row and column', () => {
      withDb((db) => {
        const studies = new StudyRepository(db, ConfigSchema);
        const study = studies.create({ name: 'Edited', config: { model: 'mlp' } });
        db.prepare('UPDATE studies SET config = ? WHERE id = ?').run('{"model": "mlp",', study.id);
        let error: unknown;
        try {
          studies.get(study.id);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(StorageCorruptionError);
        expect((error as StorageCorruptionError).location).toEqual({ table: 'studies', rowId: study.id, column: 'config' });
        expect((error as Error).message).toMatch(/studies row ".*" column config: not valid JSON .*restore .* backup/);
        expect(() => studies.list()).toThrow(StorageCorruptionError);
      });
    });

    it('report JSON that no longer matches the config schema', () => {
      withDb((db) => {
        const studies = new StudyRepository(db, ConfigSchema);
        const study = studies.create({ name: 'Edited', config: { model: 'mlp' } });
        db.prepare('UPDATE studies SET config = ? WHERE id = ?').run('{"model": 7}', study.id);
        expect(() => studies.getByJoinCode(study.joinCode)).toThrow(/column config: model: Invalid input: expected string, received number/);
      });
    });
  });

  it('deletes a study with its participants and metrics; audit lines stay, participant details redacted', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, ConfigSchema);
      const participants = new ParticipantRepository(db);
      const metrics = new MetricsRepository(db);
      const audit = new AuditLog(db);
      const doomed = studies.create({ name: 'Doomed', config: { model: 'mlp' } });
      const kept = studies.create({ name: 'Kept', config: { model: 'mlp' } });
      const profile = { kind: 'browser', backend: 'webgl', trainCount: 10, valCount: 2, classCounts: { a: 12 } } as const;
      const { participant } = participants.create({ ...profile, studyId: doomed.id, label: 'St Elsewhere' });
      const { participant: other } = participants.create({ ...profile, studyId: kept.id });
      metrics.insert({ studyId: doomed.id, round: 0, phase: 'val', participantId: participant.id, metrics: { accuracy: 0.5 } });
      metrics.insert({ studyId: doomed.id, round: 0, phase: 'val', participantId: null, metrics: { accuracy: 0.5 } });
      metrics.insert({ studyId: kept.id, round: 0, phase: 'val', participantId: null, metrics: { accuracy: 0.7 } });
      audit.append({ studyId: doomed.id, participantId: participant.id, actor: 'participant', action: 'participant joined', details: { label: 'St Elsewhere' } });
      audit.append({ studyId: doomed.id, actor: 'researcher', action: 'study created' });

      expect(studies.delete(doomed.id)).toBe(true);
      expect(studies.delete(doomed.id)).toBe(false);
      expect(studies.get(doomed.id)).toBeUndefined();
      expect(participants.get(participant.id)).toBeUndefined();
      expect(metrics.list(doomed.id)).toEqual([]);
      expect(metrics.list(kept.id)).toHaveLength(1);
      expect(participants.get(other.id)?.status).toBe('active');
      expect(audit.list({ studyId: doomed.id }).map(({ action, participantId, details }) => ({ action, participantId, details }))).toEqual([
        { action: 'study created', participantId: null, details: null },
        { action: 'participant joined', participantId: null, details: null },
      ]);
    });
  });
});
