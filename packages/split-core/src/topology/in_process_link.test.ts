import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { encodedSize } from '../codec/encoded_size';
import { useBackend } from '../testing/fixtures';
import { createInProcessLinkPair } from './in_process_link';
import { ProtocolError } from './link';

beforeAll(() => useBackend('cpu'));

describe('in-process link', () => {
  it('delivers tensors through the codec and meters the encoded bytes per direction and kind', async () => {
    const meter = new TrafficMeter();
    const link = createInProcessLinkPair({ encoding: 'fp16', participantId: 'h1', meter });
    const activations = tf.tensor2d([0.1, -2.5, 3.25, 1000], [2, 2]);
    const labels = tf.tensor1d([1, 0], 'int32');
    await link.client.send('activations', activations);
    await link.client.send('labels', labels);
    const received = await link.server.receive('activations');
    const receivedLabels = await link.server.receive('labels');
    expect(received.shape).toEqual([2, 2]);
    // fp16 on the wire: close to, not exactly, the float32 values sent.
    const sent = activations.dataSync();
    received.dataSync().forEach((value, i) => expect(Math.abs(value - (sent[i] as number))).toBeLessThanOrEqual(Math.abs(sent[i] as number) * 2 ** -11));
    expect(received.dataSync()[0]).not.toBe(sent[0]);
    expect(Array.from(receivedLabels.dataSync())).toEqual([1, 0]);
    expect(receivedLabels.dtype).toBe('int32');
    const traffic = meter.snapshot();
    expect(traffic.byKind.activations?.up.bytes).toBe(encodedSize([2, 2], 'float32', 'fp16', 'activations'.length));
    expect(traffic.byKind.labels?.up.bytes).toBe(encodedSize([2], 'int32', 'fp32', 'labels'.length));
    expect(traffic.down.bytes).toBe(0);
    tf.dispose([activations, labels, received, receivedLabels]);
  });

  it('waits for a message that has not been sent yet', async () => {
    const link = createInProcessLinkPair({ encoding: 'fp32', participantId: 'h1' });
    const pending = link.client.receive('gradients');
    const gradient = tf.ones([3]);
    await link.server.send('gradients', gradient);
    const received = await pending;
    expect(Array.from(received.dataSync())).toEqual([1, 1, 1]);
    tf.dispose([gradient, received]);
  });

  it('refuses a message of the wrong kind with a protocol error', async () => {
    const link = createInProcessLinkPair({ encoding: 'fp32', participantId: 'h1' });
    const tensor = tf.zeros([1]);
    await link.client.send('labels', tf.tensor1d([0], 'int32'));
    await expect(link.server.receive('activations')).rejects.toThrow(ProtocolError);
    tensor.dispose();
  });
});
