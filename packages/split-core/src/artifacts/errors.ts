// Why a set of exported segment files cannot be used. Every message says what to pass
// instead, since the reader is a researcher at a terminal with a folder of files.

export type SegmentFilesErrorCode =
  | 'not-a-model'
  | 'not-a-segment'
  | 'bad-weights'
  | 'missing-segment'
  | 'duplicate-segment'
  | 'unexpected-segment'
  | 'different-studies'
  | 'wrong-role'
  | 'shape-mismatch'
  | 'class-mismatch';

export class SegmentFilesError extends Error {
  constructor(
    readonly code: SegmentFilesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SegmentFilesError';
  }
}
