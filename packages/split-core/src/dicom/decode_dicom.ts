import dicomParser, { type DataSet } from 'dicom-parser';
import { grayToSampleValues, type DecodedSample, type ImageShape } from '../data/image';
import type { DicomCodecs, DecodedFrame } from './codecs';
import { DicomSkip, readDicom, type DicomImageHeader } from './dicom_header';
import { decodeRle } from './rle';
import { displayValues, storedValues } from './display_values';

// A DICOM file's bytes -> its first frame as display values in [0, 1], on any device: the
// training worker and every Node command call this, so one file gives the same pixels in both.

export interface DicomImage {
  width: number;
  height: number;
  /** Row-major greyscale in [0, 1], windowed as the header says. */
  gray: Float32Array;
  /** Frames in the file; only the first is used (the file list says so when there are more). */
  frames: number;
  /** For a label table keyed by SOP Instance UID; stays on the device. */
  sopInstanceUid?: string;
}

/** A DICOM file as model input, with what the file list should say about it (a multi-frame file's first frame); throws DicomSkip with the reason. */
export async function decodeDicomSample(bytes: Uint8Array, codecs: DicomCodecs, shape: ImageShape): Promise<DecodedSample> {
  const image = await decodeDicom(bytes, codecs);
  const values = grayToSampleValues(image.gray, image.width, image.height, shape);
  // The UID is for labelling on the device (a manifest keyed by it), never for a message.
  return {
    values,
    ...(image.frames > 1 ? { note: `DICOM with ${image.frames} frames: the first is used` } : {}),
    ...(image.sopInstanceUid ? { sopInstanceUid: image.sopInstanceUid } : {}),
  };
}

/** Decodes the first frame; throws DicomSkip saying why a file cannot be used. */
export async function decodeDicom(bytes: Uint8Array, codecs: DicomCodecs): Promise<DicomImage> {
  const { dataSet, header } = readDicom(bytes);
  const pixels = header.rows * header.columns;
  let stored: Int32Array;
  try {
    stored = await firstFrameValues(dataSet, header, codecs, pixels);
  } catch (error) {
    if (error instanceof DicomSkip) throw error;
    throw new DicomSkip(`${header.transferSyntax.name} pixel data could not be decoded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    width: header.columns,
    height: header.rows,
    gray: displayValues(stored, header),
    frames: header.frames,
    ...(header.sopInstanceUid ? { sopInstanceUid: header.sopInstanceUid } : {}),
  };
}

async function firstFrameValues(dataSet: DataSet, header: DicomImageHeader, codecs: DicomCodecs, pixels: number): Promise<Int32Array> {
  const element = dataSet.elements.x7fe00010;
  if (!element) throw new DicomSkip('no pixel data');
  const bytesPerSample = header.bitsAllocated / 8;
  const encoding = header.transferSyntax.encoding;
  if (encoding === 'native') {
    const length = pixels * bytesPerSample;
    if (element.length < length) throw new DicomSkip(`truncated pixel data: ${element.length} bytes, the first frame needs ${length}`);
    const frame = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + length);
    return storedValues(frame, header, pixels, header.transferSyntax.bigEndian);
  }
  const encoded = encapsulatedFirstFrame(dataSet, header);
  let frame: DecodedFrame;
  if (encoding === 'rle') frame = { width: header.columns, height: header.rows, bitsPerSample: header.bitsAllocated, bytes: decodeRle(encoded, pixels, bytesPerSample) };
  else if (encoding === 'jpeg-lossless') frame = codecs.jpegLossless(encoded, header.columns, header.rows, bytesPerSample);
  else if (encoding === 'jpeg-ls') frame = await codecs.jpegLs(encoded);
  else if (encoding === 'jpeg-2000') frame = await codecs.jpeg2000(encoded);
  else frame = await codecs.jpegBaseline(encoded);
  if (frame.width !== header.columns || frame.height !== header.rows) throw new Error(`the compressed image is ${frame.width}x${frame.height}, the header says ${header.columns}x${header.rows}`);
  // Codecs hand back 8-bit samples as bytes and wider ones as 16-bit little-endian words.
  const decodedBytesPerSample = frame.bitsPerSample > 8 ? 2 : 1;
  const layout = { ...header, bitsAllocated: decodedBytesPerSample * 8, bitsStored: Math.min(header.bitsStored, decodedBytesPerSample * 8) };
  return storedValues(frame.bytes, layout, pixels);
}

/** The compressed bytes of the first frame, however the file splits its fragments. */
function encapsulatedFirstFrame(dataSet: DataSet, header: DicomImageHeader): Uint8Array {
  const element = dataSet.elements.x7fe00010;
  const fragments = element?.fragments ?? [];
  if (!element || !element.encapsulatedPixelData || fragments.length === 0) throw new DicomSkip(`the header says ${header.transferSyntax.name}, but the pixel data is not encapsulated`);
  if ((element.basicOffsetTable?.length ?? 0) > 0) return dicomParser.readEncapsulatedImageFrame(dataSet, element, 0);
  if (header.frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
  if (fragments.length === header.frames) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, 1);
  // Several fragments per frame and no offset table: JPEG-family streams split at their start markers.
  return dicomParser.readEncapsulatedImageFrame(dataSet, element, 0, dicomParser.createJPEGBasicOffsetTable(dataSet, element));
}
