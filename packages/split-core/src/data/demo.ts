// A procedural demo dataset, so the project trains out of the box with no patient data:
// synthetic chest radiographs, 'normal' vs 'nodule' (see demo_render.ts for why a CNN can
// learn it and a linear model cannot). Every sample is generated from its own seed
// (seed, split, index), so any single image can be regenerated on any device, and the
// train and validation splits are independent streams.

import type { Dataset, Sample } from './dataset';
import type { DemoStyle } from './demo_render';
import { DEFAULT_DEMO_STYLE, renderChestScene } from './demo_render';
import { createRng, deriveSeed } from './random';

export const DEMO_CLASSES: readonly string[] = ['normal', 'nodule'];

/**
 * The demo's further task, for multi-task split learning: which lung, as the image shows it,
 * holds the lesion that decides the class (the nodule's ring, or the normal image's blob).
 * Its labels are not noisy. Every demo sample carries it; single-task studies ignore it.
 */
export const DEMO_TASKS: readonly { name: string; classes: readonly string[] }[] = [{ name: 'side', classes: ['left', 'right'] }];

/**
 * Fraction of samples (train and validation alike) whose stored label is flipped: the
 * image shows the other class. It caps the reachable validation accuracy near 0.90, the
 * way inter-reader disagreement caps real radiology labels, so a demo run lands in a
 * believable range instead of at 100 %. Measured with bench/demo_tune.py (cnn-small, Adam
 * 1e-3, batch 32, 3 epochs, 4 data seeds x 3 inits): 0.83-0.92, mean 0.90, and 0.91-0.92
 * with the project's own tfjs training (bench/demo_check.ts); softmax regression on raw
 * pixels at most 0.54, also when trained 20 epochs.
 */
export const DEMO_LABEL_NOISE = 0.1;

export type DemoSplit = 'train' | 'val';

export interface DemoSampleOptions {
  seed: number;
  split: DemoSplit;
  index: number;
  /** Image height and width in pixels. Default 28. */
  size?: number;
  /** 1 (grayscale) or 3 (the gray image in each of R, G, B). Default 1. */
  channels?: 1 | 3;
  /** Override generator knobs, e.g. to make the booth demo easier or harder. */
  style?: Partial<DemoStyle>;
  /** Probability that the stored label is flipped. Default DEMO_LABEL_NOISE. */
  labelNoise?: number;
}

export interface DemoDatasetOptions extends Omit<DemoSampleOptions, 'split' | 'index'> {
  /** Default 2000. */
  trainSize?: number;
  /** Default 500. */
  valSize?: number;
}

/**
 * One demo image. Classes alternate by index (even = normal, odd = nodule), so any
 * prefix of a split is balanced; the label noise then flips a random few.
 * Id: `demo/<split>/<index, 6 digits>`.
 */
export function generateDemoSample(options: DemoSampleOptions): Sample {
  const { seed, split, index, size = 28, channels = 1, labelNoise = DEMO_LABEL_NOISE } = options;
  if (!Number.isInteger(size) || size < 8) throw new Error(`Demo image size must be an integer >= 8, got ${size}.`);
  if (!Number.isInteger(index) || index < 0) throw new Error(`Demo sample index must be a non-negative integer, got ${index}.`);
  const style: DemoStyle = { ...DEFAULT_DEMO_STYLE, ...options.style };
  const rng = createRng(deriveSeed(seed, 'demo', split, index));
  const trueLabel = index % 2;
  const { image: gray, lesionSide } = renderChestScene(rng, size, trueLabel === 1, style);
  const label = rng.next() < labelNoise ? 1 - trueLabel : trueLabel;
  return { id: `demo/${split}/${String(index).padStart(6, '0')}`, label, tasks: [lesionSide], values: channels === 3 ? grayToRgb(gray) : gray };
}

/** The demo train and validation sets, deterministic from the seed. */
export function generateDemoDataset(options: DemoDatasetOptions): { train: Dataset; val: Dataset } {
  const { trainSize = 2000, valSize = 500, ...sampleOptions } = options;
  const size = sampleOptions.size ?? 28;
  const channels = sampleOptions.channels ?? 1;
  const build = (split: DemoSplit, count: number): Dataset => ({
    classes: [...DEMO_CLASSES],
    tasks: DEMO_TASKS,
    sampleShape: [size, size, channels],
    samples: Array.from({ length: count }, (_, index) => generateDemoSample({ ...sampleOptions, split, index })),
  });
  return { train: build('train', trainSize), val: build('val', valSize) };
}

function grayToRgb(gray: Float32Array): Float32Array {
  const rgb = new Float32Array(gray.length * 3);
  gray.forEach((value, i) => rgb.fill(value, i * 3, i * 3 + 3));
  return rgb;
}
