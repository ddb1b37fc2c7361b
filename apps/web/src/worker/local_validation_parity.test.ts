import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocol } from '@splitlearn/split-core';
import { loadLocalData } from '@splitlearn/split-core/node';
import type { ImageCandidate } from './messages';
import { prepareDataset } from './prepare_dataset';
import { prepareDemoShard } from './prepare_demo';

// The browser worker and the Node client keep the same images on the device for validation
// when given the same files: one rule (split-core's localValidationSplit), whichever reads them.

const config = protocol.HorizontalStudyConfigSchema.parse({ name: 'parity', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'vanilla', schedule: 'round-robin', validationFraction: 0.25, seed: 11 });
const study: protocol.StudyInfo = { id: 'parity-study', config, state: 'open', round: 0 };

function png(shade: number): Buffer {
  const image = new PNG({ width: 4, height: 4 });
  image.data.fill(shade);
  return PNG.sync.write(image);
}

/** Every file below root as `<relative path>` with `/` separators. */
async function listFiles(root: string, relative = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const child = path.posix.join(relative, entry.name);
    files.push(...(entry.isDirectory() ? await listFiles(root, child) : [child]));
  }
  return files;
}

describe('local validation split: browser worker and Node client agree', () => {
  let root: string;

  beforeAll(async () => {
    root = path.join(await mkdtemp(path.join(tmpdir(), 'parity-')), 'ward-7 export');
    // Unequal classes, a nested folder, names whose order differs from their creation order.
    const files = [
      ...Array.from({ length: 23 }, (_, i) => `normal/n${(i * 7) % 23}.png`),
      ...Array.from({ length: 14 }, (_, i) => `pneumonia/${i % 2 === 0 ? 'left' : 'right'}/p-${14 - i}.png`),
    ];
    for (const [i, file] of files.entries()) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), png(i * 5));
    }
  });

  afterAll(async () => {
    await rm(path.dirname(root), { recursive: true, force: true });
  });

  it('keeps the same files for validation from the same folder, in whatever order the picker lists them', async () => {
    const node = await loadLocalData(study, { source: root });
    // What <input webkitdirectory> hands the page: paths start with the picked folder's name.
    const picked = path.basename(root);
    const relative = await listFiles(root);
    const candidates: ImageCandidate[] = await Promise.all(
      relative.reverse().map(async (file) => ({ path: `${picked}/${file}`, label: file.split('/')[0] ?? '', file: new Blob([await readFile(path.join(root, file))]) })),
    );
    const browser = await prepareDataset(candidates, { ...config, inputShape: [...config.inputShape] }, (_file, shape) => Promise.resolve({ values: new Float32Array(shape[0] * shape[1] * shape[2]) }));
    const browserVal = browser.val.samples.map((sample) => sample.id.slice(picked.length + 1)).sort();
    const nodeVal = node.val.samples.map((sample) => sample.id).sort();
    expect(nodeVal).toHaveLength(Math.round(37 * 0.25));
    expect(browserVal).toEqual(nodeVal);
    expect(browser.train.samples).toHaveLength(node.train.samples.length);
  });

  it('keeps the same demo images for validation in a booth hospital and in `npm run client -- --data demo --shard`', async () => {
    const node = await loadLocalData(study, { source: 'demo', shard: { index: 1, count: 3 } });
    const demoStudy = { ...config, classes: ['normal', 'nodule'], inputShape: [...config.inputShape] };
    const browser = prepareDemoShard(1, 3, demoStudy);
    expect(browser.val.samples.map((sample) => sample.id)).toEqual(node.val.samples.map((sample) => sample.id));
    expect(node.val.samples.length).toBeGreaterThan(0);
  });
});
