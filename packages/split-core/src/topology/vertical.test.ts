import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { createRng } from '../data/random';
import { buildLayersModel } from '../model/build';
import { ModelSpecError } from '../model/errors';
import type { LayerSpec } from '../model/spec';
import { readWeights } from '../model/weights';
import { relativeWeightDistances, useBackend } from '../testing/fixtures';
import { createSegment } from '../segment/segment';
import { createInProcessLinkPair } from './in_process_link';
import { vertical } from './vertical';
import { planVertical } from './vertical_plan';

// The role/channel API carries a two-party vertically partitioned step (PAPER.md Fig. 2c):
// the server concatenates the parties' cut outputs and returns each party its own slice of
// the gradient. Proven against the same network trained in one place, where the parties'
// layers are exactly a block-diagonal dense layer over the concatenated features.

const SGD = { name: 'sgd' as const, learningRate: 0.1 };
const partyA: LayerSpec[] = [{ type: 'dense', name: 'party_a', units: 4, activation: 'relu' }];
const partyB: LayerSpec[] = [{ type: 'dense', name: 'party_b', units: 3, activation: 'relu' }];
const serverLayers: LayerSpec[] = [
  { type: 'dense', name: 'joint', units: 5, activation: 'relu' },
  { type: 'dense', name: 'logits', units: 2 },
];

beforeAll(() => useBackend('cpu'));

describe('vertical split learning, two parties', () => {
  it('plans the server input as the concatenation of the party outputs', () => {
    const plan = planVertical(
      [
        { layers: partyA, inputShape: [6] },
        { layers: partyB, inputShape: [10] },
      ],
      serverLayers,
    );
    expect(plan.parties.map((party) => party.outputShape)).toEqual([[4], [3]]);
    expect(plan.server.inputShape).toEqual([7]);
    expect(plan.server.outputShape).toEqual([2]);
  });

  it('refuses parties whose outputs cannot be concatenated', () => {
    expect(() =>
      planVertical(
        [
          { layers: [{ type: 'conv2d', name: 'c', filters: 2, kernelSize: 3 }], inputShape: [8, 8, 1] },
          { layers: partyB, inputShape: [10] },
        ],
        serverLayers,
      ),
    ).toThrow(ModelSpecError);
  });

  it('a step through the role/channel API equals training the joint network in one place', async () => {
    const plan = planVertical(
      [
        { layers: partyA, inputShape: [6] },
        { layers: partyB, inputShape: [10] },
      ],
      serverLayers,
    );
    const seed = 3;
    const a = { segments: [createSegment(plan.parties[0]!, { seed, name: 'a', optimizer: SGD })] };
    const b = { segments: [createSegment(plan.parties[1]!, { seed, name: 'b', optimizer: SGD })] };
    const server = { segments: [createSegment(plan.server, { seed, name: 'server', optimizer: SGD })] };

    // Reference: the same parameters as one model on [featuresA | featuresB].
    const inputA = tf.input({ shape: [6] });
    const inputB = tf.input({ shape: [10] });
    const modelA = buildLayersModel(partyA, [6], { seed, name: 'refA' });
    const modelB = buildLayersModel(partyB, [10], { seed, name: 'refB' });
    const joined = tf.layers.concatenate().apply([modelA.apply(inputA) as tf.SymbolicTensor, modelB.apply(inputB) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const top = buildLayersModel(serverLayers, [7], { seed, name: 'refTop' });
    const reference = tf.model({ inputs: [inputA, inputB], outputs: top.apply(joined) as tf.SymbolicTensor });
    const referenceOptimizer = tf.train.sgd(SGD.learningRate);
    const initial = [modelA, modelB, top].flatMap((model) => readWeights(model));

    const rng = createRng(9);
    const meter = new TrafficMeter();
    for (let step = 0; step < 20; step++) {
      const xa = tf.tensor2d(Array.from({ length: 8 * 6 }, () => rng.normal()), [8, 6]);
      const xb = tf.tensor2d(Array.from({ length: 8 * 10 }, () => rng.normal()), [8, 10]);
      const labels = tf.tensor1d(Array.from({ length: 8 }, () => rng.int(2)), 'int32');
      const linkA = createInProcessLinkPair({ encoding: 'fp32', participantId: 'a', meter });
      const linkB = createInProcessLinkPair({ encoding: 'fp32', participantId: 'b', meter });
      await Promise.all([
        vertical.clientTrainStep(a, linkA.client, { x: xa, labels }),
        vertical.clientTrainStep(b, linkB.client, { x: xb }),
        vertical.serverTrainStep(server, [linkA.server, linkB.server]),
      ]);
      referenceOptimizer.minimize(() => {
        const logits = reference.apply([xa, xb], { training: true }) as tf.Tensor;
        const loss: tf.Scalar = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), logits);
        return loss;
      });
      tf.dispose([xa, xb, labels]);
    }

    const expected = [modelA, modelB, top].flatMap((model) => readWeights(model));
    const actual = [a, b, server].flatMap((role) => role.segments.flatMap((segment) => readWeights(segment.model)));
    for (const [name, distance] of relativeWeightDistances(expected, actual)) expect(distance, name).toBeLessThanOrEqual(1e-4);
    expect(Math.max(...relativeWeightDistances(initial, expected).values())).toBeGreaterThan(1e-2);

    // Each party received only its own slice of the cut gradient, and only party A sent labels.
    const traffic = meter.snapshot();
    expect(traffic.byParticipant.a?.byKind.labels?.up.messages).toBe(20);
    expect(traffic.byParticipant.b?.byKind.labels).toBeUndefined();
    const gradientBytes = (party: string): number => traffic.byParticipant[party]?.byKind.gradients?.down.bytes ?? 0;
    expect(gradientBytes('a') / 20).toBeGreaterThan(8 * 4 * 4);
    expect(gradientBytes('b') / 20).toBeGreaterThan(8 * 3 * 4);
    expect(gradientBytes('b')).toBeLessThan(gradientBytes('a'));
  });
});
