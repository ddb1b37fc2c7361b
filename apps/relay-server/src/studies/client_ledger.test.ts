import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../storage/metrics';
import { ClientLedger, CumulativeTrafficMeter, totalsFromRecords } from './client_ledger';

function traffic(meter: CumulativeTrafficMeter, participantId: string, up: number, down: number): void {
  meter.record({ participantId, direction: 'up', kind: 'activations', bytes: up });
  meter.record({ participantId, direction: 'down', kind: 'gradients', bytes: down });
}

describe('ClientLedger', () => {
  it('settles each round: steps, samples, accuracy, loss and all traffic since the previous round, even after the per-round meter is reset', () => {
    const meter = new CumulativeTrafficMeter();
    const ledger = new ClientLedger(meter);
    meter.reset();
    traffic(meter, 'a', 100, 10);
    ledger.stepDone('a', { samples: 32 });
    ledger.stepDone('a', { samples: 8 });
    ledger.trainEpochDone('a', { steps: 2, loss: 0.5, samples: 40, correct: 30 });
    // U-shaped: the client reports the accuracy, the server counted the samples.
    ledger.stepDone('b', { samples: 20 });
    ledger.trainEpochDone('b', { steps: 1, loss: 1, samples: 20, clientAccuracy: 0.5 });
    traffic(meter, 'b', 50, 5);
    expect(ledger.totals('a')).toEqual({ steps: 2, samples: 40, bytesUp: 100, bytesDown: 10 });

    const first = ledger.closeRound(['a', 'b', 'idle']);
    expect(first.perClient).toEqual([
      { participantId: 'a', steps: 2, samples: 40, bytesUp: 100, bytesDown: 10, accuracy: 0.75, loss: 0.5 },
      { participantId: 'b', steps: 1, samples: 20, bytesUp: 50, bytesDown: 5, accuracy: 0.5, loss: 1 },
    ]);
    expect(first).toMatchObject({ steps: 3, samples: 60, bytesUp: 150, bytesDown: 15, trainAccuracy: 40 / 60, trainLoss: 2 / 3 });

    // Validation traffic after the round's training, then a new round: the meter's reset
    // loses nothing, the next round owns it.
    meter.reset();
    traffic(meter, 'a', 7, 3);
    const second = ledger.closeRound(['a', 'b']);
    expect(second.perClient).toEqual([{ participantId: 'a', steps: 0, samples: 0, bytesUp: 7, bytesDown: 3, accuracy: null, loss: null }]);
    expect(second.trainAccuracy).toBeNull();
    expect(ledger.totals('a')).toEqual({ steps: 2, samples: 40, bytesUp: 107, bytesDown: 13 });
  });

  it('an abandoned epoch counts its steps but no accuracy; a withdrawn participant is forgotten', () => {
    const meter = new CumulativeTrafficMeter();
    const ledger = new ClientLedger(meter, new Map([['a', { steps: 5, samples: 100, bytesUp: 1000, bytesDown: 2000 }]]));
    ledger.stepDone('a', { samples: 32, correct: 32 });
    expect(ledger.totals('a')).toEqual({ steps: 6, samples: 132, bytesUp: 1000, bytesDown: 2000 });
    expect(ledger.closeRound(['a']).trainAccuracy).toBeNull();
    traffic(meter, 'a', 1, 1);
    ledger.forget('a');
    expect(ledger.totals('a')).toEqual({ steps: 0, samples: 0, bytesUp: 0, bytesDown: 0 });
    expect(ledger.closeRound(['a']).perClient).toEqual([]);
  });

  it('totals from stored rows take the latest row of a round stored twice (a round re-run after a restart)', () => {
    const row = (id: number, round: number, participantId: string | null, metrics: Record<string, number>): MetricRecord => ({ id, studyId: 's', round, phase: 'train', participantId, metrics, createdAt: id });
    const totals = totalsFromRecords([
      row(1, 0, 'a', { steps: 3, samples: 96, bytesUp: 10, bytesDown: 20 }),
      row(2, 0, null, { steps: 99, samples: 999 }),
      row(3, 1, 'a', { steps: 1, samples: 1, bytesUp: 1, bytesDown: 1 }),
      row(4, 1, 'a', { steps: 3, samples: 96, bytesUp: 10, bytesDown: 20 }),
      row(5, 1, 'b', { steps: 2, samples: 64, bytesUp: 5, bytesDown: 6 }),
    ]);
    expect(Object.fromEntries(totals)).toEqual({
      a: { steps: 6, samples: 192, bytesUp: 20, bytesDown: 40 },
      b: { steps: 2, samples: 64, bytesUp: 5, bytesDown: 6 },
    });
  });
});
