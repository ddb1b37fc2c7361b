import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { randomDataset, TINY_MLP, useBackend } from '../testing/fixtures';
import { InProcessFederation } from '../training/in_process_federation';
import { horizontalRolePlans } from '../topology/role_plans';
import { planSplit } from '../topology/split_plan';
import { vanilla } from '../topology/vanilla';
import type { Federation, SegmentWeights, TrainingGroup } from './federation';
import { RoundRobinSchedule } from './round_robin';

// A hand-off the next group refuses (a participant that sent what nobody can load: in a
// sealed study, bytes that do not open with the key, which the relay cannot check) must not
// stall round-robin: the group handed it fails its turn, and the next is handed the last
// weights a group did load, instead of the same unusable ones.

beforeAll(() => useBackend('cpu'));

/** The real in-process federation, with one client that, when `rogue` is on, hands over weights of another layout. */
function withRogue(real: InProcessFederation, rogueId: string, rogue: { on: boolean }): Federation {
  return {
    groups: real.groups,
    trainGroup: (group, key) => real.trainGroup(group, key),
    readServerWeights: (key) => real.readServerWeights(key),
    writeServerWeights: (key, weights) => real.writeServerWeights(key, weights),
    averageServerCopies: (keys, counts, into) => real.averageServerCopies(keys, counts, into),
    writeGroupWeights: (group, weights) => real.writeGroupWeights(group, weights),
    async readGroupWeights(group: TrainingGroup): Promise<SegmentWeights> {
      const weights = await real.readGroupWeights(group);
      if (!rogue.on || group.id !== rogueId) return weights;
      return weights.map((segment) => segment.map((weight) => ({ ...weight, name: `${weight.name}_unloadable` })));
    },
  };
}

describe('round-robin hand-off', () => {
  it('drops a refused hand-off for the last one a group loaded, so later turns go on', async () => {
    const clients = [0, 1, 2].map((k) => ({ id: `h${k}`, data: randomDataset({ seed: k, count: 16, sampleShape: [6], numClasses: 3, idPrefix: `h${k}` }) }));
    const real = new InProcessFederation({ plans: horizontalRolePlans(planSplit(TINY_MLP, vanilla)), clients, batchSize: 8, seed: 1, optimizer: { name: 'sgd', learningRate: 0.1 }, encoding: 'fp32', meter: new TrafficMeter() });
    const rogue = { on: false };
    const federation = withRogue(real, 'h0', rogue);
    const schedule = new RoundRobinSchedule();
    try {
      const first = await schedule.runRound(federation);
      expect(first.completed).toEqual(['h0', 'h1', 'h2']);
      rogue.on = true;
      const second = await schedule.runRound(federation);
      // h1 is handed h0's unloadable weights and fails; h2 gets the weights h0 loaded at the start of the round.
      expect(second.failed.map((failure) => [failure.groupId, failure.error.name])).toEqual([['h1', 'WeightsRefusedError']]);
      expect(second.completed).toEqual(['h0', 'h2']);
      rogue.on = false;
      const third = await schedule.runRound(federation);
      expect(third.completed).toEqual(['h0', 'h1', 'h2']);
      expect(schedule.latestGroupWeights?.[0]?.map((weight) => weight.name)).toEqual(['hidden/kernel', 'hidden/bias']);
    } finally {
      real.dispose();
    }
  });
});
