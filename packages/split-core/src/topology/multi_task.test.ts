import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import type { LayerSpec } from '../model/spec';
import { readWeights } from '../model/weights';
import { type TaskHead } from '../segment/multi_task';
import { createSegment } from '../segment/segment';
import { relativeWeightDistances, useBackend } from '../testing/fixtures';
import { createInProcessLinkPair } from './in_process_link';
import { vanilla } from './vanilla';
import { multiTask } from './vertical';

// Multi-task split learning (PAPER.md Fig. 4b) against a centralized multi-head model: a
// shared trunk and one dense head per task, trained on the weighted sum of the tasks'
// losses. Plain SGD, the same initial weights and batches, 20 steps: every variable within
// 1e-4 of its norm, and each task's loss at every step the reference's.

const SGD = { name: 'sgd' as const, learningRate: 0.1 };
const HEADS: TaskHead[] = [
  { name: 'finding', classes: 2, weight: 1 },
  { name: 'severity', classes: 3, weight: 0.5 },
];
const BATCH = 8;

beforeAll(() => useBackend('cpu'));

describe('multi-task split learning: a client segment, a server trunk with two task heads', () => {
  it('trains as the centralized multi-head model does, the tasks weighted as configured', async () => {
    const seed = 4;
    const clientLayers: LayerSpec[] = [{ type: 'dense', name: 'client', units: 5, activation: 'relu' }];
    const serverLayers: LayerSpec[] = [
      { type: 'dense', name: 'trunk', units: 6, activation: 'relu' },
      { type: 'dense', name: 'heads', units: 5 },
    ];
    const client = { segments: [createSegment({ index: 0, layers: clientLayers, inputShape: [7], outputShape: [5] }, { seed, name: 'client', optimizer: SGD })] };
    const server = { segments: [createSegment({ index: 1, layers: serverLayers, inputShape: [5], outputShape: [5] }, { seed, name: 'server', optimizer: SGD })] };
    const [clientWeights, serverWeights] = [client, server].map((role) => readWeights((role.segments[0] as (typeof role.segments)[number]).model));

    // Reference: one model, two separate dense heads over the trunk, from the split model's initial weights.
    const input = tf.input({ shape: [7] });
    const bottom = tf.layers.dense({ units: 5, activation: 'relu', name: 'ref_client' });
    const trunk = tf.layers.dense({ units: 6, activation: 'relu', name: 'ref_trunk' });
    const findingHead = tf.layers.dense({ units: 2, name: 'ref_finding' });
    const severityHead = tf.layers.dense({ units: 3, name: 'ref_severity' });
    const shared = trunk.apply(bottom.apply(input)) as tf.SymbolicTensor;
    const reference = tf.model({ inputs: input, outputs: [findingHead.apply(shared) as tf.SymbolicTensor, severityHead.apply(shared) as tf.SymbolicTensor] });
    const values = (weights: typeof clientWeights): tf.Tensor[] => (weights ?? []).map((weight) => tf.tensor(weight.values, weight.shape));
    bottom.setWeights(values(clientWeights));
    const [trunkKernel, trunkBias, headKernel, headBias] = values(serverWeights);
    trunk.setWeights([trunkKernel as tf.Tensor, trunkBias as tf.Tensor]);
    findingHead.setWeights([tf.slice(headKernel as tf.Tensor, [0, 0], [-1, 2]), tf.slice(headBias as tf.Tensor, [0], [2])]);
    severityHead.setWeights([tf.slice(headKernel as tf.Tensor, [0, 2], [-1, 3]), tf.slice(headBias as tf.Tensor, [2], [3])]);
    const optimizer = tf.train.sgd(SGD.learningRate);

    const rng = createRng(21);
    for (let step = 0; step < 20; step++) {
      const x = tf.tensor2d(Array.from({ length: BATCH * 7 }, () => rng.normal()), [BATCH, 7]);
      const finding = Array.from({ length: BATCH }, () => rng.int(2));
      const severity = Array.from({ length: BATCH }, () => rng.int(3));
      const labels = tf.tensor2d(finding.flatMap((value, row) => [value, severity[row] as number]), [BATCH, 2], 'int32');
      const link = createInProcessLinkPair({ encoding: 'fp32', participantId: 'client' });
      const [, split] = await Promise.all([vanilla.clientTrainStep(client, link.client, { x, labels }), multiTask(HEADS).serverTrainStep(server, [link.server])]);

      let expectedTasks: number[] = [];
      optimizer.minimize(() => {
        const [findingLogits, severityLogits] = reference.apply(x, { training: true }) as tf.Tensor[];
        const findingLoss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(finding, 'int32'), 2), findingLogits as tf.Tensor);
        const severityLoss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(severity, 'int32'), 3), severityLogits as tf.Tensor);
        expectedTasks = [findingLoss.dataSync()[0] ?? Number.NaN, severityLoss.dataSync()[0] ?? Number.NaN];
        const total: tf.Scalar = tf.add(tf.mul(findingLoss, HEADS[0]?.weight ?? 0), tf.mul(severityLoss, HEADS[1]?.weight ?? 0));
        return total;
      });
      expect(split.tasks).toHaveLength(HEADS.length);
      (split.tasks ?? []).forEach((task, index) => expect(task.loss, `task ${index}, step ${step}`).toBeCloseTo(expectedTasks[index] as number, 4));
      expect(split.loss).toBeCloseTo((expectedTasks[0] as number) + 0.5 * (expectedTasks[1] as number), 4);
      tf.dispose([x, labels]);
    }

    // The split model's weights are the reference's; its heads kernel holds the reference's two heads side by side.
    const splitClient = readWeights((client.segments[0] as (typeof client.segments)[number]).model);
    const splitServer = readWeights((server.segments[0] as (typeof server.segments)[number]).model);
    const asTensor = (weight: { values: Float32Array | number[]; shape: number[] } | undefined): tf.Tensor => tf.tensor((weight as { values: Float32Array }).values, (weight as { shape: number[] }).shape);
    const referenceWeights = reference.getWeights();
    const pairs: [string, tf.Tensor, tf.Tensor][] = [
      ['client kernel', asTensor(splitClient[0]), referenceWeights[0] as tf.Tensor],
      ['client bias', asTensor(splitClient[1]), referenceWeights[1] as tf.Tensor],
      ['trunk kernel', asTensor(splitServer[0]), referenceWeights[2] as tf.Tensor],
      ['trunk bias', asTensor(splitServer[1]), referenceWeights[3] as tf.Tensor],
      ['heads kernel', asTensor(splitServer[2]), tf.concat([referenceWeights[4] as tf.Tensor, referenceWeights[6] as tf.Tensor], 1)],
      ['heads bias', asTensor(splitServer[3]), tf.concat([referenceWeights[5] as tf.Tensor, referenceWeights[7] as tf.Tensor], 0)],
    ];
    for (const [name, actual, reference_] of pairs) {
      const relative = tf.tidy(() => tf.div(tf.norm(tf.sub(actual, reference_)), tf.norm(reference_)).dataSync()[0] ?? Number.NaN);
      expect(relative, name).toBeLessThanOrEqual(1e-4);
    }
    expect(Math.max(...relativeWeightDistances(serverWeights ?? [], splitServer).values())).toBeGreaterThan(1e-2);
  });
});
