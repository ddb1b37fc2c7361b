import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from './database';
import { StorageCorruptionError } from './errors';
import { MetricsRepository } from './metrics';
import { ParticipantRepository } from './participants';
import { StudyRepository } from './studies';
import { useDatabase } from './test_support';

const { withDb } = useDatabase();

function newStudy(db: Database): string {
  return new StudyRepository(db, z.object({})).create({ name: 'Study', config: {} }).id;
}

function newParticipant(db: Database, studyId: string): string {
  return new ParticipantRepository(db).create({ studyId, kind: 'node', backend: 'wasm', trainCount: 1, valCount: 1, classCounts: {} }).participant.id;
}

const roundFigures = {
  accuracy: 0.875,
  loss: 0.31,
  auc: 0.93,
  sensitivity: 0.9,
  specificity: 0.85,
  confusion: [
    [17, 3],
    [2, 18],
  ],
  count: 40,
  samplesPerSecond: 512.5,
  bytesUp: 1_605_632,
  bytesDown: 1_605_632,
  clientFlops: 2.1e9,
  serverFlops: 8.4e9,
};

describe('MetricsRepository', () => {
  it('stores the whole metrics object, unknown extra figures included, and reads it back after a restart', () => {
    const studyId = withDb((db) => {
      const id = newStudy(db);
      const record = new MetricsRepository(db, { now: () => 9 }).insert({
        studyId: id,
        round: 3,
        phase: 'val',
        participantId: null,
        metrics: { ...roundFigures, leakage: { distanceCorrelation: 0.42 } },
      });
      expect(record).toMatchObject({ studyId: id, round: 3, phase: 'val', participantId: null, createdAt: 9 });
      return id;
    });
    withDb((db) => {
      expect(new MetricsRepository(db).list(studyId).map((record) => record.metrics)).toEqual([
        { ...roundFigures, leakage: { distanceCorrelation: 0.42 } },
      ]);
    });
  });

  it('lists by round, in insertion order within a round, from a round and per participant', () => {
    withDb((db) => {
      const studyId = newStudy(db);
      const otherStudy = newStudy(db);
      const participantId = newParticipant(db, studyId);
      const metrics = new MetricsRepository(db);
      const insert = (round: number, phase: 'train' | 'val', who: string | null, loss: number): void => {
        metrics.insert({ studyId, round, phase, participantId: who, metrics: { loss } });
      };
      insert(2, 'train', null, 2.0);
      insert(0, 'train', null, 0.0);
      insert(1, 'train', participantId, 1.1);
      insert(1, 'val', null, 1.2);
      insert(0, 'val', participantId, 0.1);
      metrics.insert({ studyId: otherStudy, round: 0, phase: 'train', participantId: null, metrics: { loss: 99 } });

      const losses = (records: ReturnType<MetricsRepository['list']>): Array<number | null | undefined> => records.map((record) => record.metrics.loss);
      expect(losses(metrics.list(studyId))).toEqual([0.0, 0.1, 1.1, 1.2, 2.0]);
      expect(losses(metrics.list(studyId, { fromRound: 1 }))).toEqual([1.1, 1.2, 2.0]);
      expect(losses(metrics.list(studyId, { fromRound: 3 }))).toEqual([]);
      expect(losses(metrics.list(studyId, { participantId: null }))).toEqual([0.0, 1.2, 2.0]);
      expect(losses(metrics.list(studyId, { participantId, fromRound: 1 }))).toEqual([1.1]);
      expect(() => metrics.list(studyId, { fromRound: -1 })).toThrow(z.ZodError);
    });
  });

  it('stores an undefined figure (NaN from split-core) as null and refuses what JSON cannot hold', () => {
    withDb((db) => {
      const studyId = newStudy(db);
      const metrics = new MetricsRepository(db);
      const record = metrics.insert({ studyId, round: 0, phase: 'val', participantId: null, metrics: { accuracy: 1, auc: Number.NaN } });
      expect(record.metrics).toEqual({ accuracy: 1, auc: null });
      expect(() => metrics.insert({ studyId, round: 0, phase: 'val', participantId: null, metrics: { loss: Number.POSITIVE_INFINITY } })).toThrow(z.ZodError);
      expect(() => metrics.insert({ studyId, round: 0, phase: 'val', participantId: null, metrics: { accuracy: '0.9' } })).toThrow(z.ZodError);
      expect(() => metrics.insert({ studyId, round: 0, phase: 'val', participantId: null, metrics: { extra: { nested: Number.NaN } } })).toThrow(z.ZodError);
      expect(() => metrics.insert({ studyId, round: -1, phase: 'val', participantId: null, metrics: {} })).toThrow(z.ZodError);
      expect(() => metrics.insert({ studyId, round: 0, phase: 'eval' as 'val', participantId: null, metrics: {} })).toThrow(z.ZodError);
      expect(metrics.list(studyId)).toHaveLength(1);
    });
  });

  it("refuses rows for unknown studies or for another study's participant", () => {
    withDb((db) => {
      const studyId = newStudy(db);
      const otherStudy = newStudy(db);
      const stranger = newParticipant(db, otherStudy);
      const metrics = new MetricsRepository(db);
      expect(() => metrics.insert({ studyId: 'nope', round: 0, phase: 'train', participantId: null, metrics: {} })).toThrow(/FOREIGN KEY/);
      expect(() => metrics.insert({ studyId, round: 0, phase: 'train', participantId: stranger, metrics: {} })).toThrow(/FOREIGN KEY/);
      expect(() => metrics.insert({ studyId, round: 0, phase: 'train', participantId: 'ghost', metrics: {} })).toThrow(/FOREIGN KEY/);
      expect(metrics.list(studyId)).toEqual([]);
    });
  });

  it('reports a corrupted metrics row clearly', () => {
    withDb((db) => {
      const studyId = newStudy(db);
      const metrics = new MetricsRepository(db);
      const record = metrics.insert({ studyId, round: 0, phase: 'train', participantId: null, metrics: { loss: 1 } });
      db.prepare('UPDATE metrics SET metrics = ? WHERE id = ?').run('{"loss": "high"}', record.id);
      expect(() => metrics.list(studyId)).toThrow(StorageCorruptionError);
      expect(() => metrics.list(studyId)).toThrow(new RegExp(`metrics row ${record.id} column metrics: .*loss`));
      db.prepare('UPDATE metrics SET metrics = ? WHERE id = ?').run('not json', record.id);
      expect(() => metrics.list(studyId)).toThrow(/column metrics: not valid JSON/);
    });
  });
});
