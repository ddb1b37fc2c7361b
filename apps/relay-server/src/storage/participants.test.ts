import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditLog } from './audit';
import { closeDatabase, openDatabase, type Database } from './database';
import { ParticipantWithdrawnError, StorageCorruptionError } from './errors';
import { MetricsRepository } from './metrics';
import { ParticipantRepository, type NewParticipant } from './participants';
import { StudyRepository } from './studies';
import { readDatabaseFiles, useDatabase } from './test_support';

const { dataDir, withDb } = useDatabase();

function newStudy(db: Database): string {
  return new StudyRepository(db, z.object({})).create({ name: 'Study', config: {} }).id;
}

function profile(studyId: string, overrides: Partial<NewParticipant> = {}): NewParticipant {
  return {
    studyId,
    kind: 'browser',
    label: 'Radiology, St Elsewhere',
    backend: 'webgl',
    trainCount: 800,
    valCount: 200,
    classCounts: { normal: 600, pneumonia: 400 },
    ...overrides,
  };
}

describe('ParticipantRepository', () => {
  it('creates an active participant and returns its resume token once', () => {
    withDb((db) => {
      const studyId = newStudy(db);
      const participants = new ParticipantRepository(db, { now: () => 5 });
      const { participant, resumeToken } = participants.create(profile(studyId));
      expect(resumeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(participant).toEqual({
        id: participant.id,
        studyId,
        kind: 'browser',
        status: 'active',
        label: 'Radiology, St Elsewhere',
        backend: 'webgl',
        trainCount: 800,
        valCount: 200,
        classCounts: { normal: 600, pneumonia: 400 },
        joinedAt: 5,
        lastSeenAt: 5,
      });
      expect(participants.get(participant.id)).toEqual(participant);
      expect(participants.create(profile(studyId, { label: undefined })).participant.label).toBeNull();
    });
  });

  it('stores the resume token only as a hash', () => {
    const dir = dataDir();
    const token = withDb((db) => {
      const studyId = newStudy(db);
      const { participant, resumeToken } = new ParticipantRepository(db).create(profile(studyId));
      const stored = db.prepare('SELECT resume_token_hash FROM participants WHERE id = ?').pluck().get(participant.id);
      expect(stored).toBeInstanceOf(Buffer);
      expect((stored as Buffer).length).toBe(32);
      expect(readDatabaseFiles(dir).includes(resumeToken)).toBe(false);
      return resumeToken;
    });
    expect(readDatabaseFiles(dir).includes(token)).toBe(false);
    expect(readDatabaseFiles(dir).includes(Buffer.from(token, 'base64url'))).toBe(false);
  });

  it('refuses unknown studies and invalid profiles', () => {
    withDb((db) => {
      const participants = new ParticipantRepository(db);
      expect(() => participants.create(profile('no-such-study'))).toThrow(/FOREIGN KEY constraint failed/);
      const studyId = newStudy(db);
      expect(() => participants.create(profile(studyId, { trainCount: -1 }))).toThrow(z.ZodError);
      expect(() => participants.create(profile(studyId, { classCounts: { a: 1.5 } }))).toThrow(z.ZodError);
      expect(() => participants.create(profile(studyId, { backend: '' }))).toThrow(z.ZodError);
      expect(participants.listByStudy(studyId)).toEqual([]);
    });
  });

  describe('verifyResume', () => {
    it('accepts the participant and its token, after a restart too', () => {
      const { id, token } = withDb((db) => {
        const { participant, resumeToken } = new ParticipantRepository(db).create(profile(newStudy(db)));
        return { id: participant.id, token: resumeToken };
      });
      withDb((db) => expect(new ParticipantRepository(db).verifyResume(id, token)?.id).toBe(id));
    });

    it('rejects wrong, swapped, altered and malformed tokens and ids', () => {
      withDb((db) => {
        const participants = new ParticipantRepository(db);
        const studyId = newStudy(db);
        const alice = participants.create(profile(studyId));
        const bob = participants.create(profile(studyId));
        expect(participants.verifyResume(alice.participant.id, bob.resumeToken)).toBeUndefined();
        expect(participants.verifyResume(alice.participant.id, `${alice.resumeToken}x`)).toBeUndefined();
        expect(participants.verifyResume(alice.participant.id, alice.resumeToken.slice(0, -1))).toBeUndefined();
        for (const token of ['', null, undefined, 42, {}, [alice.resumeToken], Buffer.from(alice.resumeToken), 'x'.repeat(10_000)]) {
          expect(participants.verifyResume(alice.participant.id, token)).toBeUndefined();
        }
        for (const id of ['nobody', '', null, 7, { id: alice.participant.id }]) {
          expect(participants.verifyResume(id, alice.resumeToken)).toBeUndefined();
        }
        expect(participants.verifyResume(alice.participant.id, alice.resumeToken)?.id).toBe(alice.participant.id);
      });
    });
  });

  it('records activity, status and a changed local dataset', () => {
    withDb((db) => {
      let now = 100;
      const participants = new ParticipantRepository(db, { now: () => now });
      const { participant } = participants.create(profile(newStudy(db)));
      now = 200;
      expect(participants.touch(participant.id)).toBe(true);
      expect(participants.get(participant.id)).toMatchObject({ joinedAt: 100, lastSeenAt: 200 });
      expect(participants.touch('nobody')).toBe(false);

      expect(participants.setStatus(participant.id, 'left')?.status).toBe('left');
      expect(participants.setStatus(participant.id, 'active')?.status).toBe('active');
      expect(() => participants.setStatus(participant.id, 'withdrawn' as 'left')).toThrow(z.ZodError);
      expect(participants.setStatus('nobody', 'left')).toBeUndefined();

      const updated = participants.updateProfile(participant.id, { backend: 'wasm', trainCount: 900, classCounts: { normal: 900 } });
      expect(updated).toMatchObject({ backend: 'wasm', trainCount: 900, valCount: 200, classCounts: { normal: 900 }, label: 'Radiology, St Elsewhere' });
      expect(participants.updateProfile(participant.id, { label: null })?.label).toBeNull();
      expect(participants.updateProfile('nobody', { backend: 'cpu' })).toBeUndefined();
    });
  });

  it('lists the participants of one study in join order', () => {
    withDb((db) => {
      const participants = new ParticipantRepository(db);
      const studyId = newStudy(db);
      const otherStudy = newStudy(db);
      const ids = ['A', 'B', 'C'].map((label) => participants.create(profile(studyId, { label })).participant.id);
      participants.create(profile(otherStudy));
      expect(participants.listByStudy(studyId).map((participant) => participant.id)).toEqual(ids);
      expect(participants.listByStudy('nobody')).toEqual([]);
    });
  });

  it('reports corrupted class counts clearly', () => {
    withDb((db) => {
      const participants = new ParticipantRepository(db);
      const { participant } = participants.create(profile(newStudy(db)));
      db.prepare('UPDATE participants SET class_counts = ? WHERE id = ?').run('{"normal": "many"}', participant.id);
      expect(() => participants.get(participant.id)).toThrow(StorageCorruptionError);
      expect(() => participants.get(participant.id)).toThrow(/participants row ".+" column class_counts/);
    });
  });

  describe('withdraw', () => {
    it("erases the participant's personal data, own metrics and audit details; keeps aggregates", () => {
      const dir = dataDir();
      const db = openDatabase(dir);
      try {
        const studyId = newStudy(db);
        const participants = new ParticipantRepository(db);
        const metrics = new MetricsRepository(db);
        const audit = new AuditLog(db);
        const label = 'Withdrawing Hospital Radiology';
        const { participant, resumeToken } = participants.create(profile(studyId, { label }));
        const { participant: stayer } = participants.create(profile(studyId, { label: 'Staying Clinic' }));
        audit.append({ studyId, participantId: participant.id, actor: 'participant', action: 'participant joined', details: { label } });
        audit.append({ studyId, participantId: stayer.id, actor: 'participant', action: 'participant joined', details: { label: 'Staying Clinic' } });
        for (const round of [0, 1]) {
          metrics.insert({ studyId, round, phase: 'val', participantId: participant.id, metrics: { accuracy: 0.61, note: label } });
          metrics.insert({ studyId, round, phase: 'val', participantId: stayer.id, metrics: { accuracy: 0.7 } });
          metrics.insert({ studyId, round, phase: 'val', participantId: null, metrics: { accuracy: 0.66, count: 400 } });
        }

        expect(participants.withdraw(participant.id)).toBe('withdrawn');

        expect(participants.get(participant.id)).toEqual({ id: participant.id, studyId, kind: 'browser', status: 'withdrawn' });
        const row = db.prepare('SELECT * FROM participants WHERE id = ?').get(participant.id);
        expect(row).toMatchObject({ label: null, backend: null, resume_token_hash: null, train_count: null, val_count: null, class_counts: null, joined_at: null, last_seen_at: null });
        expect(participants.verifyResume(participant.id, resumeToken)).toBeUndefined();

        expect(metrics.list(studyId, { participantId: participant.id })).toEqual([]);
        expect(metrics.list(studyId, { participantId: null }).map((record) => record.metrics.accuracy)).toEqual([0.66, 0.66]);
        expect(metrics.list(studyId, { participantId: stayer.id })).toHaveLength(2);

        const lines = audit.list({ studyId });
        expect(lines[0]).toMatchObject({ studyId, participantId: null, actor: 'participant', action: 'participant withdrawn', details: null });
        expect(lines.find((line) => line.participantId === participant.id)).toBeUndefined();
        expect(lines.filter((line) => line.action === 'participant joined').map((line) => line.details)).toEqual([{ label: 'Staying Clinic' }, null]);
        expect(participants.get(stayer.id)).toMatchObject({ status: 'active', label: 'Staying Clinic' });

        // Gone from the files, not just from query results (secure_delete + WAL checkpoint).
        expect(readDatabaseFiles(dir).includes(label)).toBe(false);
        expect(readDatabaseFiles(dir).includes('Staying Clinic')).toBe(true);
      } finally {
        closeDatabase(db);
      }
      expect(readDatabaseFiles(dir).includes('Withdrawing Hospital Radiology')).toBe(false);
    });

    it('is final: nothing can revive or refill the row, and repeating it is harmless', () => {
      withDb((db) => {
        const participants = new ParticipantRepository(db);
        const { participant } = participants.create(profile(newStudy(db)));
        expect(participants.withdraw(participant.id)).toBe('withdrawn');
        expect(participants.withdraw(participant.id)).toBe('already-withdrawn');
        expect(participants.withdraw('nobody')).toBe('not-found');
        expect(() => participants.setStatus(participant.id, 'active')).toThrow(ParticipantWithdrawnError);
        expect(() => participants.updateProfile(participant.id, { label: 'back' })).toThrow(ParticipantWithdrawnError);
        expect(participants.touch(participant.id)).toBe(false);
        // The schema itself refuses personal data on a withdrawn row.
        expect(() => db.prepare("UPDATE participants SET label = 'back' WHERE id = ?").run(participant.id)).toThrow(/CHECK constraint failed/);
        expect(new AuditLog(db).list().filter((line) => line.action === 'participant withdrawn')).toHaveLength(1);
      });
    });
  });
});
