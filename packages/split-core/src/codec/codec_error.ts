// Frames arrive from other participants over the network, so a bad frame is an expected input
// error, not a bug: it gets its own class and a string code the relay can switch on to send a
// typed error reply (STYLE.md §10). The decoder throws nothing but CodecError.

export type CodecErrorCode =
  /** The frame ends before the length its header announces (or before the header itself). */
  | 'truncated'
  /** The first bytes are not a tensor frame (or bundle) magic: wrong message or wrong decoder. */
  | 'bad-magic'
  /** The frame was written by a codec version this build does not read: update the older side. */
  | 'unsupported-version'
  /** A header field holds an unknown code, a non-zero reserved byte or a rank over the limit. */
  | 'bad-header'
  /** A tensor name is not valid UTF-8, has lone surrogates, or is over 255 bytes. */
  | 'bad-name'
  /** values.length differs from product(shape). */
  | 'shape-mismatch'
  /** The values array type does not match the declared dtype. */
  | 'dtype-mismatch'
  /** NaN or +-Infinity where the encoding or the decode limits do not allow them. */
  | 'non-finite'
  /** A size over a limit: frame bytes, element count, or a shape whose product overflows. */
  | 'too-large'
  /** A value the encoding cannot represent (fp16 beyond +-65504), or invalid int8 parameters. */
  | 'out-of-range'
  /** Bytes after the end that the header announces: a framing bug or a tampered frame. */
  | 'trailing-bytes'
  /** A bundle announces more frames than `maxTensors`. */
  | 'too-many-tensors'
  /** Two frames of one bundle share a name, so a receiver could not tell the variables apart. */
  | 'duplicate-name'
  /** The caller passed something the API does not accept (not bytes, invalid limits, bad shape). */
  | 'bad-argument';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
