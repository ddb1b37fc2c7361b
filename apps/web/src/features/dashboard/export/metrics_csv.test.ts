import { describe, expect, it } from 'vitest';
import { toRoundRow } from '../feed/round_row';
import { SeriesStore } from '../feed/series_store';
import { relayRound } from '../feed/test_support';
import { metricsCsv } from './metrics_csv';

describe('metricsCsv', () => {
  it('writes a header and one line per round, in round order, empty where a value is missing', () => {
    const store = new SeriesStore();
    store.merge([toRoundRow(relayRound(1, { val: null }), false), toRoundRow(relayRound(0), false)]);
    const lines = metricsCsv(store).split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 6)).toEqual(['round', 'finished_at', 'seconds', 'train_loss', 'train_accuracy', 'val_loss']);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const first = Object.fromEntries(header.map((name, i) => [name, lines[1]?.split(',')[i]]));
    expect(first).toMatchObject({ round: '1', finished_at: '2023-11-14T22:13:20.000Z', train_loss: '1', val_auc: '0.9', bytes_up: '2000', bytes_up_per_client_max: '1001' });
    const second = Object.fromEntries(header.map((name, i) => [name, lines[2]?.split(',')[i]]));
    expect(second).toMatchObject({ round: '2', train_loss: '0.5', val_loss: '', val_auc: '', val_samples: '' });
  });

  it('is just the header for an empty history', () => {
    expect(metricsCsv(new SeriesStore()).split('\r\n')).toHaveLength(2);
  });
});
