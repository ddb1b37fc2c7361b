import { ModelSpecError } from './errors';
import type { LayerSpec } from './spec';

// Models for vertically partitioned studies (PAPER.md Fig. 2c): each party runs a small
// encoder over its own columns or image region; the server runs a head over the parties'
// concatenated encodings. Layer names carry the party's index, so every weight of a group
// is named uniquely.

export type PartyModelName = 'mlp-party' | 'cnn-party';
export const PARTY_MODEL_NAMES: readonly PartyModelName[] = ['mlp-party', 'cnn-party'];
export type HeadModelName = 'mlp-head';
export const HEAD_MODEL_NAMES: readonly HeadModelName[] = ['mlp-head'];
export type IntermediateModelName = 'mlp-intermediate';
export const INTERMEDIATE_MODEL_NAMES: readonly IntermediateModelName[] = ['mlp-intermediate'];

/** The encoder a party runs over its own input ([features] for tables, [h, w, c] for images). */
export function partyLayers(name: string, party: number, inputShape: readonly number[]): LayerSpec[] {
  const p = `p${party}`;
  switch (name) {
    case 'mlp-party':
      if (inputShape.length !== 1) throw new ModelSpecError('incompatible-parties', `mlp-party takes a row of features, not shape [${inputShape.join(', ')}]`);
      return [
        { type: 'dense', name: `${p}_dense1`, units: 32, activation: 'relu' },
        { type: 'dense', name: `${p}_dense2`, units: 16, activation: 'relu' },
      ];
    case 'cnn-party':
      if (inputShape.length !== 3) throw new ModelSpecError('incompatible-parties', `cnn-party takes an image [height, width, channels], not shape [${inputShape.join(', ')}]`);
      return [
        { type: 'conv2d', name: `${p}_conv1`, filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool2d', name: `${p}_pool1`, poolSize: 2 },
        { type: 'conv2d', name: `${p}_conv2`, filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'maxPool2d', name: `${p}_pool2`, poolSize: 2 },
        { type: 'flatten', name: `${p}_flatten` },
        { type: 'dense', name: `${p}_dense`, units: 32, activation: 'relu' },
      ];
    default:
      throw new ModelSpecError('unknown-model', `unknown party model '${name}': choose one of ${PARTY_MODEL_NAMES.join(', ')}`);
  }
}

/** The server's head over the concatenated party encodings. */
export function headLayers(name: string, numClasses: number): LayerSpec[] {
  if (name !== 'mlp-head') throw new ModelSpecError('unknown-model', `unknown head model '${name}': choose one of ${HEAD_MODEL_NAMES.join(', ')}`);
  return [
    { type: 'dense', name: 'head_dense', units: 32, activation: 'relu' },
    { type: 'dense', name: 'logits', units: numClasses },
  ];
}

/** Extended vanilla's intermediate participant: its layers over the joined party encodings, before the server's head. */
export function intermediateLayers(name: string): LayerSpec[] {
  if (name !== 'mlp-intermediate') throw new ModelSpecError('unknown-model', `unknown intermediate model '${name}': choose one of ${INTERMEDIATE_MODEL_NAMES.join(', ')}`);
  return [{ type: 'dense', name: 'mid_dense', units: 32, activation: 'relu' }];
}
