import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../model/spec';
import { useBackend } from '../testing/fixtures';
import { countCorrect, infer } from '../training/segment';
import { createClientRole, createServerRole, planSplit } from '../training/roles';
import { createInProcessLinkPair } from './in_process_link';
import { uShaped } from './u_shaped';
import { vanilla } from './vanilla';

// What a training step reports besides the loss: how many samples it saw, and how many the
// role holding the loss classified correctly (the dashboard's training accuracy).

beforeAll(() => useBackend('cpu'));

const spec: ModelSpec = {
  name: 'tiny-mlp',
  inputShape: [6],
  numClasses: 3,
  layers: [
    { type: 'dense', name: 'hidden', units: 5, activation: 'relu' },
    { type: 'dense', name: 'middle', units: 4, activation: 'relu' },
    { type: 'dense', name: 'logits', units: 3 },
  ],
  defaultCuts: { vanilla: 'hidden', uShaped: ['hidden', 'middle'] },
};
const options = { seed: 3, optimizer: { name: 'sgd' as const, learningRate: 0 } };

describe('step tallies', () => {
  it('countCorrect counts samples whose highest logit is their label', () => {
    const logits = tf.tensor2d([[0.1, 0.9, 0], [2, 1, 0], [0, 0, 5], [1, 3, 2]]);
    const labels = tf.tensor1d([1, 0, 1, 2], 'int32');
    expect(countCorrect(logits, labels)).toBe(2);
    tf.dispose([logits, labels]);
  });

  it.each([
    ['vanilla', vanilla],
    ['u-shaped', uShaped],
  ] as const)('%s: the loss side reports the correct count its logits give, and the server the batch size', async (_name, topology) => {
    const split = planSplit(spec, topology);
    const client = createClientRole(split, options);
    const server = createServerRole(split, options);
    const link = createInProcessLinkPair({ encoding: 'fp32', participantId: 'h1' });
    const x = tf.randomUniform([7, 6], 0, 1, 'float32', 11);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0], 'int32');
    // Learning rate 0: the weights the step scores with are the ones scored here.
    const logits = tf.tidy(() => client.segments.concat(server.segments).sort((a, b) => a.plan.index - b.plan.index).reduce((input: tf.Tensor, segment) => infer(segment, input), x));
    const expected = countCorrect(logits, labels);
    const [clientResult, serverResult] = await Promise.all([topology.clientTrainStep(client, link.client, { x, labels }), topology.serverTrainStep(server, [link.server])]);
    const lossSide = topology.name === 'vanilla' ? serverResult : clientResult;
    expect(lossSide.correct).toBe(expected);
    expect(lossSide.samples).toBe(7);
    expect(serverResult.samples).toBe(7);
    tf.dispose([x, labels, logits]);
  });
});
