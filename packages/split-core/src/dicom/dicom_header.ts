import dicomParser, { type DataSet } from 'dicom-parser';
import { isVideoSyntax, TRANSFER_SYNTAXES, type TransferSyntax } from './transfer_syntax';

// What a DICOM file says about its image, read with dicom-parser, and every reason a file is
// not an image this project can train on. Only the fields the pixels need are taken: names,
// ids and dates stay in the file (the SOP Instance UID is kept for matching a label table on
// the device, and nothing here is ever put into a message).

/** A file that is not an image to train on; the message says why, for the skipped-files list. */
export class DicomSkip extends Error {
  override readonly name = 'DicomSkip';
}

export interface DicomImageHeader {
  transferSyntaxUid: string;
  transferSyntax: TransferSyntax;
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  /** 0: unsigned, 1: two's complement. */
  pixelRepresentation: 0 | 1;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  frames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** The header's first VOI window, when it has one. */
  window?: { center: number; width: number };
  /** For a label table keyed by SOP Instance UID; never leaves the device. */
  sopInstanceUid?: string;
}

const DICOMDIR_CLASS = '1.2.840.10008.1.3.10';
const STRUCTURED_REPORT = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\./;
const ENCAPSULATED_DOCUMENT = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.104\./;
const VIDEO_CLASS = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.77\.1\.\d+\.1\.1$/;

/** Whether the bytes are a DICOM Part 10 file: "DICM" after the 128-byte preamble. */
export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** Parses the file (pixel data included) and reads its image header; throws DicomSkip with the reason when it cannot train on it. */
export function readDicom(bytes: Uint8Array): { dataSet: DataSet; header: DicomImageHeader } {
  if (!isDicom(bytes)) throw new DicomSkip('not a DICOM file (no "DICM" marker after the 128-byte preamble)');
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch (error) {
    // dicom-parser throws strings and {exception, dataSet} objects as well as Errors.
    const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : String((error as { exception?: unknown }).exception ?? error);
    throw new DicomSkip(`truncated or damaged DICOM file (${detail.replace(/^dicomParser\.?\w*:\s*/, '')})`);
  }
  return { dataSet, header: imageHeader(dataSet) };
}

function imageHeader(dataSet: DataSet): DicomImageHeader {
  const mediaClass = dataSet.string('x00020002') ?? '';
  const sopClass = dataSet.string('x00080016') ?? mediaClass;
  const transferSyntaxUid = dataSet.string('x00020010') ?? '';
  if (mediaClass === DICOMDIR_CLASS) throw new DicomSkip('a DICOMDIR (the index of a DICOM folder), not an image');
  if (STRUCTURED_REPORT.test(sopClass)) throw new DicomSkip('a structured report, not an image');
  if (ENCAPSULATED_DOCUMENT.test(sopClass)) throw new DicomSkip('an encapsulated document (PDF or CDA), not an image');
  if (isVideoSyntax(transferSyntaxUid) || VIDEO_CLASS.test(sopClass)) throw new DicomSkip('a video, not a still image');
  if (!dataSet.elements.x7fe00010) throw new DicomSkip(`no pixel data (SOP class ${sopClass || 'not given'})`);
  const transferSyntax = TRANSFER_SYNTAXES[transferSyntaxUid];
  if (!transferSyntax) throw new DicomSkip(`unsupported transfer syntax ${transferSyntaxUid || '(none given)'}`);
  if (!transferSyntax.encoding) throw new DicomSkip(`unsupported transfer syntax ${transferSyntax.name} (${transferSyntaxUid}): ${transferSyntax.unsupported ?? 'not read'}`);

  const photometric = (dataSet.string('x00280004') ?? '').trim();
  const samples = dataSet.uint16('x00280002') ?? 1;
  if (samples !== 1 || (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')) {
    throw new DicomSkip(`a ${photometric || 'colour'} image with ${samples} samples per pixel: only greyscale (MONOCHROME1 or MONOCHROME2) DICOM is read`);
  }
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  if (rows === 0 || columns === 0) throw new DicomSkip(`an image without rows or columns (${rows}x${columns})`);
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new DicomSkip(`${bitsAllocated} bits allocated per pixel: 8 and 16 are read`);
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw new DicomSkip(`${bitsStored} bits stored in ${bitsAllocated} allocated`);
  const center = dataSet.floatString('x00281050', 0);
  const width = dataSet.floatString('x00281051', 0);
  const slope = dataSet.floatString('x00281053', 0);
  const intercept = dataSet.floatString('x00281052', 0);
  const sopInstanceUid = dataSet.string('x00080018');
  return {
    transferSyntaxUid,
    transferSyntax,
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    pixelRepresentation: dataSet.uint16('x00280103') === 1 ? 1 : 0,
    photometric,
    frames: Math.max(1, dataSet.intString('x00280008') ?? 1),
    rescaleSlope: slope !== undefined && Number.isFinite(slope) && slope !== 0 ? slope : 1,
    rescaleIntercept: intercept !== undefined && Number.isFinite(intercept) ? intercept : 0,
    ...(center !== undefined && width !== undefined && Number.isFinite(center) && width >= 1 ? { window: { center, width } } : {}),
    ...(sopInstanceUid ? { sopInstanceUid } : {}),
  };
}
