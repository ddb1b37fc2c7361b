import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { matchClasses } from '../../data/classes';
import type { Dataset, Sample, SkippedFile } from '../../data/dataset';
import { toSampleValues, type ImageShape } from '../../data/image';

// Reads a clinician's export in ImageFolder layout (<root>/<class>/<file>, deeper folders
// allowed below the class) with pure-JS decoders, so it runs anywhere Node runs. A file
// that cannot be used is skipped and reported, never fatal.

export interface ImageFolderOptions {
  sampleShape: ImageShape;
  /** The study's declared classes; folder names are matched case-insensitively. */
  classes?: string[];
}

export interface ImageFolderResult {
  dataset: Dataset;
  skipped: SkippedFile[];
  unknownClasses: string[];
}

export class ImageFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageFolderError';
  }
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Decoding is refused above this many pixels: a hostile or mislabeled file must not exhaust memory. */
const MAX_PIXELS = 64 * 1024 * 1024;

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** Decodes PNG or JPEG bytes to RGBA; throws with a reason on anything else. */
export function decodeImage(bytes: Uint8Array, name: string): { rgba: Uint8Array; width: number; height: number } {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (isPng) {
    // pngjs expands gray, palette and 16-bit images to 8-bit RGBA.
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
  }
  if (isJpeg) {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    return { rgba: image.data, width: image.width, height: image.height };
  }
  throw new Error(`${name} is not a PNG or JPEG image`);
}

export async function readImageFolder(root: string, options: ImageFolderOptions): Promise<ImageFolderResult> {
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new ImageFolderError(`${root} is not a folder: give the folder that holds one sub-folder per class`);
  const classDirs = (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  if (classDirs.length === 0) throw new ImageFolderError(`${root} has no class folders: arrange the images as <class>/<image>.png (e.g. normal/001.png, pneumonia/002.png)`);
  const match = matchClasses(classDirs, options.classes);
  const skipped: SkippedFile[] = [];
  const samples: Sample[] = [];
  for (const dir of classDirs.sort()) {
    const label = match.labels.get(dir);
    const files = await listFiles(path.join(root, dir));
    for (const file of files) {
      const id = toPosix(path.relative(root, file));
      if (label === undefined) {
        skipped.push({ path: id, reason: `class '${dir}' is not one of the study's classes (${match.classes.join(', ')})` });
        continue;
      }
      if (!IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) {
        skipped.push({ path: id, reason: 'not a PNG or JPEG file' });
        continue;
      }
      try {
        const { rgba, width, height } = decodeImage(await readFile(file), id);
        if (width * height > MAX_PIXELS) throw new Error(`image is ${width}x${height}, over the ${MAX_PIXELS}-pixel limit`);
        samples.push({ id, label, values: toSampleValues(rgba, width, height, options.sampleShape) });
      } catch (error) {
        skipped.push({ path: id, reason: `unreadable image: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
  return { dataset: { classes: match.classes, sampleShape: [...options.sampleShape], samples }, skipped, unknownClasses: match.unknownClasses };
}
