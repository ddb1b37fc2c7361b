// One simulated hospital's share of the generated demo training images, for the booth demo
// (K hospitals in one page, one per worker) and headless clients (`--data demo --shard i/K`).
// The shards are the IID split of the whole demo training set that shardIid would deal,
// but only the hospital's own images are rendered: the permutation depends only on the set
// size and the rng, so it is drawn over indices, and any sample regenerates from its index.
// Sixteen workers each rendering all 2,000 images would spend the booth's two cores on
// pictures they then throw away.

import type { Dataset } from './dataset';
import { DEMO_CLASSES, DEMO_TASKS, generateDemoSample, type DemoSampleOptions } from './demo';
import { createRng, deriveSeed } from './random';
import { shardIid } from './shard';

/** The generated dataset is the same for every study seed: the seed varies training, not data. */
export const DEMO_DATA_SEED = 2026;
/** Demo training images shared out among the hospitals (generateDemoDataset's default). */
export const DEMO_TRAIN_SIZE = 2000;

export interface DemoShardOptions extends Pick<DemoSampleOptions, 'size' | 'channels'> {
  /** 0-based index of the hospital. */
  hospital: number;
  hospitals: number;
  /** Images in the whole pool before sharding. Default DEMO_TRAIN_SIZE. */
  poolSize?: number;
}

/** Which demo training indices hospital `hospital` of `hospitals` holds, in shard order. */
export function demoShardIndices(hospital: number, hospitals: number, poolSize = DEMO_TRAIN_SIZE): number[] {
  if (!Number.isInteger(hospital) || hospital < 0 || hospital >= hospitals) {
    throw new Error(`Hospital index must be an integer in [0, ${hospitals}), got ${hospital}.`);
  }
  const indices = Array.from({ length: poolSize }, (_, index) => index);
  return shardIid(indices, hospitals, createRng(deriveSeed(DEMO_DATA_SEED, 'client-shards')))[hospital] ?? [];
}

/** The hospital's demo images (labels included), identical to its shard of generateDemoDataset's training set. */
export function generateDemoShard(options: DemoShardOptions): Dataset {
  const { hospital, hospitals, poolSize, size = 28, channels = 1 } = options;
  return {
    classes: [...DEMO_CLASSES],
    tasks: DEMO_TASKS,
    sampleShape: [size, size, channels],
    samples: demoShardIndices(hospital, hospitals, poolSize).map((index) => generateDemoSample({ seed: DEMO_DATA_SEED, split: 'train', index, size, channels })),
  };
}
