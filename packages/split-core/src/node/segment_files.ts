import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SegmentFilesError } from '../artifacts/errors';
import { parseSegmentModelJson } from '../artifacts/model_json';
import { loadSegment, type LoadedSegment, type SegmentFiles } from '../artifacts/segment_files';

// Exported segments on disk: one folder per segment holding model.json and its weights
// file (the tfjs layers format; tfjs's own file:// handler ships only with tfjs-node, which
// cannot be installed here).

export const MODEL_JSON = 'model.json';

/** Writes model.json and the weights file into `dir` (created if needed); returns the model.json path. */
export async function writeSegmentFiles(dir: string, files: SegmentFiles): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, files.weightsFile), files.weightData);
  const modelPath = path.join(dir, MODEL_JSON);
  await writeFile(modelPath, `${JSON.stringify(files.modelJson)}\n`);
  return modelPath;
}

async function statOrUndefined(target: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  try {
    return await stat(target);
  } catch {
    return undefined;
  }
}

/**
 * The model.json files a command-line path stands for: a .json file itself; a folder's
 * model.json; or, for a folder without one, the model.json of each sub-folder (what
 * `npm run client -- --export DIR` writes: one folder per client segment).
 */
export async function segmentModelPaths(target: string): Promise<string[]> {
  const info = await statOrUndefined(target);
  if (!info) throw new SegmentFilesError('not-a-model', `${target} does not exist: pass a segment folder (holding model.json) or a model .json file`);
  if (info.isFile()) return [target];
  const own = path.join(target, MODEL_JSON);
  if ((await statOrUndefined(own))?.isFile()) return [own];
  const entries: Dirent[] = await readdir(target, { withFileTypes: true });
  const nested: string[] = [];
  for (const entry of entries.filter((candidate) => candidate.isDirectory() && !candidate.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const candidate = path.join(target, entry.name, MODEL_JSON);
    if ((await statOrUndefined(candidate))?.isFile()) nested.push(candidate);
  }
  if (nested.length === 0) {
    throw new SegmentFilesError('not-a-model', `${target} holds no ${MODEL_JSON} (nor do its sub-folders): pass the folder an export wrote, or a model .json file`);
  }
  return nested;
}

/** Reads a model.json and the weight files beside it into a tfjs model with its segment metadata. */
export async function readSegment(modelPath: string): Promise<LoadedSegment> {
  let text: string;
  try {
    text = await readFile(modelPath, 'utf8');
  } catch (error) {
    throw new SegmentFilesError('not-a-model', `${modelPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SegmentFilesError('not-a-model', `${modelPath} is not JSON: pass a model.json written by an export`);
  }
  const parsed = parseSegmentModelJson(json, modelPath);
  const dir = path.dirname(modelPath);
  const weights = await Promise.all(
    parsed.weightFiles.map(async (name) => {
      try {
        return new Uint8Array(await readFile(path.join(dir, name)));
      } catch {
        throw new SegmentFilesError('bad-weights', `${modelPath} needs the weights file ${name} beside it, which cannot be read: copy it along with model.json`);
      }
    }),
  );
  return loadSegment(parsed, weights, modelPath);
}
