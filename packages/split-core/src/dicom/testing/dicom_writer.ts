import dcmjs from 'dcmjs';
import { encodeJpeg2000, encodeJpegBaseline, encodeJpegLossless, encodeJpegLs, encodeRle, sampleBytes, type FrameLayout } from './test_encoders';

// DICOM files for the tests, written with dcmjs: a greyscale image in any transfer syntax the
// reader takes, with the header fields a hospital's export carries (names, ids, dates, UIDs:
// the wire audit looks for them), a DICOMDIR, and objects that are not images.

const { DicomDict, DicomMetaDictionary } = dcmjs.data;
dcmjs.log.setLevel('error');

export const SYNTAX = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLs: '1.2.840.10008.1.2.4.80',
  jpegLsNear: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
} as const;
export type SyntaxName = keyof typeof SYNTAX;

/** Header values a test can look for on the wire: none of them may ever leave the device. */
export const PATIENT = { PatientName: 'Doe^Jane', PatientID: 'PID-77341', PatientBirthDate: '19580214', StudyDate: '20240131', AccessionNumber: 'ACC-20240131-9' };

export interface DicomImageOptions {
  rows: number;
  columns: number;
  /** Stored values, frame after frame (rows x columns each). */
  frames: ArrayLike<number>[];
  bitsAllocated: 8 | 16;
  bitsStored?: number;
  signed?: boolean;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  rescale?: { slope: number; intercept: number };
  /** Written as the header's windows (first one first). */
  windows?: { center: number; width: number }[];
  syntax: SyntaxName;
  /** Labels the file with another transfer syntax than the one its pixels are encoded in (unsupported and video syntaxes). */
  labelledAs?: string;
  sopInstanceUid?: string;
}

const MULTI_FRAME_BYTE = '1.2.840.10008.5.1.4.1.1.7.2';
const MULTI_FRAME_WORD = '1.2.840.10008.5.1.4.1.1.7.3';
const DIGITAL_XRAY = '1.2.840.10008.5.1.4.1.1.1.1';

export async function dicomImageFile(options: DicomImageOptions): Promise<Uint8Array> {
  const bitsStored = options.bitsStored ?? options.bitsAllocated;
  const layout: FrameLayout = { width: options.columns, height: options.rows, bits: bitsStored, signed: options.signed ?? false };
  const sopClass = options.frames.length > 1 ? (options.bitsAllocated === 8 ? MULTI_FRAME_BYTE : MULTI_FRAME_WORD) : DIGITAL_XRAY;
  const sopInstanceUid = options.sopInstanceUid ?? DicomMetaDictionary.uid();
  const dataset: Record<string, unknown> = {
    SOPClassUID: sopClass,
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: DicomMetaDictionary.uid(),
    SeriesInstanceUID: DicomMetaDictionary.uid(),
    ...PATIENT,
    Modality: 'DX',
    SamplesPerPixel: 1,
    PhotometricInterpretation: options.photometric ?? 'MONOCHROME2',
    Rows: options.rows,
    Columns: options.columns,
    ...(options.frames.length > 1 ? { NumberOfFrames: options.frames.length } : {}),
    BitsAllocated: options.bitsAllocated,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: options.signed ? 1 : 0,
    ...(options.rescale ? { RescaleSlope: options.rescale.slope, RescaleIntercept: options.rescale.intercept, RescaleType: 'US' } : {}),
    ...(options.windows ? { WindowCenter: options.windows.map((window) => window.center), WindowWidth: options.windows.map((window) => window.width) } : {}),
  };
  const syntax = options.labelledAs ?? SYNTAX[options.syntax];
  if (options.syntax === 'implicit' || options.syntax === 'explicit') {
    const all = options.frames.flatMap((frame) => Array.from(frame));
    const bytes = options.bitsAllocated === 8 ? Uint8Array.from(all, (value) => value & 0xff) : sampleBytes(all, { ...layout, bits: 16 }, false);
    dataset.PixelData = [bytes.slice().buffer];
    dataset._vrMap = { PixelData: options.bitsAllocated === 8 ? 'OB' : 'OW' };
  } else {
    const encoded = await Promise.all(options.frames.map((frame) => encodeFrame(options.syntax, frame, layout)));
    dataset.PixelData = encoded.map((bytes) => bytes.slice().buffer);
    dataset._vrMap = { PixelData: 'OB' };
  }
  return write(dataset, { MediaStorageSOPClassUID: sopClass, MediaStorageSOPInstanceUID: sopInstanceUid, TransferSyntaxUID: syntax });
}

async function encodeFrame(syntax: SyntaxName, frame: ArrayLike<number>, layout: FrameLayout): Promise<Uint8Array> {
  switch (syntax) {
    case 'rle':
      return encodeRle(frame, layout);
    case 'jpegBaseline':
      return encodeJpegBaseline(frame, layout);
    case 'jpegLossless':
      return encodeJpegLossless(frame, layout, 6);
    case 'jpegLosslessSv1':
      return encodeJpegLossless(frame, layout, 1);
    case 'jpegLs':
      return encodeJpegLs(frame, layout);
    case 'jpegLsNear':
      return encodeJpegLs(frame, layout, 2);
    case 'jpeg2000Lossless':
      return encodeJpeg2000(frame, layout);
    case 'jpeg2000':
      return encodeJpeg2000(frame, layout, false);
    default:
      throw new Error(`${syntax} is not an encapsulated syntax`);
  }
}

/** A DICOMDIR: the folder's index, which the reader must skip, not read as an image. */
export function dicomDirFile(): Uint8Array {
  return write({ FileSetID: 'EXPORT', FileSetConsistencyFlag: 0 }, { MediaStorageSOPClassUID: '1.2.840.10008.1.3.10', MediaStorageSOPInstanceUID: DicomMetaDictionary.uid(), TransferSyntaxUID: SYNTAX.explicit });
}

/** A Basic Text structured report: a DICOM file with no image. */
export function structuredReportFile(): Uint8Array {
  const sopInstanceUid = DicomMetaDictionary.uid();
  const sopClass = '1.2.840.10008.5.1.4.1.1.88.11';
  return write({ SOPClassUID: sopClass, SOPInstanceUID: sopInstanceUid, ...PATIENT, Modality: 'SR' }, { MediaStorageSOPClassUID: sopClass, MediaStorageSOPInstanceUID: sopInstanceUid, TransferSyntaxUID: SYNTAX.explicit });
}

function write(dataset: Record<string, unknown>, meta: Record<string, unknown>): Uint8Array {
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset({ FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, ImplementationClassUID: '1.2.826.0.1.3680043.9.7433.1.1', ...meta }));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write({ fragmentMultiframe: false }));
}
