import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrafficRecord } from './traffic';
import { TrafficMeter } from './traffic';

function meterWithStep(): TrafficMeter {
  const meter = new TrafficMeter();
  // Two vanilla steps of hospital-a, one of hospital-b.
  meter.record({ participantId: 'hospital-a', direction: 'up', kind: 'activations', bytes: 1000 });
  meter.record({ participantId: 'hospital-a', direction: 'up', kind: 'labels', bytes: 64 });
  meter.record({ participantId: 'hospital-a', direction: 'down', kind: 'gradients', bytes: 1000 });
  meter.record({ participantId: 'hospital-a', direction: 'up', kind: 'activations', bytes: 1000 });
  meter.record({ participantId: 'hospital-b', direction: 'up', kind: 'activations', bytes: 500 });
  meter.record({ participantId: 'hospital-b', direction: 'down', kind: 'weights', bytes: 4000, messages: 2 });
  return meter;
}

describe('TrafficMeter', () => {
  it('tallies per participant, direction and kind', () => {
    const a = meterWithStep().forParticipant('hospital-a');
    // up: 1000 + 64 + 1000 = 2064 bytes in 3 messages; down: 1000 in 1
    expect(a.up).toEqual({ bytes: 2064, messages: 3 });
    expect(a.down).toEqual({ bytes: 1000, messages: 1 });
    expect(a.total).toEqual({ bytes: 3064, messages: 4 });
    expect(a.byKind.activations).toEqual({
      up: { bytes: 2000, messages: 2 },
      down: { bytes: 0, messages: 0 },
      total: { bytes: 2000, messages: 2 },
    });
    expect(Object.keys(a.byKind)).toEqual(['activations', 'gradients', 'labels']);
  });

  it('totals across participants', () => {
    const meter = meterWithStep();
    // up: 2064 (a) + 500 (b) = 2564 in 4; down: 1000 (a) + 4000 (b) = 5000 in 1 + 2 = 3
    expect(meter.totals()).toEqual({
      up: { bytes: 2564, messages: 4 },
      down: { bytes: 5000, messages: 3 },
      total: { bytes: 7564, messages: 7 },
    });
    expect(meter.participants()).toEqual(['hospital-a', 'hospital-b']);
  });

  it('snapshots to plain JSON that survives a round trip', () => {
    const snapshot = meterWithStep().snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    // activations: 2000 (a) + 500 (b) up, in 3 messages
    expect(snapshot.byKind.activations?.up).toEqual({ bytes: 2500, messages: 3 });
    expect(snapshot.byKind.weights?.down).toEqual({ bytes: 4000, messages: 2 });
    expect(snapshot.byParticipant['hospital-b']?.total).toEqual({ bytes: 4500, messages: 3 });
  });

  it('is a copy: later records do not change an earlier snapshot', () => {
    const meter = meterWithStep();
    const before = meter.snapshot();
    meter.record({ participantId: 'hospital-a', direction: 'up', kind: 'activations', bytes: 7 });
    expect(before.total.bytes).toBe(7564);
    expect(meter.snapshot().total.bytes).toBe(7564 + 7);
  });

  it('resets to zero and reports unknown participants as zero', () => {
    const meter = meterWithStep();
    meter.reset();
    expect(meter.participants()).toEqual([]);
    expect(meter.totals().total).toEqual({ bytes: 0, messages: 0 });
    expect(meter.forParticipant('hospital-a')).toEqual({
      up: { bytes: 0, messages: 0 },
      down: { bytes: 0, messages: 0 },
      total: { bytes: 0, messages: 0 },
      byKind: {},
    });
  });

  it('keeps hostile participant ids as plain keys', () => {
    const meter = new TrafficMeter();
    meter.record({ participantId: '__proto__', direction: 'up', kind: '__proto__', bytes: 3 });
    const snapshot = meter.snapshot();
    expect(Object.getPrototypeOf(snapshot.byParticipant)).toBe(Object.prototype);
    expect(Object.keys(snapshot.byParticipant)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('rejects negative, fractional and non-finite counts', () => {
    const meter = new TrafficMeter();
    for (const bytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => meter.record({ participantId: 'x', direction: 'up', kind: 'control', bytes })).toThrow(RangeError);
    }
    expect(() => meter.record({ participantId: 'x', direction: 'up', kind: 'control', bytes: 1, messages: -1 })).toThrow(RangeError);
    expect(meter.participants()).toEqual([]);
  });

  it('keeps every view consistent with the raw records', () => {
    const recordArbitrary: fc.Arbitrary<TrafficRecord> = fc.record({
      participantId: fc.constantFrom('a', 'b', 'c'),
      direction: fc.constantFrom('up' as const, 'down' as const),
      kind: fc.constantFrom('activations', 'gradients', 'labels'),
      bytes: fc.nat({ max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 40 }), (records) => {
        const meter = new TrafficMeter();
        records.forEach((record) => meter.record(record));
        const snapshot = meter.snapshot();
        const sumBytes = (filter: (record: TrafficRecord) => boolean): number =>
          records.filter(filter).reduce((sum, record) => sum + record.bytes, 0);

        expect(snapshot.total.bytes).toBe(sumBytes(() => true));
        expect(snapshot.total.messages).toBe(records.length);
        expect(snapshot.up.bytes).toBe(sumBytes((record) => record.direction === 'up'));
        for (const [id, view] of Object.entries(snapshot.byParticipant)) {
          expect(view.down.bytes).toBe(sumBytes((record) => record.participantId === id && record.direction === 'down'));
        }
        for (const [kind, view] of Object.entries(snapshot.byKind)) {
          expect(view.total.bytes).toBe(sumBytes((record) => record.kind === kind));
        }
      }),
    );
  });
});
