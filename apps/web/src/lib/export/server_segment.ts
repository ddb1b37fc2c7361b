import { slug } from './file_names';
import { saveBlob } from './save_blob';

// Saving the study's server segment (tfjs layers format) from the relay's export route. The
// browser saves files one by one into the downloads folder, where another study's model.json
// would collide, so every file gets the study's prefix and model.json's manifest is rewritten
// to the new weight file names (tf.loadLayersModel resolves them beside model.json).

export const SERVER_SEGMENT_MODEL_PATH = '/export/server/model.json';
/** Weight files are named by model.json's manifest, relative to it. */
export const serverSegmentFilePath = (name: string): string => `/export/server/${name}`;

export interface SegmentDownloadPlan {
  /** model.json with its manifest pointing at the renamed weight files. */
  modelJson: unknown;
  modelFileName: string;
  weights: { source: string; saveAs: string }[];
}

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function planSegmentDownload(modelJson: unknown, prefix: string): { ok: true; plan: SegmentDownloadPlan } | { ok: false; problem: string } {
  if (!isRecord(modelJson) || !Array.isArray(modelJson.weightsManifest)) return { ok: false, problem: 'model.json has no weights manifest' };
  const weights: SegmentDownloadPlan['weights'] = [];
  const manifest: unknown[] = [];
  for (const group of modelJson.weightsManifest as unknown[]) {
    if (!isRecord(group) || !Array.isArray(group.paths)) return { ok: false, problem: 'model.json has a weights group without paths' };
    const paths: string[] = [];
    for (const path of group.paths as unknown[]) {
      const source = typeof path === 'string' ? path.replace(/^\.\//, '') : '';
      // Only plain names beside model.json: a path elsewhere would let the file fetch any URL.
      if (!PLAIN_NAME.test(source)) return { ok: false, problem: `model.json names a weight file '${String(path)}' that is not a plain file name` };
      const saveAs = `${prefix}-${source}`;
      weights.push({ source, saveAs });
      paths.push(`./${saveAs}`);
    }
    manifest.push({ ...group, paths });
  }
  if (weights.length === 0) return { ok: false, problem: 'model.json names no weight file' };
  return { ok: true, plan: { modelJson: { ...modelJson, weightsManifest: manifest }, modelFileName: `${prefix}-model.json`, weights } };
}

/** Where the researcher's authorised downloads come from (StudyApi.download). */
export interface SegmentSource {
  download(path: string): Promise<Blob>;
}

/**
 * Downloads the study's trained server segment (the best round's, as the relay exports it) and
 * saves model.json and its weight files under the study's name; resolves to what was saved.
 */
export async function downloadServerSegment(source: SegmentSource, studyName: string): Promise<string> {
  const modelJson: unknown = JSON.parse(await (await source.download(SERVER_SEGMENT_MODEL_PATH)).text());
  const planned = planSegmentDownload(modelJson, `${slug(studyName)}-server-segment`);
  if (!planned.ok) throw new Error(`Could not download the server segment: ${planned.problem}.`);
  const weights = await Promise.all(planned.plan.weights.map(async (file) => ({ file, blob: await source.download(serverSegmentFilePath(file.source)) })));
  saveBlob(new Blob([JSON.stringify(planned.plan.modelJson)], { type: 'application/json' }), planned.plan.modelFileName);
  for (const { file, blob } of weights) saveBlob(blob, file.saveAs);
  return `Saved ${planned.plan.modelFileName} and ${weights.map(({ file }) => file.saveAs).join(', ')} (load with tf.loadLayersModel).`;
}
