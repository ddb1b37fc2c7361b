export type { Dataset, Sample, SkippedFile } from './dataset';
export { createRng, deriveSeed, shuffled, type Rng } from './random';
export { toSampleValues, type ImageShape } from './image';
export { matchClasses, normalizeClassName, type ClassMatch } from './classes';
export { shardDirichlet, shardIid, stratifiedSplit } from './shard';
export { localValidationSplit, type LocalValidationConfig } from './local_validation';
export { batchToTensors, epochBatches, type BatchTensors } from './batches';
export { DEMO_CLASSES, DEMO_LABEL_NOISE, generateDemoDataset, generateDemoSample, type DemoDatasetOptions, type DemoSampleOptions } from './demo';
export { DEMO_DATA_SEED, DEMO_TRAIN_SIZE, demoShardIndices, generateDemoShard, type DemoShardOptions } from './demo_shard';
