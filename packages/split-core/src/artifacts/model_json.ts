import { z } from 'zod';
import { SegmentFilesError } from './errors';
import { SegmentMetadataSchema, type SegmentMetadata } from './metadata';

// The tfjs layers-model format (model.json + binary weight files), as tf.loadLayersModel
// reads it. A model.json arrives from disk or the network, so it is `unknown` until this
// schema says otherwise (STYLE.md §10).

/**
 * Weight files are named relative to model.json and must sit beside it: a plain file name
 * (optionally './'-prefixed), never a URL, an absolute path or '..'. A downloaded model.json
 * can then never make the export command write, or the inference command read, elsewhere.
 */
const WEIGHT_FILE_PATTERN = /^(?:\.\/)?[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isWeightFileName(path: string): boolean {
  return WEIGHT_FILE_PATTERN.test(path) && !path.includes('..');
}

/** './weights.bin' -> 'weights.bin'. */
export function weightFileName(path: string): string {
  return path.startsWith('./') ? path.slice(2) : path;
}

const WeightEntrySchema = z.object({
  name: z.string().min(1).max(256),
  shape: z.array(z.number().int().nonnegative()).max(8),
  // Segments are trained and exported in float32; quantized or integer weights are not ours.
  dtype: z.literal('float32', { error: 'segment weights are float32' }),
});

export const ModelJsonSchema = z.looseObject({
  format: z.literal('layers-model').optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string().refine(isWeightFileName, 'weight files must be plain file names beside model.json')).min(1),
      weights: z.array(WeightEntrySchema),
    }),
  ),
  userDefinedMetadata: z.unknown().optional(),
});
export type ModelJson = z.infer<typeof ModelJsonSchema>;

/** A parsed model.json that carries split-segment metadata. */
export interface SegmentModelJson {
  modelJson: ModelJson;
  metadata: SegmentMetadata;
  /** Weight file names in the order their bytes concatenate. */
  weightFiles: string[];
  /** Bytes the weight files hold together (float32 values of every weight). */
  weightBytes: number;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'model.json'}: ${issue.message}`).join('; ');
}

/** Checks a model.json and its segment metadata; `source` names it in error messages. */
export function parseSegmentModelJson(value: unknown, source: string): SegmentModelJson {
  const parsed = ModelJsonSchema.safeParse(value);
  if (!parsed.success) {
    throw new SegmentFilesError('not-a-model', `${source} is not a tfjs layers model.json (${describeIssues(parsed.error)})`);
  }
  const modelJson = parsed.data;
  const metadata = SegmentMetadataSchema.safeParse(modelJson.userDefinedMetadata);
  if (!metadata.success) {
    const hint =
      modelJson.userDefinedMetadata === undefined
        ? 'it has no segment metadata'
        : `its segment metadata is not understood (${describeIssues(metadata.error)})`;
    throw new SegmentFilesError(
      'not-a-segment',
      `${source} is a tfjs model but not a study segment exported by this project: ${hint}. Use the files from the relay's export (npm run export) or a client's --export`,
    );
  }
  const weights = modelJson.weightsManifest.flatMap((group) => group.weights);
  return {
    modelJson,
    metadata: metadata.data,
    weightFiles: modelJson.weightsManifest.flatMap((group) => group.paths.map(weightFileName)),
    weightBytes: weights.reduce((sum, weight) => sum + 4 * weight.shape.reduce((size, dim) => size * dim, 1), 0),
  };
}
