import { describe, expect, it } from 'vitest';
import { DrawLatency, type LatencySample } from './draw_latency';

function tracker() {
  let now = 1_000;
  const samples: LatencySample[] = [];
  const latency = new DrawLatency(
    () => now,
    (sample) => samples.push(sample),
  );
  return { latency, samples, advance: (ms: number) => (now += ms) };
}

describe('DrawLatency', () => {
  it('reports a round once every chart it was handed to has drawn it', () => {
    const { latency, samples, advance } = tracker();
    latency.expect(7, 900, ['loss', 'accuracy']);
    advance(10);
    latency.drawn('loss', 7);
    expect(samples).toEqual([]);
    advance(5);
    latency.drawn('accuracy', 8);
    expect(samples).toEqual([{ round: 7, delayMs: 115 }]);
    latency.drawn('accuracy', 8);
    expect(samples).toHaveLength(1);
  });

  it('waits for a chart that has not drawn that far yet', () => {
    const { latency, samples } = tracker();
    latency.expect(3, 1_000, ['loss']);
    latency.drawn('loss', 2);
    expect(samples).toEqual([]);
    latency.drawn('loss', 3);
    expect(samples).toEqual([{ round: 3, delayMs: 0 }]);
  });

  it('counts a round as shown when no chart is on the page, and stops waiting for a removed chart', () => {
    const { latency, samples } = tracker();
    latency.expect(1, 400, []);
    expect(samples).toEqual([{ round: 1, delayMs: 600 }]);
    latency.expect(2, 500, ['loss', 'auc']);
    latency.drawn('loss', 2);
    latency.forget('auc');
    expect(samples.at(-1)).toEqual({ round: 2, delayMs: 500 });
  });
});
