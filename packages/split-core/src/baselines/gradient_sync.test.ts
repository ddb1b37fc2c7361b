import { describe, expect, it } from 'vitest';
import type { NamedWeight } from '../model/weights';
import { GradientSync } from './gradient_sync';

const gradient = (value: number, name = 'w'): NamedWeight[] => [{ name, shape: [2], values: Float32Array.of(value, -value) }];
const layout = [
  { name: 'w', shape: [2] },
  { name: 'moving_mean', shape: [2] },
];

describe('GradientSync', () => {
  it('averages a step by samples once every client is in, and hands the same average to a client without a batch', async () => {
    const sync = new GradientSync(new Map([['a', 2], ['b', 1], ['c', 2]]), layout);
    const a0 = sync.submit('a', 0, 3, gradient(1));
    const b0 = sync.submit('b', 0, 1, gradient(5));
    let settled = false;
    void a0.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    const c0 = sync.submit('c', 0, 4, gradient(0));
    const expected = (3 * 1 + 5) / 8;
    for (const reply of await Promise.all([a0, b0, c0])) expect(Array.from(reply[0]?.values ?? [])).toEqual([expected, -expected]);
    // Step 1: b has no batch left; it sends nothing and still gets the average.
    const [a1, b1, c1] = await Promise.all([sync.submit('a', 1, 2, gradient(2)), sync.submit('b', 1, 0, []), sync.submit('c', 1, 2, gradient(4))]);
    expect(Array.from(a1[0]?.values ?? [])).toEqual([3, -3]);
    expect(b1).toEqual(a1);
    expect(c1).toEqual(a1);
  });

  it('gives a step the same average, to the last bit, whatever order the gradients arrive in', async () => {
    // Values whose float32 sums round differently by order: an average summed as the gradients
    // arrive made two relays (or a relay and the simulator) drift apart over a round.
    const values = (seed: number): NamedWeight[] => [{ name: 'w', shape: [512], values: Float32Array.from({ length: 512 }, (_, i) => Math.sin(seed * 7919 + i * 104729) * 10 ** ((i % 7) - 3)) }];
    const ids = ['a', 'b', 'c'];
    const averageIn = async (order: readonly string[]): Promise<Float32Array> => {
      const sync = new GradientSync(new Map(ids.map((id) => [id, 1])));
      const replies = order.map((id) => sync.submit(id, 0, 3 + ids.indexOf(id) * 2, values(ids.indexOf(id) + 1)));
      return (await Promise.all(replies))[0]?.[0]?.values as Float32Array;
    };
    const reference = await averageIn(ids);
    for (const order of [['c', 'b', 'a'], ['b', 'c', 'a'], ['c', 'a', 'b']]) expect(Array.from(await averageIn(order))).toEqual(Array.from(reference));
  });

  it('goes on without a client that leaves, and tells a leaver waiting on a step', async () => {
    const sync = new GradientSync(new Map([['a', 3], ['b', 3]]));
    const a0 = sync.submit('a', 0, 1, gradient(1));
    sync.leave('b', 'disconnected');
    expect(Array.from((await a0)[0]?.values ?? [])).toEqual([1, -1]);
    const lone = new GradientSync(new Map([['a', 3], ['b', 3]]));
    const waiting = lone.submit('a', 0, 1, gradient(1));
    lone.leave('a', 'disconnected');
    await expect(waiting).rejects.toThrow(/a disconnected/);
    await expect(lone.submit('a', 1, 1, gradient(1))).rejects.toThrow(/not training/);
  });

  it('refuses a step out of turn, a batch it does not hold, non-finite values and weights the model does not have', async () => {
    const sync = new GradientSync(new Map([['a', 1], ['b', 1]]), layout);
    await expect(sync.submit('a', 1, 1, gradient(1))).rejects.toThrow(/step 0 was due/);
    await expect(sync.submit('a', 0, 0, [])).rejects.toThrow(/1 batches this round/);
    await expect(sync.submit('a', 0, 1, gradient(Number.NaN))).rejects.toThrow(/non-finite/);
    await expect(sync.submit('a', 0, 1, gradient(1, 'other'))).rejects.toThrow(/not a weight of this study/);
    await expect(sync.submit('z', 0, 1, gradient(1))).rejects.toThrow(/not training/);
    // None of the refusals counted: a and b still settle step 0 together.
    const [a, b] = await Promise.all([sync.submit('a', 0, 1, gradient(2)), sync.submit('b', 0, 1, gradient(4))]);
    expect(Array.from(a[0]?.values ?? [])).toEqual([3, -3]);
    expect(b).toEqual(a);
  });
});
