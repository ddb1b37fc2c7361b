// The thin bridge between tfjs tensors and the codec's plain TensorData, so the frame code
// stays free of tfjs and testable without a backend.

import * as tf from '@tensorflow/tfjs';
import { CodecError } from './codec_error';
import type { TensorData } from './types';

/**
 * dataSync's values as an array nothing else holds. The wasm backend already returns a fresh
 * copy of its heap; the cpu and WebGL backends return (or cache) their own storage, which a
 * later kernel or dispose could change while the frame is still being built or queued.
 */
function ownCopy<T extends Float32Array | Int32Array>(values: T, type: { new (values: T): T }): T {
  return tf.getBackend() === 'wasm' ? values : new type(values);
}

/** Copies a tensor's values out of the backend (dataSync) into TensorData; the tensor is not disposed. */
export function tensorToData(tensor: tf.Tensor, name: string): TensorData {
  const shape = tensor.shape.slice();
  switch (tensor.dtype) {
    case 'float32':
      return { name, dtype: 'float32', shape, values: ownCopy(tensor.dataSync<'float32'>(), Float32Array) };
    case 'int32':
      return { name, dtype: 'int32', shape, values: ownCopy(tensor.dataSync<'int32'>(), Int32Array) };
    default:
      throw new CodecError('bad-argument', `tensor '${name}' has dtype ${tensor.dtype}; frames carry float32 or int32: cast it first`);
  }
}

/** A new tensor holding the data's values (the caller owns and disposes it). */
export function dataToTensor(data: TensorData): tf.Tensor {
  return tf.tensor(data.values, data.shape, data.dtype);
}
