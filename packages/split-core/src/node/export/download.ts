import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SegmentFilesError } from '../../artifacts/errors';
import type { SegmentMetadata } from '../../artifacts/metadata';
import { parseSegmentModelJson } from '../../artifacts/model_json';
import { MODEL_JSON } from '../segment_files';

// Downloads a study's server segment from the relay's export route, exactly as
// tf.loadLayersModel would fetch it (model.json, then the weight files it names), and keeps
// the files on disk for `npm run infer`.

export interface ServerSegmentDownload {
  /** The written model.json. */
  modelPath: string;
  metadata: SegmentMetadata;
  files: string[];
  bytes: number;
}

export class ExportRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExportRequestError';
  }
}

async function get(url: string, token: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new ExportRequestError(0, `cannot reach the relay at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.ok) return response;
  let detail = response.statusText;
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') detail = body.error;
  } catch {
    // Not JSON: the status text says enough.
  }
  throw new ExportRequestError(response.status, `${response.status} from ${url}: ${detail}`);
}

export async function downloadServerSegment(options: { url: string; studyId: string; token: string; out: string }): Promise<ServerSegmentDownload> {
  const base = new URL(`/api/studies/${encodeURIComponent(options.studyId)}/export/server/`, options.url);
  const modelUrl = new URL(MODEL_JSON, base).href;
  const json: unknown = await (await get(modelUrl, options.token)).json();
  const parsed = parseSegmentModelJson(json, modelUrl);
  if (parsed.metadata.role !== 'server') throw new SegmentFilesError('wrong-role', `${modelUrl} holds a ${parsed.metadata.role} segment, not the server's`);
  // Every name passed parseSegmentModelJson's check: a plain file name, so it stays in `out`.
  const weights = await Promise.all(parsed.weightFiles.map(async (name) => new Uint8Array(await (await get(new URL(name, base).href, options.token)).arrayBuffer())));
  const bytes = weights.reduce((sum, file) => sum + file.byteLength, 0);
  if (bytes !== parsed.weightBytes) {
    throw new SegmentFilesError('bad-weights', `the relay sent ${bytes} bytes of weights where the manifest needs ${parsed.weightBytes}: try again`);
  }
  await mkdir(options.out, { recursive: true });
  await Promise.all(parsed.weightFiles.map((name, i) => writeFile(path.join(options.out, name), weights[i] as Uint8Array)));
  const modelPath = path.join(options.out, MODEL_JSON);
  await writeFile(modelPath, `${JSON.stringify(json)}\n`);
  return { modelPath, metadata: parsed.metadata, files: [MODEL_JSON, ...parsed.weightFiles], bytes };
}
