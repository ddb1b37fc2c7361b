// A hospital-style image folder (`<class>/<file>.png`) written from the generated demo
// dataset, so browser tests that go through the real folder input need no external data.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { data } from '@splitlearn/split-core';

function grayPng(values: Float32Array, size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  values.forEach((value, i) => {
    const level = Math.round(255 * Math.min(Math.max(value, 0), 1));
    png.data.set([level, level, level, 255], i * 4);
  });
  return PNG.sync.write(png, { colorType: 0 });
}

/** Writes `count` demo training images (classes alternate) under `dir/<class>/`; returns the count per class. */
export async function writeDemoFolder(dir: string, options: { count: number; seed?: number; first?: number }): Promise<Record<string, number>> {
  const perClass: Record<string, number> = Object.fromEntries(data.DEMO_CLASSES.map((name) => [name, 0]));
  for (const name of data.DEMO_CLASSES) await mkdir(path.join(dir, name), { recursive: true });
  for (let index = options.first ?? 0; index < (options.first ?? 0) + options.count; index++) {
    const sample = data.generateDemoSample({ seed: options.seed ?? 1, split: 'train', index });
    const name = data.DEMO_CLASSES[sample.label] as string;
    perClass[name] = (perClass[name] ?? 0) + 1;
    await writeFile(path.join(dir, name, `demo-${String(index).padStart(5, '0')}.png`), grayPng(sample.values, 28));
  }
  return perClass;
}
