import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

// Report figures drawn by Vega-Lite and rendered to SVG in Node (no browser, no canvas):
// a chart is a declarative spec over the measured rows, never a hand-written SVG string.

export async function writeChart(file: string, spec: TopLevelSpec): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, svg);
  } finally {
    view.finalize();
  }
}
