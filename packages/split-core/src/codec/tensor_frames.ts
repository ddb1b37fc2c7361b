// The thin bridge between tfjs tensors and the codec's plain TensorData, so the frame code
// stays free of tfjs and testable without a backend.

import * as tf from '@tensorflow/tfjs';
import { CodecError } from './codec_error';
import type { TensorData } from './types';

/** Copies a tensor's values out of the backend (dataSync) into TensorData; the tensor is not disposed. */
export function tensorToData(tensor: tf.Tensor, name: string): TensorData {
  const shape = tensor.shape.slice();
  switch (tensor.dtype) {
    case 'float32':
      // Copied: on the cpu backend dataSync returns the backend's own storage, which a later
      // kernel or dispose could overwrite while the frame is still being built or queued.
      return { name, dtype: 'float32', shape, values: new Float32Array(tensor.dataSync<'float32'>()) };
    case 'int32':
      return { name, dtype: 'int32', shape, values: new Int32Array(tensor.dataSync<'int32'>()) };
    default:
      throw new CodecError('bad-argument', `tensor '${name}' has dtype ${tensor.dtype}; frames carry float32 or int32: cast it first`);
  }
}

/** A new tensor holding the data's values (the caller owns and disposes it). */
export function dataToTensor(data: TensorData): tf.Tensor {
  return tf.tensor(data.values, data.shape, data.dtype);
}
