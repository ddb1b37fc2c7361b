import { data } from '@splitlearn/split-core';
import type { DecodeImage } from './prepare_dataset';

// Browser decoding, off the main thread: the browser's own PNG/JPEG decoder into an
// OffscreenCanvas, then split-core's shared RGBA -> model input conversion, so a browser and
// the Node client turn the same file into the same values. No colour-space conversion or
// alpha premultiplication: the Node decoders (pngjs, jpeg-js) apply neither.

export const decodeImage: DecodeImage = async (file, shape) => {
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser offers no 2D canvas in a worker');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return data.toSampleValues(pixels.data, pixels.width, pixels.height, shape);
  } finally {
    bitmap.close();
  }
};
