// Writes a PNG contact sheet of demo images, one row per class, to eyeball the generator.
//
//   npx tsx packages/split-core/bench/demo_preview.ts [out.png] [--seed 1] [--per-class 8] [--size 28] [--zoom 4]
//
// Labels shown are the TRUE classes (index parity), not the noisy stored labels.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { generateDemoSample } from '../src/data/demo';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seed: { type: 'string', default: '1' },
    'per-class': { type: 'string', default: '8' },
    size: { type: 'string', default: '28' },
    zoom: { type: 'string', default: '4' },
  },
});
const out = positionals[0] ?? '/tmp/demo_preview.png';
const seed = Number(flags.seed);
const perClass = Number(flags['per-class']);
const size = Number(flags.size);
const zoom = Number(flags.zoom);
const gap = 2;
const cell = size * zoom + gap;

const png = new PNG({ width: perClass * cell, height: 2 * cell });
png.data.fill(255);
for (let trueLabel = 0; trueLabel < 2; trueLabel++) {
  for (let column = 0; column < perClass; column++) {
    const { values } = generateDemoSample({ seed, split: 'train', index: 2 * column + trueLabel, size });
    for (let y = 0; y < size * zoom; y++) {
      for (let x = 0; x < size * zoom; x++) {
        const level = Math.round(255 * (values[Math.floor(y / zoom) * size + Math.floor(x / zoom)] ?? 0));
        const at = ((trueLabel * cell + y) * png.width + column * cell + x) * 4;
        png.data[at] = level;
        png.data[at + 1] = level;
        png.data[at + 2] = level;
        png.data[at + 3] = 255;
      }
    }
  }
}
writeFileSync(out, PNG.sync.write(png));
console.log(`top row normal, bottom row nodule -> ${out}`);
