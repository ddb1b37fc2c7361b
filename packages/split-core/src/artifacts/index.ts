// Trained segments as tfjs layers-model files for their owners (the server segment to the
// researcher, client segments to each client), and putting them back together for inference.
export { SegmentFilesError, type SegmentFilesErrorCode } from './errors';
export { describeSegment, SEGMENT_FORMAT, segmentFileStem, segmentMetadata, SegmentMetadataSchema, type SegmentDescription, type SegmentMetadata, type SegmentPart } from './metadata';
export { isWeightFileName, ModelJsonSchema, parseSegmentModelJson, weightFileName, type ModelJson, type SegmentModelJson } from './model_json';
export { DEFAULT_WEIGHTS_FILE, loadSegment, segmentFiles, segmentFilesFromWeights, segmentModelFromWeights, type LoadedSegment, type SegmentFiles } from './segment_files';
export { chainSegments, checkRole, disposeChain, predictProbabilities, type SegmentChain } from './chain';
export { roleSegmentFiles } from './study_segments';
export { checkValidatedWeights, type WeightsCheck } from './validated_weights';
