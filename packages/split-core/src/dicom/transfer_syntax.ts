// The transfer syntaxes a clinician's export may use, and how each one's pixel data is read:
// tfjs-free, so the training worker and Node agree on what they take and how they name what
// they do not.

/** How a frame's pixels are stored: as they are, or compressed by one of these methods. */
export type PixelEncoding = 'native' | 'rle' | 'jpeg-baseline' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000';

export interface TransferSyntax {
  name: string;
  /** Absent: recognised, but not read (the reason says why). */
  encoding?: PixelEncoding;
  /** Native pixel data stored most significant byte first. */
  bigEndian?: boolean;
  /** Why a recognised syntax is not read. */
  unsupported?: string;
}

export const TRANSFER_SYNTAXES: Readonly<Record<string, TransferSyntax>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native', bigEndian: true },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', unsupported: 'deflated data sets are not read yet' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (8 bit)', encoding: 'jpeg-baseline' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (12 bit)', unsupported: 'no maintained decoder for 12-bit lossy JPEG is bundled' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, first-order prediction', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 Lossless', unsupported: 'no HTJ2K decoder is bundled yet' },
  '1.2.840.10008.1.2.4.202': { name: 'High-Throughput JPEG 2000 (RPCL) Lossless', unsupported: 'no HTJ2K decoder is bundled yet' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000', unsupported: 'no HTJ2K decoder is bundled yet' },
};

/** MPEG-2, MPEG-4 and HEVC video syntaxes (PS3.5 A.4.5 to A.4.13). */
const VIDEO_SYNTAX = /^1\.2\.840\.10008\.1\.2\.4\.10[0-8]$/;

export function isVideoSyntax(uid: string): boolean {
  return VIDEO_SYNTAX.test(uid);
}
