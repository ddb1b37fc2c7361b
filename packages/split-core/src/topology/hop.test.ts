import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { createRng } from '../data/random';
import { buildLayersModel } from '../model/build';
import { planSegments } from '../model/cuts';
import type { LayerSpec } from '../model/spec';
import { readWeights, type NamedWeight } from '../model/weights';
import { createSegment } from '../segment/segment';
import { HOP_CHAIN, HOP_CHAIN_CUTS, relativeWeightDistances, useBackend } from '../testing/fixtures';
import { CentralizedTrainer } from '../training/centralized';
import { hopEvalStep, hopTrainStep } from './hop';
import { createInProcessLinkPair } from './in_process_link';
import { routedLink } from './routed_link';
import { vanilla } from './vanilla';
import { vertical } from './vertical';
import { planExtended } from './vertical_plan';

// The intermediate participant's step (PAPER.md Fig. 4a, 4c), proven against the same
// network trained in one place: plain SGD, the same initial weights and batches, 20 steps,
// every variable within 1e-4 of its norm. From the links' own meters: no hop receives labels
// or raw inputs, only the activations before it and the gradient after it.

const SGD = { name: 'sgd' as const, learningRate: 0.1 };
const STEPS = 20;
const BATCH = 8;
const TOLERANCE = 1e-4;

beforeAll(() => useBackend('cpu'));

function expectEquivalent(expected: NamedWeight[], actual: NamedWeight[], initial: NamedWeight[]): void {
  const distances = relativeWeightDistances(expected, actual);
  expect(distances.size).toBe(expected.length);
  for (const [name, distance] of distances) expect(distance, name).toBeLessThanOrEqual(TOLERANCE);
  // Only meaningful if training moved the weights.
  expect(Math.max(...relativeWeightDistances(initial, expected).values())).toBeGreaterThan(100 * TOLERANCE);
}

const randomBatch = (rng: ReturnType<typeof createRng>, features: number): tf.Tensor2D => tf.tensor2d(Array.from({ length: BATCH * features }, () => rng.normal()), [BATCH, features]);
const randomLabels = (rng: ReturnType<typeof createRng>): tf.Tensor1D => tf.tensor1d(Array.from({ length: BATCH }, () => rng.int(2)), 'int32');

describe('multi-hop: a chain of three participants before the server', () => {
  it('forward hop by hop and gradients back hop by hop equal training the unsplit network; labels skip the hops', async () => {
    const seed = 5;
    const plans = planSegments(HOP_CHAIN, HOP_CHAIN_CUTS);
    const [first, second, third, top] = plans.map((plan) => ({ segments: [createSegment(plan, { seed, name: `segment${plan.index}`, optimizer: SGD })] }));
    if (!first || !second || !third || !top) throw new Error('expected four segments');
    const centralized = new CentralizedTrainer(HOP_CHAIN, { seed, optimizer: SGD });
    const initial = readWeights(centralized.segment.model);

    const rng = createRng(13);
    const meter = new TrafficMeter();
    for (let step = 0; step < STEPS; step++) {
      const x = randomBatch(rng, 5);
      const labels = randomLabels(rng);
      // One link per pair of neighbours, and the data holder's own line to the server for its labels.
      const toSecond = createInProcessLinkPair({ encoding: 'fp32', participantId: 'holder->hop2', meter });
      const toThird = createInProcessLinkPair({ encoding: 'fp32', participantId: 'hop2->hop3', meter });
      const toServer = createInProcessLinkPair({ encoding: 'fp32', participantId: 'hop3->server', meter });
      const labelLine = createInProcessLinkPair({ encoding: 'fp32', participantId: 'holder->server', meter });
      await Promise.all([
        vanilla.clientTrainStep(first, routedLink({ activations: toSecond.client, gradients: toSecond.client, labels: labelLine.client }), { x, labels }),
        hopTrainStep(second, [toSecond.server], toThird.client),
        hopTrainStep(third, [toThird.server], toServer.client),
        vanilla.serverTrainStep(top, [routedLink({ activations: toServer.server, gradients: toServer.server, labels: labelLine.server })]),
      ]);
      centralized.trainBatch(x, labels);
      tf.dispose([x, labels]);
    }

    const actual = [first, second, third, top].flatMap((role) => role.segments.flatMap((segment) => readWeights(segment.model)));
    expectEquivalent(readWeights(centralized.segment.model), actual, initial);

    const traffic = meter.snapshot().byParticipant;
    // Between neighbours only activations go forward and gradients come back, once a step each.
    for (const hop of ['holder->hop2', 'hop2->hop3', 'hop3->server']) {
      expect(Object.keys(traffic[hop]?.byKind ?? {}).sort(), hop).toEqual(['activations', 'gradients']);
      expect(traffic[hop]?.byKind.activations?.up.messages, hop).toBe(STEPS);
      expect(traffic[hop]?.byKind.gradients?.down.messages, hop).toBe(STEPS);
    }
    // The labels went from their holder to the server only.
    expect(Object.keys(traffic['holder->server']?.byKind ?? {})).toEqual(['labels']);
    expect(traffic['holder->server']?.byKind.labels?.up.messages).toBe(STEPS);
    // What reached hop 2 is hop 1's 6-wide cut output, not the 5 raw features.
    expect(traffic['holder->hop2']?.byKind.activations?.up.bytes).toBeGreaterThan(STEPS * BATCH * 6 * 4);

    // Evaluation runs the same chain forward and scores on the server as the unsplit model does.
    const x = randomBatch(rng, 5);
    const labels = randomLabels(rng);
    const toSecond = createInProcessLinkPair({ encoding: 'fp32', participantId: 'eval' });
    const toThird = createInProcessLinkPair({ encoding: 'fp32', participantId: 'eval' });
    const toServer = createInProcessLinkPair({ encoding: 'fp32', participantId: 'eval' });
    const labelLine = createInProcessLinkPair({ encoding: 'fp32', participantId: 'eval' });
    const [, , , scored] = await Promise.all([
      vanilla.clientEvalStep(first, routedLink({ activations: toSecond.client, labels: labelLine.client }), { x, labels }),
      hopEvalStep(second, [toSecond.server], toThird.client),
      hopEvalStep(third, [toThird.server], toServer.client),
      vanilla.serverEvalStep(top, [routedLink({ activations: toServer.server, labels: labelLine.server })]),
    ]);
    const expectedProbabilities = tf.tidy(() => tf.softmax(centralized.segment.model.predict(x) as tf.Tensor));
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(scored.probabilities as tf.Tensor, expectedProbabilities))));
    expect(difference.dataSync()[0]).toBeLessThan(1e-5);
    expect(await (scored.labels as tf.Tensor).data()).toEqual(await labels.data());
    tf.dispose([x, labels, expectedProbabilities, difference, scored.probabilities, scored.labels]);
    centralized.dispose();
  });
});

describe('extended vanilla: two parties, an intermediate participant, the server', () => {
  const partyA: LayerSpec[] = [{ type: 'dense', name: 'party_a', units: 4, activation: 'relu' }];
  const partyB: LayerSpec[] = [{ type: 'dense', name: 'party_b', units: 3, activation: 'relu' }];
  const middle: LayerSpec[] = [{ type: 'dense', name: 'middle', units: 5, activation: 'relu' }];
  const serverLayers: LayerSpec[] = [{ type: 'dense', name: 'logits', units: 2 }];

  it('plans the intermediate segment over the joined party outputs and the server after it', () => {
    const plan = planExtended(
      [
        { layers: partyA, inputShape: [6] },
        { layers: partyB, inputShape: [10] },
      ],
      middle,
      serverLayers,
    );
    expect(plan.parties.map((party) => party.outputShape)).toEqual([[4], [3]]);
    expect(plan.intermediate).toMatchObject({ inputShape: [7], outputShape: [5] });
    expect(plan.server).toMatchObject({ index: 3, inputShape: [5], outputShape: [2] });
  });

  it('the joined cut passes through the intermediate participant and each party gets its own slice back, as in the unsplit network', async () => {
    const seed = 3;
    const plan = planExtended(
      [
        { layers: partyA, inputShape: [6] },
        { layers: partyB, inputShape: [10] },
      ],
      middle,
      serverLayers,
    );
    const role = (segmentPlan: (typeof plan)['server'], name: string): { segments: ReturnType<typeof createSegment>[] } => ({ segments: [createSegment(segmentPlan, { seed, name, optimizer: SGD })] });
    const a = role(plan.parties[0] as (typeof plan)['server'], 'a');
    const b = role(plan.parties[1] as (typeof plan)['server'], 'b');
    const intermediate = role(plan.intermediate, 'intermediate');
    const server = role(plan.server, 'server');

    // Reference: the same layers as one model on [featuresA | featuresB].
    const inputA = tf.input({ shape: [6] });
    const inputB = tf.input({ shape: [10] });
    const modelA = buildLayersModel(partyA, [6], { seed, name: 'refA' });
    const modelB = buildLayersModel(partyB, [10], { seed, name: 'refB' });
    const joined = tf.layers.concatenate().apply([modelA.apply(inputA) as tf.SymbolicTensor, modelB.apply(inputB) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const modelMiddle = buildLayersModel(middle, [7], { seed, name: 'refMiddle' });
    const modelTop = buildLayersModel(serverLayers, [5], { seed, name: 'refTop' });
    const reference = tf.model({ inputs: [inputA, inputB], outputs: modelTop.apply(modelMiddle.apply(joined)) as tf.SymbolicTensor });
    const referenceOptimizer = tf.train.sgd(SGD.learningRate);
    const referenceModels = [modelA, modelB, modelMiddle, modelTop];
    const initial = referenceModels.flatMap((model) => readWeights(model));

    const rng = createRng(9);
    const meter = new TrafficMeter();
    for (let step = 0; step < STEPS; step++) {
      const xa = randomBatch(rng, 6);
      const xb = randomBatch(rng, 10);
      const labels = randomLabels(rng);
      const fromA = createInProcessLinkPair({ encoding: 'fp32', participantId: 'a->intermediate', meter });
      const fromB = createInProcessLinkPair({ encoding: 'fp32', participantId: 'b->intermediate', meter });
      const toServer = createInProcessLinkPair({ encoding: 'fp32', participantId: 'intermediate->server', meter });
      const labelLine = createInProcessLinkPair({ encoding: 'fp32', participantId: 'a->server', meter });
      await Promise.all([
        // A party's step is the vertical party's, its labels routed past the intermediate participant.
        vertical.clientTrainStep(a, routedLink({ activations: fromA.client, gradients: fromA.client, labels: labelLine.client }), { x: xa, labels }),
        vertical.clientTrainStep(b, fromB.client, { x: xb }),
        hopTrainStep(intermediate, [fromA.server, fromB.server], toServer.client),
        vanilla.serverTrainStep(server, [routedLink({ activations: toServer.server, gradients: toServer.server, labels: labelLine.server })]),
      ]);
      referenceOptimizer.minimize(() => {
        const logits = reference.apply([xa, xb], { training: true }) as tf.Tensor;
        const loss: tf.Scalar = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), logits);
        return loss;
      });
      tf.dispose([xa, xb, labels]);
    }

    const expected = referenceModels.flatMap((model) => readWeights(model));
    const actual = [a, b, intermediate, server].flatMap((one) => one.segments.flatMap((segment) => readWeights(segment.model)));
    expectEquivalent(expected, actual, initial);

    const traffic = meter.snapshot().byParticipant;
    // The intermediate participant received cut outputs only, never labels; each party got back
    // the gradient of its own width (A's 4 columns, B's 3).
    for (const party of ['a->intermediate', 'b->intermediate']) expect(Object.keys(traffic[party]?.byKind ?? {}).sort(), party).toEqual(['activations', 'gradients']);
    expect(Object.keys(traffic['intermediate->server']?.byKind ?? {}).sort()).toEqual(['activations', 'gradients']);
    expect(Object.keys(traffic['a->server']?.byKind ?? {})).toEqual(['labels']);
    const gradientBytes = (link: string): number => traffic[link]?.byKind.gradients?.down.bytes ?? 0;
    expect(gradientBytes('a->intermediate') - gradientBytes('b->intermediate')).toBe(STEPS * BATCH * 1 * 4);
  });
});
