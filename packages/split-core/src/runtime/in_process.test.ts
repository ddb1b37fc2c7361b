import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { batchToTensors, epochBatches } from '../data/batches';
import { createRng } from '../data/random';
import { planSegments } from '../model/cuts';
import { readWeights } from '../model/weights';
import { createRole } from '../segment/roles';
import { HOP_CHAIN, HOP_CHAIN_CUTS, randomDataset, relativeWeightDistances, useBackend } from '../testing/fixtures';
import { vanilla } from '../topology/vanilla';
import { chainWiring, WiringError, type GroupWiring } from '../topology/wiring';
import { CentralizedTrainer } from '../training/centralized';
import { runInProcessEpoch } from './in_process';
import { ServerPool } from './server_pool';

// The in-process epoch wires a group as its wiring says: here a multi-hop chain (PAPER.md
// Fig. 4c), whose data holder and server run vanilla's steps and whose middle members run
// the intermediate participant's. Its epoch equals the unsplit network's over the same
// batches, the hops count their samples, and no hop's link carries labels.

const SGD = { name: 'sgd' as const, learningRate: 0.1 };
const STEPS = 20;
const BATCH = 8;

beforeAll(() => useBackend('cpu'));

describe('an in-process epoch of a multi-hop chain', () => {
  it('trains the chain as the unsplit network trains, with labels only on the holder’s own line to the server', async () => {
    const seed = 5;
    const [holderPlan, secondPlan, thirdPlan, serverPlan] = planSegments(HOP_CHAIN, HOP_CHAIN_CUTS);
    if (!holderPlan || !secondPlan || !thirdPlan || !serverPlan) throw new Error('expected four segments');
    const options = { seed, optimizer: SGD };
    const data = randomDataset({ seed: 11, count: STEPS * BATCH, sampleShape: HOP_CHAIN.inputShape, numClasses: 2 });
    const batches = epochBatches(data.samples, BATCH, createRng(3));
    const members = [
      { id: 'holder', role: createRole('client', [holderPlan], options), batches, sampleShape: HOP_CHAIN.inputShape },
      { id: 'hop2', role: createRole('client', [secondPlan], options), batches: [], sampleShape: secondPlan.inputShape },
      { id: 'hop3', role: createRole('client', [thirdPlan], options), batches: [], sampleShape: thirdPlan.inputShape },
    ];
    const servers = new ServerPool(() => createRole('server', [serverPlan], options));
    const meter = new TrafficMeter();
    const losses: number[] = [];
    const { members: tallies, server } = await runInProcessEpoch({
      topology: vanilla,
      members,
      server: servers.shared,
      phase: 'train',
      key: { seed: 1, group: 'g', round: 0 },
      steps: STEPS,
      numClasses: 2,
      encoding: 'fp32',
      meter,
      wiring: chainWiring(3),
      onStep: (outcome) => losses.push(outcome.loss ?? Number.NaN),
    });

    const centralized = new CentralizedTrainer(HOP_CHAIN, options);
    const initial = readWeights(centralized.segment.model);
    for (const batch of batches) {
      const { x, labels } = batchToTensors(batch, HOP_CHAIN.inputShape, 2);
      centralized.trainBatch(x, labels);
      tf.dispose([x, labels]);
    }
    const expected = readWeights(centralized.segment.model);
    const actual = [...members.map((member) => member.role), servers.shared.role].flatMap((role) => role.segments.flatMap((segment) => readWeights(segment.model)));
    const distances = relativeWeightDistances(expected, actual);
    expect(distances.size).toBe(expected.length);
    for (const [name, distance] of distances) expect(distance, name).toBeLessThanOrEqual(1e-4);
    expect(Math.max(...relativeWeightDistances(initial, expected).values())).toBeGreaterThan(1e-2);

    // Every role counted every sample; the server reported a loss per step.
    expect(server.samples).toBe(STEPS * BATCH);
    expect(tallies.map((tally) => tally.samples)).toEqual([STEPS * BATCH, STEPS * BATCH, STEPS * BATCH]);
    expect(losses).toHaveLength(STEPS);
    // The meter is per sender: the holder sent activations to hop 2 and labels to the server;
    // the hops sent activations on and received gradients; none of them ever carried labels.
    const traffic = meter.snapshot().byParticipant;
    expect(traffic.holder?.byKind.labels?.up.messages).toBe(STEPS);
    for (const hop of ['hop2', 'hop3']) expect(Object.keys(traffic[hop]?.byKind ?? {}).sort(), hop).toEqual(['activations', 'gradients']);
    centralized.dispose();
    servers.dispose();
  });

  it('refuses a wiring that does not fit the group or never reaches the server', async () => {
    const plans = planSegments(HOP_CHAIN, HOP_CHAIN_CUTS);
    const options = { seed: 1, optimizer: SGD };
    const member = (id: string, index: number): { id: string; role: ReturnType<typeof createRole>; batches: never[]; sampleShape: number[] } => ({ id, role: createRole('client', [plans[index] as (typeof plans)[number]], options), batches: [], sampleShape: [5] });
    const servers = new ServerPool(() => createRole('server', [plans[3] as (typeof plans)[number]], options));
    const epoch = (wiring: GroupWiring): Promise<unknown> => runInProcessEpoch({ topology: vanilla, members: [member('a', 0), member('b', 1)], server: servers.shared, phase: 'train', key: { seed: 1, group: 'g', round: 0 }, steps: 1, numClasses: 2, encoding: 'fp32', wiring });
    await expect(epoch(chainWiring(3))).rejects.toThrow(/places 3 members, the group has 2/);
    await expect(
      epoch({
        stages: [
          { kind: 'hop', from: [1], feeds: 1 },
          { kind: 'hop', from: [0], feeds: 0 },
        ],
      }),
    ).rejects.toThrow(WiringError);
    servers.dispose();
  });
});
