import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTensor } from './decode_tensor';
import { encodeTensor } from './encode_tensor';
import { dataToTensor, tensorToData } from './tensor_frames';
import { expectCodecError } from './test_support';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs bridge', () => {
  it('copies float32 and int32 tensors out of the backend', () => {
    const activations = tf.tensor4d(Float32Array.from({ length: 24 }, (_, index) => index / 7 - 1), [2, 3, 2, 2]);
    const data = tensorToData(activations, 'activations');
    expect(data).toMatchObject({ name: 'activations', dtype: 'float32', shape: [2, 3, 2, 2] });
    expect(Array.from(data.values)).toEqual(Array.from(activations.dataSync()));
    data.values[0] = 99; // must not write through to the tensor's storage
    expect(activations.dataSync()[0]).toBe(-1);
    activations.dispose();
    expect(data.values.length).toBe(24);

    const labels = tf.tensor1d([3, 0, 9], 'int32');
    expect(tensorToData(labels, 'labels')).toMatchObject({ dtype: 'int32', shape: [3], values: new Int32Array([3, 0, 9]) });
    labels.dispose();
  });

  it('refuses dtypes that frames do not carry', () => {
    const mask = tf.tensor1d([1, 0], 'bool');
    expectCodecError(() => tensorToData(mask, 'mask'), 'bad-argument');
    mask.dispose();
  });

  it('round-trips tensor -> frame -> tensor for scalars, empty and 4-D tensors', () => {
    const tensors = [tf.scalar(2.5), tf.zeros([0, 3]), tf.randomNormal([2, 2, 3, 1], 0, 1, 'float32', 7), tf.tensor2d([[1, 2]], [1, 2], 'int32')];
    for (const tensor of tensors) {
      const decoded = decodeTensor(encodeTensor(tensorToData(tensor, 'x'), 'fp32'), { maxFrameBytes: 4096 });
      const rebuilt = dataToTensor(decoded);
      expect(rebuilt.shape).toEqual(tensor.shape);
      expect(rebuilt.dtype).toBe(tensor.dtype);
      expect(Array.from(rebuilt.dataSync())).toEqual(Array.from(tensor.dataSync()));
      rebuilt.dispose();
      tensor.dispose();
    }
  });
});
