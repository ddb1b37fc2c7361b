import type { Dataset, SkippedFile } from '../../data/dataset';
import { generateDemoDataset } from '../../data/demo';
import { createRng, deriveSeed } from '../../data/random';
import { shardIid, stratifiedSplit } from '../../data/shard';
import type { StudyInfo } from '../../protocol/messages';
import { readImageFolder } from '../data/image_folder';

/** The generated dataset is the same for every study seed: the seed varies training, not data. */
export const DEMO_DATA_SEED = 2026;

export interface LocalData {
  train: Dataset;
  val: Dataset;
  skipped: SkippedFile[];
  unknownClasses: string[];
}

export interface LocalDataOptions {
  /** An ImageFolder directory, or 'demo' for a shard of the generated dataset. */
  source: string;
  /** With 'demo': which of `count` IID shards of the demo training images this client holds. */
  shard?: { index: number; count: number };
}

const demoCache = new Map<string, Dataset>();

/** Generating the demo set takes seconds; several clients in one process (tests, load) share it. */
function demoTrainingSet(size: number, channels: 1 | 3): Dataset {
  const key = `${size}x${channels}`;
  let train = demoCache.get(key);
  if (!train) {
    train = generateDemoDataset({ seed: DEMO_DATA_SEED, size, channels, valSize: 0 }).train;
    demoCache.set(key, train);
  }
  return train;
}

/**
 * Loads a client's labelled images for a study (converted to the study's input, classes
 * matched to the study's declared ones) and keeps a stratified share on the device for
 * validation, as the study asks.
 */
export async function loadLocalData(study: StudyInfo, options: LocalDataOptions): Promise<LocalData> {
  const { config } = study;
  const [height = 28, , channels = 1] = config.inputShape;
  let all: Dataset;
  let skipped: SkippedFile[] = [];
  let unknownClasses: string[] = [];
  if (options.source === 'demo') {
    const demo = demoTrainingSet(height, channels === 3 ? 3 : 1);
    const shard = options.shard ?? { index: 0, count: 1 };
    const shards = shardIid(demo.samples, shard.count, createRng(deriveSeed(DEMO_DATA_SEED, 'client-shards')));
    all = { ...demo, samples: shards[shard.index] ?? [] };
  } else {
    const read = await readImageFolder(options.source, { sampleShape: config.inputShape as [number, number, number], classes: config.classes });
    all = read.dataset;
    skipped = read.skipped;
    unknownClasses = read.unknownClasses;
  }
  const split = stratifiedSplit(all.samples, config.validationFraction, createRng(deriveSeed(config.seed, 'local-validation', options.source, options.shard?.index ?? 0)));
  return { train: { ...all, samples: split.train }, val: { ...all, samples: split.val }, skipped, unknownClasses };
}
