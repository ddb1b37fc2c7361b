import * as tf from '@tensorflow/tfjs';
import { buildLayersModel } from '../model/build';
import type { SegmentPlan } from '../model/cuts';
import { writeWeights, type NamedWeight } from '../model/weights';
import { SegmentFilesError } from './errors';
import type { SegmentMetadata } from './metadata';
import { isWeightFileName, type ModelJson, type SegmentModelJson } from './model_json';

// A trained segment as the two files of the tfjs layers format: model.json (topology,
// weights manifest, segment metadata) and one binary weights file. Produced from a live
// segment (a client at the end of a study) or rebuilt from checkpointed weights (the
// relay), and read back into a tfjs model for inference. Platform-free: the caller writes
// the bytes to disk, a download or an HTTP response.

export const DEFAULT_WEIGHTS_FILE = 'weights.bin';

export interface SegmentFiles {
  /** model.json's content; its manifest names `weightsFile`. */
  modelJson: ModelJson;
  weightsFile: string;
  /** Little-endian float32 values of every weight, in manifest order. */
  weightData: Uint8Array;
  metadata: SegmentMetadata;
}

function joinWeightData(weightData: tf.io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  return new Uint8Array(tf.io.concatenateArrayBuffers(buffers));
}

/** The files of a segment's model as it is now, labelled with `metadata`. */
export async function segmentFiles(model: tf.LayersModel, metadata: SegmentMetadata, weightsFile = DEFAULT_WEIGHTS_FILE): Promise<SegmentFiles> {
  if (!isWeightFileName(weightsFile)) throw new Error(`weights file name '${weightsFile}' must be a plain file name`);
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      captured = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  if (!captured?.modelTopology || captured.modelTopology instanceof ArrayBuffer) throw new Error(`tfjs did not serialize ${model.name}`);
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: [`./${weightsFile}`], weights: (captured.weightSpecs ?? []).map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const })) }],
    userDefinedMetadata: metadata,
  };
  return { modelJson, weightsFile, weightData: joinWeightData(captured.weightData), metadata };
}

/** Rebuilds a segment's model from stored weights (checked name by name against the plan). */
export function segmentModelFromWeights(plan: SegmentPlan, name: string, weights: readonly NamedWeight[]): tf.LayersModel {
  // The seed only sets the initial values, which the stored weights replace.
  const model = buildLayersModel(plan.layers, plan.inputShape, { seed: 0, name });
  try {
    writeWeights(model, weights);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * The files of a segment holding `weights`, built on a copy of the model: a snapshot taken
 * synchronously (readWeights) stays consistent even if training updates the live segment
 * while tfjs serializes, which awaits between variables.
 */
export async function segmentFilesFromWeights(
  plan: SegmentPlan,
  name: string,
  weights: readonly NamedWeight[],
  metadata: SegmentMetadata,
  weightsFile = DEFAULT_WEIGHTS_FILE,
): Promise<SegmentFiles> {
  const model = segmentModelFromWeights(plan, name, weights);
  try {
    return await segmentFiles(model, metadata, weightsFile);
  } finally {
    model.dispose();
  }
}

export interface LoadedSegment {
  /** Where the files came from (a path or URL), for messages. */
  source: string;
  metadata: SegmentMetadata;
  model: tf.LayersModel;
}

/**
 * Loads a segment from its parsed model.json and the bytes of its weight files (in the
 * manifest's order). The weights are checked for size here; tfjs checks names and shapes.
 */
export async function loadSegment(parsed: SegmentModelJson, weightFiles: readonly Uint8Array[], source: string): Promise<LoadedSegment> {
  const total = weightFiles.reduce((sum, file) => sum + file.byteLength, 0);
  if (total !== parsed.weightBytes) {
    throw new SegmentFilesError(
      'bad-weights',
      `${source}: the weight files (${parsed.weightFiles.join(', ')}) hold ${total} bytes, the manifest needs ${parsed.weightBytes}: a file is truncated or from another export`,
    );
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const file of weightFiles) {
    weightData.set(file, offset);
    offset += file.byteLength;
  }
  const { modelJson } = parsed;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
        weightData: weightData.buffer,
        format: 'layers-model',
      }),
    );
  } catch (error) {
    throw new SegmentFilesError('bad-weights', `${source}: tfjs could not load the model (${error instanceof Error ? error.message : String(error)})`);
  }
  return { source, metadata: parsed.metadata, model };
}

