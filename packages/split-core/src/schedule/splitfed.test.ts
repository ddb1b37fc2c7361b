import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import type { ModelSpec } from '../model/spec';
import { averageSegmentWeights } from './fedavg';
import { randomDataset, relativeWeightDistances, useBackend } from '../testing/fixtures';
import { InProcessFederation } from '../training/in_process_federation';
import { horizontalRolePlans } from '../topology/role_plans';
import { planSplit } from '../topology/split_plan';
import { vanilla } from '../topology/vanilla';
import { SHARED_SERVER, singleClientGroup, type TrainingGroup } from './federation';
import { getSchedule } from './get';

const spec: ModelSpec = {
  name: 'tiny-mlp',
  inputShape: [6],
  numClasses: 2,
  layers: [
    { type: 'dense', name: 'hidden', units: 5, activation: 'relu' },
    { type: 'dense', name: 'logits', units: 2 },
  ],
  defaultCuts: { vanilla: 'hidden', uShaped: ['hidden', 'hidden'] },
};

/** `declared` overrides what each client claims to hold (its group's sampleCount). */
function federation(meter: TrafficMeter, declared?: number[]): InProcessFederation {
  // Unequal shards, so sample weighting matters.
  const clients = [8, 16, 40].map((count, k) => ({ id: `h${k}`, data: randomDataset({ seed: k, count, sampleShape: [6], numClasses: 2, idPrefix: `h${k}` }) }));
  const groups = declared ? clients.map((client, k) => singleClientGroup(client.id, declared[k] ?? client.data.samples.length)) : undefined;
  return new InProcessFederation({ plans: horizontalRolePlans(planSplit(spec, vanilla)), clients, ...(groups ? { groups } : {}), batchSize: 8, seed: 1, optimizer: { name: 'sgd', learningRate: 0.1 }, encoding: 'fp32', meter });
}

const firstGroup = (fed: InProcessFederation): TrainingGroup => fed.groups[0] as TrainingGroup;

beforeAll(() => useBackend('cpu'));

describe('SplitFed schedules', () => {
  it.each(['splitfed-v1', 'splitfed-v2'])('%s leaves every client with the same client segment, and moves weights once up and once down per client', async (name) => {
    const meter = new TrafficMeter();
    const fed = federation(meter);
    const before = await fed.readServerWeights(SHARED_SERVER);
    meter.reset();
    await getSchedule(name).runRound(fed);
    const clientWeights = await Promise.all(fed.groups.map((group) => fed.readGroupWeights(group)));
    for (const weights of clientWeights.slice(1)) {
      for (const distance of relativeWeightDistances(clientWeights[0]?.[0] ?? [], weights[0] ?? []).values()) expect(distance).toBe(0);
    }
    const after = await fed.readServerWeights(SHARED_SERVER);
    expect(Math.max(...relativeWeightDistances(before[0] ?? [], after[0] ?? []).values())).toBeGreaterThan(1e-3);
    const traffic = meter.snapshot();
    for (const group of fed.groups) {
      // One FedAvg upload + one download in the round, plus the reads above (uploads).
      expect(traffic.byParticipant[group.id]?.byKind.weights?.down.messages).toBe(1);
      expect(traffic.byParticipant[group.id]?.byKind.weights?.up.messages).toBe(2);
    }
    fed.dispose();
  });

  it('splitfed-v1 sets the shared server to the sample-weighted mean of the per-client server copies', async () => {
    const fed = federation(new TrafficMeter());
    await getSchedule('splitfed-v1').runRound(fed);
    const copies = await Promise.all(fed.groups.map((group) => fed.readServerWeights(`group:${group.id}`)));
    const expected = averageSegmentWeights(
      copies,
      fed.groups.map((group) => group.sampleCount),
    );
    const shared = await fed.readServerWeights(SHARED_SERVER);
    for (const distance of relativeWeightDistances(expected[0] ?? [], shared[0] ?? []).values()) expect(distance).toBeLessThan(1e-6);
    // The copies really diverged during the round: averaging was not a no-op.
    expect(Math.max(...relativeWeightDistances(copies[0]?.[0] ?? [], copies[2]?.[0] ?? []).values())).toBeGreaterThan(1e-3);
    fed.dispose();
  });

  it.each(['splitfed-v1', 'splitfed-v2'])('%s weights each client by the samples the server processed, not by the size it declares', async (name) => {
    const honest = federation(new TrafficMeter());
    // h0 claims ten million samples; it holds 8, and the server processes 8.
    const boastful = federation(new TrafficMeter(), [10_000_000, 16, 40]);
    const outcomes = [await getSchedule(name).runRound(honest), await getSchedule(name).runRound(boastful)];
    for (const outcome of outcomes) expect([...outcome.trained.entries()]).toEqual([['h0', 8], ['h1', 16], ['h2', 40]]);
    for (const [a, b] of [
      [await honest.readGroupWeights(firstGroup(honest)), await boastful.readGroupWeights(firstGroup(boastful))],
      [await honest.readServerWeights(SHARED_SERVER), await boastful.readServerWeights(SHARED_SERVER)],
    ]) {
      for (const distance of relativeWeightDistances(a?.[0] ?? [], b?.[0] ?? []).values()) expect(distance).toBe(0);
    }
    honest.dispose();
    boastful.dispose();
  });

  it('refuses an unknown schedule name, listing the valid ones', () => {
    expect(() => getSchedule('gossip')).toThrow(/round-robin, splitfed-v1, splitfed-v2/);
  });
});
