import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from './random';
import { shardDirichlet, shardIid, stratifiedSplit } from './shard';

interface Item {
  id: number;
  label: number;
}

function items(count: number, classes: number): Item[] {
  return Array.from({ length: count }, (_, id) => ({ id, label: id % classes }));
}

/** Every input item appears exactly once across the parts. */
function expectPartition(parts: Item[][], all: Item[]): void {
  const ids = parts.flat().map((item) => item.id);
  expect(ids).toHaveLength(all.length);
  expect(new Set(ids).size).toBe(all.length);
}

function labelCounts(shard: Item[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const item of shard) counts[item.label] = (counts[item.label] ?? 0) + 1;
  return counts;
}

describe('shardIid', () => {
  it('partitions into shards whose sizes differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 17 }), fc.integer(), (count, clients, seed) => {
        const all = items(count, 3);
        const shards = shardIid(all, clients, createRng(seed));
        expect(shards).toHaveLength(clients);
        expectPartition(shards, all);
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is deterministic from the seed and changes with it', () => {
    const all = items(50, 2);
    const ids = (seed: number): number[][] => shardIid(all, 4, createRng(seed)).map((s) => s.map((i) => i.id));
    expect(ids(7)).toEqual(ids(7));
    expect(ids(7)).not.toEqual(ids(8));
  });

  it('rejects a non-positive client count', () => {
    expect(() => shardIid(items(3, 1), 0, createRng(1))).toThrow(/positive integer/);
  });
});

describe('shardDirichlet', () => {
  it('partitions, and gives every client a sample when there are enough samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(0.001, 0.05, 0.5, 5, 1000),
        fc.integer(),
        (count, clients, alpha, seed) => {
          const all = items(count, 4);
          const shards = shardDirichlet(all, clients, alpha, createRng(seed));
          expect(shards).toHaveLength(clients);
          expectPartition(shards, all);
          if (count >= clients) for (const shard of shards) expect(shard.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('skews labels strongly for small alpha and hardly at all for large alpha', () => {
    const classes = 4;
    const all = items(4000, classes);
    // Mean share of each client's samples that belong to its most common class.
    const dominance = (alpha: number): number => {
      const shards = shardDirichlet(all, 10, alpha, createRng(3));
      const shares = shards.map((s) => Math.max(...labelCounts(s, classes)) / s.length);
      return shares.reduce((a, b) => a + b, 0) / shards.length;
    };
    expect(dominance(0.05)).toBeGreaterThan(0.8);
    expect(dominance(1000)).toBeLessThan(0.3);
  });

  it('is deterministic from the seed', () => {
    const all = items(200, 3);
    const ids = (seed: number): number[][] => shardDirichlet(all, 5, 0.3, createRng(seed)).map((s) => s.map((i) => i.id));
    expect(ids(11)).toEqual(ids(11));
    expect(ids(11)).not.toEqual(ids(12));
  });

  it('rejects a non-positive alpha', () => {
    expect(() => shardDirichlet(items(3, 1), 2, 0, createRng(1))).toThrow(/alpha/);
  });
});

describe('stratifiedSplit', () => {
  it('partitions and keeps class proportions within one sample per class', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 150 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (labels, fraction, seed) => {
          const all = labels.map((label, id) => ({ id, label }));
          const { train, val } = stratifiedSplit(all, fraction, createRng(seed));
          expectPartition([train, val], all);
          expect(val.length).toBe(Math.round(all.length * fraction));
          const total = labelCounts(all, 4);
          labelCounts(val, 4).forEach((count, label) => {
            expect(Math.abs(count - (total[label] ?? 0) * fraction)).toBeLessThan(1 + 1e-9);
          });
        },
      ),
    );
  });

  it('keeps the input order inside each part', () => {
    const all = items(40, 2);
    const { train, val } = stratifiedSplit(all, 0.25, createRng(5));
    const isAscending = (part: Item[]): boolean => part.every((item, i) => i === 0 || (part[i - 1]?.id ?? -1) < item.id);
    expect(isAscending(train)).toBe(true);
    expect(isAscending(val)).toBe(true);
  });

  it('rejects a fraction outside [0, 1]', () => {
    expect(() => stratifiedSplit(items(3, 1), 1.5, createRng(1))).toThrow(/\[0, 1\]/);
  });
});
