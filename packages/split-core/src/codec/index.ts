// The codec module's surface: binary tensor frames and bundles, their size accounting, the
// pure fp16/int8 conversions and the tfjs bridge. Wire layout and codes: wire_format.ts.

export type { BundleDecodeLimits, DecodedTensor, DecodeLimits, DType, Encoding, TensorData } from './types';
export { CodecError, type CodecErrorCode } from './codec_error';
export { encodeTensor } from './encode_tensor';
export { decodeTensor } from './decode_tensor';
export { decodeBundle, encodeBundle, encodedBundleSize } from './bundle';
export { encodedSize, nameByteLength } from './encoded_size';
export {
  chooseInt8Affine,
  dequantizeInt8,
  float32ToHalfBits,
  FP16_MAX,
  halfBitsToFloat32,
  type Int8Affine,
  quantizeInt8,
} from './quantize';
export { DTYPE_CODES, ENCODING_CODES, FORMAT_VERSION, MAX_NAME_BYTES, MAX_RANK } from './wire_format';
export { dataToTensor, tensorToData } from './tensor_frames';
