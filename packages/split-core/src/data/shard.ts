// Splitting one dataset among simulated hospitals (IID or label-skewed) and a client's
// data into local train/validation parts. Everything is a pure function of the samples
// and the rng, so a simulation can be replayed exactly from its seed.

import type { Rng } from './random';
import { shuffled } from './random';

interface Labelled {
  label: number;
}

/**
 * IID shards: a seeded shuffle dealt into `clients` contiguous parts whose sizes differ by
 * at most one. Every sample lands in exactly one shard.
 */
export function shardIid<T>(samples: readonly T[], clients: number, rng: Rng): T[][] {
  checkClients(clients);
  const order = shuffled(samples, rng);
  const base = Math.floor(order.length / clients);
  const extra = order.length % clients;
  const shards: T[][] = [];
  let start = 0;
  for (let client = 0; client < clients; client++) {
    const size = base + (client < extra ? 1 : 0);
    shards.push(order.slice(start, start + size));
    start += size;
  }
  return shards;
}

/**
 * Label-skewed shards, the usual non-IID benchmark (Hsu et al. 2019): for each class
 * separately, the share each client receives is drawn from Dirichlet(alpha, ..., alpha).
 * Large alpha approaches IID; small alpha (0.1) gives most clients only one or two classes.
 *
 * Guarantee: when there are at least as many samples as clients, every client gets at
 * least one sample. A skewed draw can leave a client empty, and an empty hospital cannot
 * take part in a training round; so each empty client receives one sample taken from the
 * currently largest shard (which has at least two). This nudges the distribution only for
 * tiny datasets or extreme alpha. With fewer samples than clients some shards stay empty.
 *
 * Every sample lands in exactly one shard; each shard comes back shuffled, so consumers
 * never see it grouped by class.
 */
export function shardDirichlet<T extends Labelled>(
  samples: readonly T[],
  clients: number,
  alpha: number,
  rng: Rng,
): T[][] {
  checkClients(clients);
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new Error(`Dirichlet alpha must be a positive finite number, got ${alpha}.`);
  }
  const shards: T[][] = Array.from({ length: clients }, () => []);
  for (const members of groupByLabel(samples).values()) {
    const counts = apportion(members.length, dirichlet(clients, alpha, rng));
    let start = 0;
    const order = shuffled(members, rng);
    counts.forEach((count, client) => {
      shards[client]?.push(...order.slice(start, start + count));
      start += count;
    });
  }
  if (samples.length >= clients) fillEmptyShards(shards);
  return shards.map((shard) => shuffled(shard, rng));
}

/**
 * A client's local validation split, stratified by class: each class gives `fraction` of
 * its samples to validation (rounded so the total is round(n * fraction) and each class is
 * within one of its exact share). Both parts keep the input order.
 */
export function stratifiedSplit<T extends Labelled>(
  samples: readonly T[],
  fraction: number,
  rng: Rng,
): { train: T[]; val: T[] } {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new Error(`Validation fraction must be within [0, 1], got ${fraction}.`);
  }
  const groups = [...groupByLabel(samples).values()];
  const quotas = groups.map((members) => members.length * fraction);
  const valCounts = apportion(Math.round(samples.length * fraction), quotas);
  const inVal = new Set<T>();
  groups.forEach((members, g) => {
    for (const sample of shuffled(members, rng).slice(0, valCounts[g] ?? 0)) inVal.add(sample);
  });
  const train: T[] = [];
  const val: T[] = [];
  for (const sample of samples) (inVal.has(sample) ? val : train).push(sample);
  return { train, val };
}

function checkClients(clients: number): void {
  if (!Number.isInteger(clients) || clients < 1) {
    throw new Error(`The number of clients must be a positive integer, got ${clients}.`);
  }
}

/** Classes in ascending label order, members in input order: the rng alone decides the rest. */
function groupByLabel<T extends Labelled>(samples: readonly T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const sample of samples) {
    const members = groups.get(sample.label);
    if (members) members.push(sample);
    else groups.set(sample.label, [sample]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a - b));
}

/** Normalized Gamma(alpha) draws; as alpha -> 0 they can all underflow to zero, whose limit is one random winner. */
function dirichlet(size: number, alpha: number, rng: Rng): number[] {
  const draws = Array.from({ length: size }, () => rng.gamma(alpha));
  const total = draws.reduce((sum, d) => sum + d, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    const winner = rng.int(size);
    return draws.map((_, i) => (i === winner ? 1 : 0));
  }
  return draws.map((d) => d / total);
}

/**
 * Integer counts summing to `total`, proportional to `weights` (largest remainder method;
 * ties go to the lower index so the result is deterministic).
 */
function apportion(total: number, weights: readonly number[]): number[] {
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (weightSum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (w / weightSum) * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((sum, c) => sum + c, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left--;
  }
  return counts;
}

function fillEmptyShards<T>(shards: T[][]): void {
  for (const empty of shards) {
    if (empty.length > 0) continue;
    let donor = shards[0] ?? [];
    for (const shard of shards) if (shard.length > donor.length) donor = shard;
    const moved = donor.pop();
    if (moved !== undefined) empty.push(moved);
  }
}
