import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTensor } from '../codec/encode_tensor';
import { tensorToData } from '../codec/tensor_frames';
import type { StepHeader } from '../protocol/messages';
import { useBackend } from '../testing/fixtures';
import { NonFiniteFrameError, StepAbandonedError, StreamLink } from './stream_link';

// What a peer can make one end of a link hold: frames run at most one step ahead, and the
// bytes waiting to be received are capped, so a hostile peer cannot grow the relay's memory.

beforeAll(() => useBackend('cpu'));

/** One float32 activation frame of `values` numbers, as the peer would send it. */
function frame(values: number): Uint8Array {
  const tensor = tf.zeros([1, values]);
  const bytes = encodeTensor(tensorToData(tensor, 'activations'), 'fp32');
  tensor.dispose();
  return bytes;
}

function link(options: { maxFrameBytes?: number; maxQueuedBytes?: number } = {}): StreamLink {
  return new StreamLink({
    studyId: 's',
    round: 0,
    phase: 'train',
    encoding: 'fp32',
    maxFrameBytes: options.maxFrameBytes ?? 1 << 20,
    ...(options.maxQueuedBytes !== undefined ? { maxQueuedBytes: options.maxQueuedBytes } : {}),
    receiveTimeoutMs: 60_000,
    sink: () => undefined,
  });
}

const header = (seq: number, step: number): StepHeader => ({ studyId: 's', round: 0, phase: 'train', step, seq, kind: 'activations' });

describe('StreamLink', () => {
  it('takes frames for the current and the next step, refuses one further ahead without consuming its sequence number', () => {
    const end = link();
    expect(end.deliver(header(0, 0), frame(4))).toBeUndefined();
    expect(end.deliver(header(1, 1), frame(4))).toBeUndefined();
    const farAhead = end.deliver(header(2, 1_000_000), frame(4));
    expect(farAhead?.code).toBe('out-of-order');
    expect(farAhead?.message).toMatch(/step 1000000, but this end is at step 0: at most 1 step ahead/);
    expect(end.deliver(header(2, 2), frame(4))?.code).toBe('out-of-order');
    // The refused frame did not move the sequence on: the honest next frame still fits.
    expect(end.deliver(header(2, 1), frame(4))).toBeUndefined();
  });

  it('lets an evaluation link take its whole epoch ahead, and nothing beyond it', () => {
    const end = new StreamLink({ studyId: 's', round: 0, phase: 'train', encoding: 'fp32', maxFrameBytes: 1 << 20, maxStepsAhead: 9, receiveTimeoutMs: 60_000, sink: () => undefined });
    for (let step = 0; step < 10; step++) expect(end.deliver(header(step, step), frame(4))).toBeUndefined();
    expect(end.deliver(header(10, 10), frame(4))?.code).toBe('out-of-order');
  });

  it('caps the bytes waiting to be received, and frees them as they are received', async () => {
    const one = frame(100);
    const end = link({ maxQueuedBytes: 2 * one.byteLength });
    expect(end.deliver(header(0, 0), one)).toBeUndefined();
    expect(end.deliver(header(1, 1), frame(100))).toBeUndefined();
    const overflow = end.deliver(header(2, 1), frame(100));
    expect(overflow?.code).toBe('too-large');
    expect(overflow?.message).toMatch(/would wait unreceived on this link, over its \d+-byte limit/);
    const received = await end.receive('activations');
    expect(received.shape).toEqual([1, 100]);
    received.dispose();
    expect(end.deliver(header(2, 1), frame(100))).toBeUndefined();
  });

  it('defaults the cap to four of its largest frames', () => {
    const one = frame(100);
    const end = link({ maxFrameBytes: one.byteLength });
    for (let seq = 0; seq < 4; seq++) expect(end.deliver(header(seq, seq < 2 ? 0 : 1), frame(100))).toBeUndefined();
    expect(end.deliver(header(4, 1), frame(100))?.code).toBe('too-large');
  });

  it('drops what waits when it fails, and refuses every later receive with the reason', async () => {
    const end = link({ maxQueuedBytes: frame(100).byteLength });
    expect(end.deliver(header(0, 0), frame(100))).toBeUndefined();
    end.fail(new StepAbandonedError('participant left'));
    await expect(end.receive('activations')).rejects.toThrow(/participant left/);
    // The queue was emptied: a frame of the same size would fit again (it is never received).
    expect(end.deliver(header(1, 0), frame(100))).toBeUndefined();
  });

  it('never hands over a tensor holding NaN or infinities, and says which step of the peer diverged', async () => {
    const end = link();
    const tensor = tf.tensor2d([[1, Number.NaN, 3]]);
    const poisoned = encodeTensor(tensorToData(tensor, 'activations'), 'fp32');
    tensor.dispose();
    expect(end.deliver(header(0, 0), poisoned)).toBeUndefined();
    const refused = end.receive('activations');
    await expect(refused).rejects.toBeInstanceOf(NonFiniteFrameError);
    await expect(refused).rejects.toThrow(/activations of step 0 held NaN or infinite values/);
  });
});
