// Writes demo datasets as raw files for bench/demo_tune.py (PyTorch), which tunes the
// generator while tfjs cannot yet train convolutions fast enough here.
//
//   npx tsx packages/split-core/bench/demo_export.ts <outDir> [--seeds 1,2,3] [--size 28]
//       [--style '{"noise":0.06}'] [--label-noise 0.06] [--train 2000] [--val 500]
//
// For each seed: <outDir>/seed<seed>/{train,val}_x.f32 (float32 little-endian, row-major
// [n, h, w, c]), {train,val}_y.u8 (stored label per sample) and meta.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Dataset } from '../src/data/dataset';
import type { DemoStyle } from '../src/data/demo_render';
import { generateDemoDataset } from '../src/data/demo';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    size: { type: 'string', default: '28' },
    style: { type: 'string', default: '{}' },
    'label-noise': { type: 'string' },
    train: { type: 'string', default: '2000' },
    val: { type: 'string', default: '500' },
  },
});
const outDir = positionals[0];
if (!outDir) {
  console.error('usage: demo_export.ts <outDir> [--seeds 1,2,3] [--size 28] [--style JSON] [--label-noise p]');
  process.exit(2);
}
const style = JSON.parse(flags.style) as Partial<DemoStyle>;
const labelNoise = flags['label-noise'] === undefined ? undefined : Number(flags['label-noise']);

for (const seed of flags.seeds.split(',').map(Number)) {
  const started = performance.now();
  const { train, val } = generateDemoDataset({
    seed,
    size: Number(flags.size),
    trainSize: Number(flags.train),
    valSize: Number(flags.val),
    style,
    ...(labelNoise === undefined ? {} : { labelNoise }),
  });
  const generatedMs = performance.now() - started;
  const dir = path.join(outDir, `seed${seed}`);
  mkdirSync(dir, { recursive: true });
  writeSplit(dir, 'train', train);
  writeSplit(dir, 'val', val);
  writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ seed, classes: train.classes, sampleShape: train.sampleShape, train: train.samples.length, val: val.samples.length, style, labelNoise }),
  );
  console.log(`seed ${seed}: ${train.samples.length} + ${val.samples.length} images in ${generatedMs.toFixed(0)} ms -> ${dir}`);
}

function writeSplit(dir: string, split: string, dataset: Dataset): void {
  const sampleSize = dataset.sampleShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(dataset.samples.length * sampleSize);
  const y = new Uint8Array(dataset.samples.length);
  dataset.samples.forEach((sample, i) => {
    x.set(sample.values, i * sampleSize);
    y[i] = sample.label;
  });
  writeFileSync(path.join(dir, `${split}_x.f32`), new Uint8Array(x.buffer));
  writeFileSync(path.join(dir, `${split}_y.u8`), y);
}
