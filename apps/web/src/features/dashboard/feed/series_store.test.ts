import { describe, expect, it } from 'vitest';
import { toRoundRow, toRoundRows, PER_CLIENT_LINES } from './round_row';
import { SeriesStore } from './series_store';
import { relayRound } from './test_support';

const rows = (...rounds: number[]) => rounds.map((round) => toRoundRow(relayRound(round), true));

describe('SeriesStore', () => {
  it('appends rounds in order, with 1-based round numbers for the x axis', () => {
    const store = new SeriesStore();
    const result = store.merge(rows(0, 1, 2));
    expect(result).toEqual({ added: 3, replaced: 0, layoutChanged: true });
    expect(store.rounds).toEqual([0, 1, 2]);
    expect(store.roundNumbers).toEqual([1, 2, 3]);
    expect(store.columns.trainLoss).toEqual([1, 0.5, 1 / 3]);
  });

  it('merges a snapshot that arrives after live rounds: replaces duplicates, inserts what is missing', () => {
    const store = new SeriesStore();
    store.merge(rows(5, 6));
    const snapshot = [0, 1, 2, 3, 4, 5].map((round) => toRoundRow(relayRound(round, { samples: 1 }), true));
    expect(store.merge(snapshot)).toMatchObject({ added: 5, replaced: 1 });
    expect(store.rounds).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(store.columns.samples).toEqual([1, 1, 1, 1, 1, 1, 640]);
    // Every column stays aligned with x.
    for (const column of Object.values(store.columns)) expect(column).toHaveLength(7);
  });

  it('replaces a re-sent round in place (a reconnect re-sends the history)', () => {
    const store = new SeriesStore();
    store.merge(rows(0, 1));
    const versionBefore = store.dataVersion;
    store.merge([toRoundRow(relayRound(1, { trainLoss: 0.25 }), true)]);
    expect(store.rounds).toEqual([0, 1]);
    expect(store.columns.trainLoss).toEqual([1, 0.25]);
    expect(store.dataVersion).toBe(versionBefore + 1);
  });

  it('keeps a column per client, with gaps in rounds the client sat out', () => {
    const store = new SeriesStore();
    store.merge([toRoundRow(relayRound(1, {}, ['p-a']), true), toRoundRow(relayRound(2, {}, ['p-a', 'p-b']), true), toRoundRow(relayRound(3, {}, ['p-b']), true)]);
    const clients = store.clientColumns;
    expect([...(clients?.keys() ?? [])]).toEqual(['p-a', 'p-b']);
    expect(clients?.get('p-a')?.up).toEqual([1000, 1000, null]);
    expect(clients?.get('p-b')?.up).toEqual([null, 1001, 1000]);
    // A round inserted before the others gives every client column a slot.
    store.merge([toRoundRow(relayRound(0, {}, ['p-b']), true)]);
    expect(store.rounds).toEqual([0, 1, 2, 3]);
    expect(clients?.get('p-a')?.up).toEqual([null, 1000, 1000, null]);
    expect(clients?.get('p-b')?.up).toEqual([1000, null, 1001, 1000]);
  });

  it('switches to the spread across clients once there are too many for one line each', () => {
    const store = new SeriesStore();
    store.merge(rows(0));
    const layout = store.layoutVersion;
    const many = Array.from({ length: PER_CLIENT_LINES + 2 }, (_, i) => `p-${i}`);
    const result = store.merge(toRoundRows([relayRound(1, {}, many)], new Set(['p-a', 'p-b'])));
    expect(result.layoutChanged).toBe(true);
    expect(store.layoutVersion).toBe(layout + 1);
    expect(store.clientColumns).toBeNull();
    expect(store.columns.upMax).toEqual([1001, 1000 + PER_CLIENT_LINES + 1]);
    expect(store.columns.upMin).toEqual([1000, 1000]);
  });

  it('does not change the layout for rounds of known clients', () => {
    const store = new SeriesStore();
    store.merge(rows(0));
    expect(store.merge(rows(1, 2)).layoutChanged).toBe(false);
  });

  it('keeps a multi-task study’s figures per task, aligned with x, a task that appears later filled with gaps before it', () => {
    const store = new SeriesStore();
    const withTasks = (round: number, tasks: { name: string; accuracy: number; auc: number | null }[]) => {
      const relay = relayRound(round);
      const val = relay.val ?? { loss: 1, accuracy: 0.5, auc: 0.5, sensitivity: 0.5, specificity: 0.5, confusion: [], count: 1 };
      return toRoundRow({ ...relay, val: { ...val, tasks: tasks.map((task) => ({ ...val, ...task })) } }, true);
    };
    expect(store.merge([withTasks(0, [{ name: 'outcome', accuracy: 0.6, auc: 0.7 }])]).layoutChanged).toBe(true);
    expect(store.merge([withTasks(1, [{ name: 'outcome', accuracy: 0.7, auc: 0.8 }])]).layoutChanged).toBe(false);
    expect(store.merge([withTasks(2, [{ name: 'outcome', accuracy: 0.8, auc: null }, { name: 'grade', accuracy: 0.5, auc: 0.6 }])]).layoutChanged).toBe(true);
    expect([...store.taskColumns.keys()]).toEqual(['outcome', 'grade']);
    expect(store.taskColumns.get('outcome')).toEqual({ accuracy: [0.6, 0.7, 0.8], auc: [0.7, 0.8, null] });
    expect(store.taskColumns.get('grade')).toEqual({ accuracy: [null, null, 0.5], auc: [null, null, 0.6] });
    store.merge(rows(3));
    expect(store.taskColumns.get('grade')?.accuracy).toHaveLength(4);
  });
});
