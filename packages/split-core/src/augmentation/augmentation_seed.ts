import { createRng, deriveSeed, type Rng } from '../data/random';
import type { BatchOrderKey } from '../runtime/batch_order';

/** The draws of one training step: keyed like the epoch's batch order (study seed, group, round) and the step, so a replayed step is augmented the same way. */
export function augmentationRng(key: BatchOrderKey, step: number): Rng {
  return createRng(deriveSeed(key.seed, 'augmentation', key.group, key.round, step));
}
