import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_MLP, useBackend } from '../testing/fixtures';
import { countCorrect, infer } from '../segment/segment';
import { createRole } from '../segment/roles';
import { planSplit } from './split_plan';
import { createInProcessLinkPair } from './in_process_link';
import { uShaped } from './u_shaped';
import { vanilla } from './vanilla';

// What a training step reports besides the loss: how many samples it saw, and how many the
// role holding the loss classified correctly (the dashboard's training accuracy).

beforeAll(() => useBackend('cpu'));

const spec = TINY_MLP;
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
    const client = createRole('client', split.client, options);
    const server = createRole('server', split.server, options);
    const link = createInProcessLinkPair({ encoding: 'fp32', participantId: 'h1' });
    const x = tf.randomUniform([7, 6], 0, 1, 'float32', 11);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0], 'int32');
    // Learning rate 0: the weights the step scores with are the ones scored here.
    const logits = tf.tidy(() => [...client.segments, ...server.segments].sort((a, b) => a.plan.index - b.plan.index).reduce((input: tf.Tensor, segment) => infer(segment, input), x));
    const expected = countCorrect(logits, labels);
    const [clientResult, serverResult] = await Promise.all([topology.clientTrainStep(client, link.client, { x, labels }), topology.serverTrainStep(server, [link.server])]);
    const lossSide = topology.descriptor.lossHolder === 'server' ? serverResult : clientResult;
    expect(lossSide.correct).toBe(expected);
    expect(lossSide.samples).toBe(7);
    expect(serverResult.samples).toBe(7);
    tf.dispose([x, labels, logits]);
  });
});
