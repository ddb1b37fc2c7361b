// Shared helpers for split-core's own tests (not part of the public API).
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../backends/register_kernels';
import type { Dataset, Sample } from '../data/dataset';
import { createRng } from '../data/random';
import type { ModelSpec } from '../model/spec';
import type { NamedWeight } from '../model/weights';

/** Random inputs with labels that depend on the inputs, so training has a signal to follow. */
export function randomDataset(options: { seed: number; count: number; sampleShape: number[]; numClasses: number; idPrefix?: string }): Dataset {
  const rng = createRng(options.seed);
  const size = options.sampleShape.reduce((a, b) => a * b, 1);
  const samples: Sample[] = [];
  for (let i = 0; i < options.count; i++) {
    const values = new Float32Array(size);
    for (let j = 0; j < size; j++) values[j] = rng.next();
    const half = Math.floor(size / 2);
    let left = 0;
    for (let j = 0; j < half; j++) left += values[j] as number;
    const label = Math.min(options.numClasses - 1, Math.floor((left / half) * options.numClasses * 0.999 + (rng.next() - 0.5) * 0.2));
    samples.push({ id: `${options.idPrefix ?? 'random'}/${i}`, label: Math.max(0, label), values });
  }
  return { classes: Array.from({ length: options.numClasses }, (_, c) => `class${c}`), sampleShape: options.sampleShape, samples };
}

/** Relative L2 distance per variable name between two weight sets holding the same names. */
export function relativeWeightDistances(expected: NamedWeight[], actual: NamedWeight[]): Map<string, number> {
  const byName = new Map(actual.map((weight) => [weight.name, weight]));
  const distances = new Map<string, number>();
  for (const reference of expected) {
    const other = byName.get(reference.name);
    if (!other) throw new Error(`no weight named ${reference.name} among ${[...byName.keys()].join(', ')}`);
    let diff = 0;
    let norm = 0;
    reference.values.forEach((value, i) => {
      const d = value - (other.values[i] as number);
      diff += d * d;
      norm += value * value;
    });
    distances.set(reference.name, Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12));
  }
  return distances;
}

/** Switches tfjs to a backend; wasm with the project's training kernels registered. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
  }
  await tf.setBackend(name);
  await tf.ready();
}

/**
 * Noise images where class 1 carries a bright 5x5 square at a random place: learnable by
 * any conv net in a few epochs, not by reading one fixed pixel.
 */
export function blobImages(options: { seed: number; count: number; sampleShape: number[]; idPrefix?: string }): Dataset {
  const rng = createRng(options.seed);
  const [height = 1, width = 1, channels = 1] = options.sampleShape;
  const samples: Sample[] = [];
  for (let i = 0; i < options.count; i++) {
    const label = i % 2;
    const values = new Float32Array(height * width * channels);
    for (let j = 0; j < values.length; j++) values[j] = 0.4 * rng.next();
    if (label === 1) {
      const top = rng.int(height - 5);
      const left = rng.int(width - 5);
      for (let y = top; y < top + 5; y++) {
        for (let x = left; x < left + 5; x++) {
          for (let c = 0; c < channels; c++) values[(y * width + x) * channels + c] = 0.6 + 0.4 * rng.next();
        }
      }
    }
    samples.push({ id: `${options.idPrefix ?? 'blob'}/${i}`, label, values });
  }
  return { classes: ['plain', 'blob'], sampleShape: options.sampleShape, samples };
}

/** A three-layer MLP over 6 features and 3 classes, cut once (vanilla) or twice (U-shaped): quick on the cpu backend. */
export const TINY_MLP: ModelSpec = {
  name: 'tiny-mlp',
  inputShape: [6],
  numClasses: 3,
  layers: [
    { type: 'dense', name: 'hidden', units: 5, activation: 'relu' },
    { type: 'dense', name: 'middle', units: 4, activation: 'relu' },
    { type: 'dense', name: 'logits', units: 3 },
  ],
  defaultCuts: { vanilla: 'hidden', uShaped: ['hidden', 'middle'] },
};

/** Dense layers for a chain of three hops before the server (multi-hop): cut after hop1, hop2 and hop3. */
export const HOP_CHAIN: ModelSpec = {
  name: 'hop-chain',
  inputShape: [5],
  numClasses: 2,
  layers: [
    { type: 'dense', name: 'hop1', units: 6, activation: 'relu' },
    { type: 'dense', name: 'hop2', units: 6, activation: 'relu' },
    { type: 'dense', name: 'hop3', units: 5, activation: 'relu' },
    { type: 'dense', name: 'joint', units: 4, activation: 'relu' },
    { type: 'dense', name: 'logits', units: 2 },
  ],
  defaultCuts: { vanilla: 'hop1', uShaped: ['hop1', 'joint'] },
};
export const HOP_CHAIN_CUTS = ['hop1', 'hop2', 'hop3'];
