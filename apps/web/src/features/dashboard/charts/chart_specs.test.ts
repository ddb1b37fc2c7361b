import { describe, expect, it } from 'vitest';
import { protocol } from '@splitlearn/split-core/pure';
import { PER_CLIENT_LINES, toRoundRow, toRoundRows } from '../feed/round_row';
import { SeriesStore } from '../feed/series_store';
import { relayRound, studyInfo } from '../feed/test_support';
import { CHART_SPECS, labelsReachServer, leakDefence, type ChartSpec } from './chart_specs';

const spec = (id: string): ChartSpec => {
  const found = CHART_SPECS.find((entry) => entry.id === id);
  if (!found) throw new Error(`no chart ${id}`);
  return found;
};
const names = (participantId: string): string => ({ 'p-a': 'Hospital 10', 'p-b': 'Hospital 2' })[participantId] ?? participantId;

describe('chart specs', () => {
  it('draws the label leak AUCs of each round, and only for binary studies whose labels reach the server', () => {
    const store = new SeriesStore();
    store.merge([toRoundRow({ ...relayRound(0), leak: { norm: 0.62, direction: 0.97 } }, false), toRoundRow(relayRound(1), false)]);
    const series = spec('leak').series(store, names);
    expect(series.map((entry) => [entry.label, [...entry.column]])).toEqual([
      ['Norm attack', [0.62, null]],
      ['Direction attack', [0.97, null]],
    ]);
    const config = protocol.horizontalStudy(studyInfo().config);
    expect(labelsReachServer({ ...config, topology: 'vanilla', classes: ['a', 'b'] })).toBe(true);
    expect(labelsReachServer({ ...config, topology: 'u-shaped', classes: ['a', 'b'] })).toBe(false);
    expect(labelsReachServer({ ...config, topology: 'vanilla', classes: ['a', 'b', 'c'] })).toBe(false);
    expect(labelsReachServer({ ...config, topology: 'vanilla', classes: ['a', 'b'], method: 'fedavg' })).toBe(false);
    // Next to the figures, the defence that produced them.
    expect(leakDefence(config)).toMatch(/^Defence in force: none; the relay returns the cut gradients as computed/);
    expect(leakDefence({ ...config, gradientNoise: { kind: 'max-norm', scale: 2 } })).toMatch(/^Defence in force: max-norm noise on the cut gradients \(scale 2\)/);
  });

  it('draws one line per client, by name, while there are few clients', () => {
    const store = new SeriesStore();
    store.merge([toRoundRow(relayRound(0), true)]);
    const series = spec('client-up').series(store, names);
    expect(series.map((entry) => entry.label)).toEqual(['Hospital 2', 'Hospital 10']);
    expect(series[0]?.column).toBe(store.clientColumns?.get('p-b')?.up);
    expect(spec('client-up').band?.(series)).toBeUndefined();
  });

  it('draws the spread across clients, with a band, once there are many', () => {
    const store = new SeriesStore();
    const many = Array.from({ length: PER_CLIENT_LINES + 1 }, (_, i) => `p-${i}`);
    store.merge(toRoundRows([relayRound(0, {}, many)], new Set()));
    const series = spec('client-down').series(store, names);
    expect(series.map((entry) => entry.label)).toEqual(['Max per client', 'Median per client', 'Min per client']);
    expect(series[1]?.column).toBe(store.columns.downMedian);
    expect(spec('client-down').band?.(series)).toEqual([1, 3]);
  });

  it('hands uPlot the store arrays themselves, so a new point needs no copy', () => {
    const store = new SeriesStore();
    const [train] = spec('loss').series(store, names);
    store.merge([toRoundRow(relayRound(0), false)]);
    expect(train?.column).toBe(store.columns.trainLoss);
    expect(train?.column).toHaveLength(1);
  });
});
