// A model spec arrives as JSON (from a study record, a researcher's form, a browser), so a
// wrong spec is an expected input error, not a bug: it gets its own class and a string code
// that callers can switch on (string tags, never numeric enums: STYLE.md §9).

export type ModelSpecErrorCode =
  /** The model's input shape is empty or holds a size that is not a positive integer. */
  | 'invalid-input-shape'
  /** A layer parameter (filters, kernel size, strides, units, ...) is not a positive integer. */
  | 'invalid-layer-parameter'
  /** A layer received a tensor of the wrong rank (e.g. dense after a conv without flatten). */
  | 'rank-mismatch'
  /** A layer would produce a zero or negative size (e.g. a 'valid' kernel larger than its input). */
  | 'non-positive-output'
  /** A residual body's output shape differs from its shortcut's. */
  | 'residual-shape-mismatch'
  /** A layer `type` that the spec format does not define (possible with untyped JSON). */
  | 'unknown-layer-type'
  /** A cut point that names no layer, leaves a side empty, or falls inside a residual block. */
  | 'invalid-cut'
  /** A model name that is not in the catalogue. */
  | 'unknown-model'
  /** Vertical parties whose cut outputs cannot be concatenated. */
  | 'incompatible-parties';

export class ModelSpecError extends Error {
  override readonly name = 'ModelSpecError';
  readonly code: ModelSpecErrorCode;
  /** The offending layer, when the error is about one layer. */
  readonly layerName: string | undefined;

  constructor(code: ModelSpecErrorCode, message: string, layerName?: string) {
    super(message);
    this.code = code;
    this.layerName = layerName;
  }
}
