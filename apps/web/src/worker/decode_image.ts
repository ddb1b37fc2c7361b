import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import libjpegWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import { data, dicom } from '@splitlearn/split-core';
import type { DecodeImage } from './prepare_dataset';

// Browser decoding, off the main thread. PNG and JPEG: the browser's own decoder into an
// OffscreenCanvas, then split-core's shared RGBA -> model input conversion, so a browser and
// the Node client turn the same file into the same values. No colour-space conversion or
// alpha premultiplication: the Node decoders (pngjs, jpeg-js) apply neither. DICOM (found by
// its content, whatever the file's name): split-core's reader, the one Node uses, with the
// codecs' wasm served beside the bundle; its header never leaves this worker.

let codecs: dicom.DicomCodecs | undefined;

export const decodeImage: DecodeImage = async (file, shape) => {
  const head = new Uint8Array(await file.slice(0, 132).arrayBuffer());
  if (dicom.isDicom(head)) {
    codecs ??= new dicom.DicomCodecs({ charls: charlsWasm, openjpeg: openjpegWasm, libjpeg: libjpegWasm });
    return dicom.decodeDicomSample(new Uint8Array(await file.arrayBuffer()), codecs, shape);
  }
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser offers no 2D canvas in a worker');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { values: data.toSampleValues(pixels.data, pixels.width, pixels.height, shape) };
  } finally {
    bitmap.close();
  }
};
