import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Sample } from './dataset';
import { createRng } from './random';
import { batchToTensors, epochBatches } from './batches';

function sample(index: number, size: number, label: number): Sample {
  return { id: `s${index}`, label, values: Float32Array.from({ length: size }, (_, i) => index + i / 100) };
}

describe('epochBatches', () => {
  it('covers every sample once, in full batches plus a kept partial one', () => {
    const all = Array.from({ length: 23 }, (_, i) => i);
    const batches = epochBatches(all, 5, createRng(1));
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(all);
  });

  it('is deterministic from the seed and shuffles differently per seed', () => {
    const all = Array.from({ length: 40 }, (_, i) => i);
    expect(epochBatches(all, 8, createRng(4))).toEqual(epochBatches(all, 8, createRng(4)));
    expect(epochBatches(all, 8, createRng(4))).not.toEqual(epochBatches(all, 8, createRng(5)));
  });

  it('rejects a batch size below one', () => {
    expect(() => epochBatches([1], 0, createRng(1))).toThrow(/positive integer/);
  });
});

describe('batchToTensors', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('stacks sample values in order with the batch dimension first', () => {
    const batch = [sample(0, 6, 1), sample(1, 6, 0), sample(2, 6, 2)];
    const { x, labels } = batchToTensors(batch, [2, 3, 1], 3);
    expect(x.shape).toEqual([3, 2, 3, 1]);
    expect(x.dtype).toBe('float32');
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.dataSync())).toEqual([1, 0, 2]);
    const expected = new Float32Array(18);
    batch.forEach((s, i) => expected.set(s.values, i * 6));
    expect(Array.from(x.dataSync())).toEqual(Array.from(expected));
    x.dispose();
    labels.dispose();
  });

  it('rejects samples of the wrong size, labels out of range and empty batches', () => {
    expect(() => batchToTensors([sample(0, 5, 0)], [2, 3, 1], 2)).toThrow(/expected 6/);
    expect(() => batchToTensors([sample(0, 6, 2)], [2, 3, 1], 2)).toThrow(/outside \[0, 2\)/);
    expect(() => batchToTensors([], [2, 3, 1], 2)).toThrow(/empty batch/);
  });

  it('carries one label per task for a multi-task study, the first task in column 0, and checks each against its classes', () => {
    const batch = [
      { ...sample(0, 2, 1), tasks: [2, 0] },
      { ...sample(1, 2, 0), tasks: [1, 1] },
    ];
    const { x, labels } = batchToTensors(batch, [2], 2, [2, 3, 2]);
    expect(labels.shape).toEqual([2, 3]);
    expect(Array.from(labels.dataSync())).toEqual([1, 2, 0, 0, 1, 1]);
    tf.dispose([x, labels]);
    // Single-task studies ignore the further labels a sample carries (the demo's side).
    const single = batchToTensors(batch, [2], 2);
    expect(single.labels.shape).toEqual([2]);
    tf.dispose([single.x, single.labels]);
    expect(() => batchToTensors([{ ...sample(0, 2, 1), tasks: [3, 0] }], [2], 2, [2, 3, 2])).toThrow(/label 3 for task 1, outside \[0, 3\)/);
    expect(() => batchToTensors([sample(0, 2, 1)], [2], 2, [2, 3])).toThrow(/labels for 1 task\(s\), the study has 2/);
  });
});
