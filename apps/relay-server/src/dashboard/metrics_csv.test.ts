import { describe, expect, it } from 'vitest';
import type { protocol } from '@splitlearn/split-core';
import { parseCsv } from '../testing/csv_reader';
import { csvField, metricsCsv, METRICS_CSV_COLUMNS } from './metrics_csv';

const round: protocol.DashboardRound = {
  round: 3,
  at: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  seconds: 1.25,
  trainLoss: 0.123456789012345,
  trainAccuracy: null,
  val: { loss: 0.5, accuracy: 0.875, auc: null, sensitivity: 0.9, specificity: 1 / 3, confusion: [[1, 0], [0, 1]], count: 40 },
  samples: 192,
  samplesPerSecond: 153.6,
  bytesUp: 123_456,
  bytesDown: 654_321,
  clientFlops: 1.5e9,
  serverFlops: 2.25e10,
  perClient: [],
  completed: 2,
  failed: 0,
  schedule: 'splitfed-v2',
  codec: 'fp16',
};

describe('metrics CSV', () => {
  it('quotes fields with commas, quotes and line breaks, doubling quotes; leaves plain ones bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(parseCsv(`${['x,y', 'q"q', 'l\r\nm'].map(csvField).join(',')}\r\n`)).toEqual([['x,y', 'q"q', 'l\r\nm']]);
  });

  it('writes a header and one row per round that parse back to the same numbers', () => {
    const rows = parseCsv(metricsCsv([round, { ...round, round: 4, val: null, trainAccuracy: 0.5 }]));
    expect(rows[0]).toEqual([...METRICS_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    const record = Object.fromEntries(METRICS_CSV_COLUMNS.map((column, i) => [column, rows[1]?.[i]]));
    expect(record).toMatchObject({ round: '3', time: '2026-01-02T03:04:05.678Z', schedule: 'splitfed-v2', codec: 'fp16', train_accuracy: '', val_auc: '', val_count: '40' });
    expect(Number(record.train_loss)).toBe(round.trainLoss);
    expect(Number(record.val_specificity)).toBe(1 / 3);
    expect(Number(record.client_flops)).toBe(1.5e9);
    expect(Number(record.bytes_down)).toBe(654_321);
    const second = Object.fromEntries(METRICS_CSV_COLUMNS.map((column, i) => [column, rows[2]?.[i]]));
    expect(second).toMatchObject({ round: '4', val_loss: '', val_accuracy: '', train_accuracy: '0.5' });
  });

  it('adds each task’s figures after the fixed columns for a multi-task study', () => {
    const val = round.val as protocol.DashboardValMetrics;
    const tasks = [{ name: 'outcome', ...val }, { name: 'grade', ...val, accuracy: 0.625, auc: 0.75, count: 40 }];
    const rows = parseCsv(metricsCsv([{ ...round, val: { ...val, tasks } }, { ...round, round: 4, val: null }]));
    const extra = ['loss', 'accuracy', 'auc', 'count'];
    expect(rows[0]).toEqual([...METRICS_CSV_COLUMNS, ...extra.map((figure) => `val_outcome_${figure}`), ...extra.map((figure) => `val_grade_${figure}`)]);
    const record = Object.fromEntries((rows[0] ?? []).map((column, i) => [column, rows[1]?.[i]]));
    expect(record).toMatchObject({ val_outcome_accuracy: '0.875', val_grade_accuracy: '0.625', val_grade_auc: '0.75', val_outcome_auc: '' });
    expect(rows[2]?.slice(METRICS_CSV_COLUMNS.length)).toEqual(Array.from({ length: 8 }, () => ''));
  });
});
