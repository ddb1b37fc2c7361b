// The shapes of data the codec moves. String unions, never numeric enums (STYLE.md §9): the
// numbers that go on the wire live in one explicit table (wire_format.ts).

export type DType = 'float32' | 'int32';

/**
 * How float32 values travel. 'fp32' is full width (exact); 'fp16' is IEEE half precision;
 * 'int8' is 8-bit affine quantization per tensor (value ~= min + q * scale, q in 0..255).
 * int32 data (class indices) is always stored raw: a lossy encoding requested for int32 data is
 * ignored and the frame records 'fp32', because a label must arrive exactly as it was sent.
 */
export type Encoding = 'fp32' | 'fp16' | 'int8';

export interface TensorData {
  /** e.g. 'activations', 'gradients', 'labels', or a variable name such as 'conv1/kernel'. */
  name: string;
  dtype: DType;
  shape: number[];
  /** Row-major; Float32Array for 'float32', Int32Array for 'int32'; length = product(shape). */
  values: Float32Array | Int32Array;
}

export interface DecodedTensor extends TensorData {
  /** The encoding the frame was sent with ('fp32' for int32 data). */
  encoding: Encoding;
}

export interface DecodeLimits {
  /** Largest accepted message in bytes (a frame, or a whole bundle). Checked before anything is read. */
  maxFrameBytes: number;
  /**
   * Most elements one decoded tensor may hold; in a bundle, the total over all its tensors.
   * Default: no limit beyond what `maxFrameBytes` already implies (every element takes >= 1 byte).
   */
  maxElements?: number;
  /** Accept NaN and +-Infinity in decoded values. Default false: they would poison training. */
  allowNonFinite?: boolean;
  /** Highest accepted rank; default and ceiling is the format's MAX_RANK (8). */
  maxRank?: number;
}

export interface BundleDecodeLimits extends DecodeLimits {
  /** Most frames one bundle may carry. */
  maxTensors: number;
}
