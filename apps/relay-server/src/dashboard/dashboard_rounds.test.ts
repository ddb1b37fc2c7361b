import { describe, expect, it } from 'vitest';
import { RoundMetricsSchema, type MetricRecord } from '../storage/metrics';
import { toDashboardRounds } from './dashboard_rounds';

let nextId = 1;
function row(round: number, phase: 'train' | 'val', participantId: string | null, metrics: Record<string, unknown>, createdAt = 1000 + round): MetricRecord {
  return { id: nextId++, studyId: 's', round, phase, participantId, metrics: RoundMetricsSchema.parse(metrics), createdAt };
}

const val = { loss: 0.4, accuracy: 0.8, auc: null, sensitivity: 0.7, specificity: 0.9, confusion: [[4, 1], [1, 4]], count: 10 };

describe('toDashboardRounds', () => {
  it('merges the study train row, the merged val row and per-participant traffic per finished round', () => {
    const rounds = toDashboardRounds([
      row(0, 'val', 'a', { ...val, count: 5 }),
      row(0, 'train', 'a', { steps: 3, samples: 96, bytesUp: 100, bytesDown: 200, accuracy: 0.5 }),
      row(0, 'train', 'b', { steps: 3, samples: 96, bytesUp: 300, bytesDown: 400 }),
      row(0, 'train', null, { loss: 0.7, accuracy: 0.6, seconds: 2, samples: 192, samplesPerSecond: 96, bytesUp: 400, bytesDown: 600, clientFlops: 10, serverFlops: 20, completed: 2, failed: 0, schedule: 'round-robin', codec: 'fp16' }, 1500),
      row(0, 'val', null, val, 1600),
      // Round 1 is in progress: validation of one participant stored, no study row yet.
      row(1, 'val', 'a', val),
    ]);
    expect(rounds).toEqual([
      {
        round: 0,
        at: 1600,
        seconds: 2,
        trainLoss: 0.7,
        trainAccuracy: 0.6,
        val,
        samples: 192,
        samplesPerSecond: 96,
        bytesUp: 400,
        bytesDown: 600,
        clientFlops: 10,
        serverFlops: 20,
        perClient: [
          { participantId: 'a', bytesUp: 100, bytesDown: 200 },
          { participantId: 'b', bytesUp: 300, bytesDown: 400 },
        ],
        completed: 2,
        failed: 0,
        schedule: 'round-robin',
        codec: 'fp16',
      },
    ]);
  });

  it('fills what an older relay did not store with zeros and nulls, and lets the latest row of a re-run round win', () => {
    const rounds = toDashboardRounds([
      row(0, 'train', null, { loss: null, seconds: 1, samplesPerSecond: 10, bytesUp: 5, bytesDown: 6, completed: 1, failed: 0 }),
      row(1, 'train', null, { loss: 1.5, seconds: 1, completed: 1, failed: 1 }),
      row(1, 'train', null, { loss: 0.5, seconds: 1, completed: 2, failed: 0 }),
      row(1, 'val', null, { ...val, loss: null }),
    ]);
    expect(rounds.map((round) => round.round)).toEqual([0, 1]);
    expect(rounds[0]).toMatchObject({ trainLoss: null, trainAccuracy: null, samples: 0, clientFlops: 0, serverFlops: 0, perClient: [], val: null });
    expect(rounds[0]).not.toHaveProperty('codec');
    // A diverged validation (loss NaN, stored as null) has no point to draw.
    expect(rounds[1]).toMatchObject({ trainLoss: 0.5, completed: 2, failed: 0, val: null });
  });

  it('carries a multi-task round’s figures per task, leaving out a task whose figures are not numbers', () => {
    const grade = { ...val, confusion: [[3, 0, 0], [0, 3, 1], [0, 1, 2]], accuracy: 0.8 };
    const rounds = toDashboardRounds([
      row(0, 'train', null, { loss: 0.7, seconds: 1, completed: 1, failed: 0 }),
      row(0, 'val', null, { ...val, tasks: [{ name: 'outcome', ...val }, { name: 'grade', ...grade }, { name: 'broken', ...val, loss: null }] }),
    ]);
    expect(rounds[0]?.val?.tasks).toEqual([
      { name: 'outcome', ...val },
      { name: 'grade', ...grade },
    ]);
  });
});
