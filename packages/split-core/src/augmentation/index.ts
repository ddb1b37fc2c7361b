export { AugmentationSchema, drawTransforms, inverseAffineRow, type Augmentation, type AugmentationInput, type SampleTransform } from './augmentation';
export { augmentBatch } from './augment_batch';
export { augmentationRng } from './augmentation_seed';
