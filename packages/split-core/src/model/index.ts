export type * from './spec';
export { ModelSpecError, type ModelSpecErrorCode } from './errors';
export { CATALOGUE_MODEL_NAMES, getModelSpec, isCatalogueModelName, type CatalogueModelName, type CatalogueOptions } from './catalogue';
export { planSegments, resolveCut, type SegmentPlan } from './cuts';
export { buildLayersModel } from './build';
export { inferShapes, inferLayerShape, countParams, countSegmentParams } from './shapes';
export { averageWeights, readWeights, requireWeightLayout, weightLayout, writeWeights, WeightMismatchError, type NamedWeight, type WeightSpec } from './weights';
export { decodeWeights, encodeWeights, WEIGHT_BUNDLE_LIMITS } from './weights_frames';
export { WEIGHTS_DIGEST_PATTERN, weightsDigest, type WeightsDigest } from './weights_digest';
