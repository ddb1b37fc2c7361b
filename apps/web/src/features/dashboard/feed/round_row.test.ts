import { describe, expect, it } from 'vitest';
import { latestEvaluation, PER_CLIENT_LINES, spreadOf, toRoundRow, toRoundRows } from './round_row';
import { relayRound } from './test_support';

describe('round rows', () => {
  it('flattens a round, validation metrics included', () => {
    const row = toRoundRow(relayRound(4), true);
    expect(row).toMatchObject({ round: 4, trainLoss: 0.2, valLoss: 0.7, valAccuracy: 0.8, valAuc: 0.9, valSensitivity: 0.6, valSpecificity: 0.95, valCount: 115, clients: 2 });
    expect(row.perClient).toEqual([
      { participantId: 'p-a', bytesUp: 1000, bytesDown: 500 },
      { participantId: 'p-b', bytesUp: 1001, bytesDown: 501 },
    ]);
  });

  it('leaves validation columns empty in a round without validation', () => {
    const row = toRoundRow(relayRound(0, { val: null }), false);
    expect([row.valLoss, row.valAccuracy, row.valAuc, row.valCount]).toEqual([null, null, null, null]);
    expect(row.perClient).toBeUndefined();
  });

  it('takes the median of an even and an odd number of clients', () => {
    expect(spreadOf([5, 1, 3])).toEqual({ min: 1, median: 3, max: 5 });
    expect(spreadOf([4, 1, 3, 10])).toEqual({ min: 1, median: 3.5, max: 10 });
    expect(spreadOf([])).toBeNull();
  });

  it('keeps per-client values only while the study has few clients', () => {
    const few = Array.from({ length: PER_CLIENT_LINES }, (_, i) => `p-${i}`);
    const seen = new Set<string>();
    expect(toRoundRows([relayRound(0, {}, few)], seen)[0]?.perClient).toHaveLength(PER_CLIENT_LINES);
    const [row] = toRoundRows([relayRound(1, {}, ['p-new'])], seen);
    expect(row?.perClient).toBeUndefined();
    expect(row?.upSpread).toEqual({ min: 1000, median: 1000, max: 1000 });
  });

  it('decides on the whole snapshot, so early rounds do not keep lines that later ones drop', () => {
    const many = Array.from({ length: PER_CLIENT_LINES + 1 }, (_, i) => `p-${i}`);
    const rows = toRoundRows([relayRound(0, {}, ['p-0']), relayRound(1, {}, many)], new Set());
    expect(rows.map((row) => row.perClient)).toEqual([undefined, undefined]);
  });

  it('finds the latest evaluation, never going back to an older round', () => {
    const latest = latestEvaluation([relayRound(2), relayRound(5, { val: null }), relayRound(3)], null);
    expect(latest?.round).toBe(3);
    expect(latestEvaluation([relayRound(1)], latest)?.round).toBe(3);
  });
});
