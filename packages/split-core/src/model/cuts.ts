import { ModelSpecError } from './errors';
import { inferShapes } from './shapes';
import type { CutPoint, LayerSpec, ModelSpec } from './spec';

/** A contiguous run of the model's top-level layers, as one role will hold it. */
export interface SegmentPlan {
  /** Position of this segment from the input (0) to the logits (last). */
  index: number;
  layers: LayerSpec[];
  /** Per-sample input shape (no batch dimension). */
  inputShape: number[];
  /** Per-sample output shape: the cut tensor's shape, or the logits for the last segment. */
  outputShape: number[];
}

function describeLayers(spec: ModelSpec): string {
  return spec.layers.map((layer, i) => `${i}:${layer.name}`).join(', ');
}

/** Index of the top-level layer after which the cut falls. */
export function resolveCut(spec: ModelSpec, cut: CutPoint): number {
  const last = spec.layers.length - 1;
  if (typeof cut === 'number') {
    if (!Number.isInteger(cut) || cut < 0 || cut >= last) {
      throw new ModelSpecError(
        'invalid-cut',
        `cut index ${cut} is out of range for ${spec.name}: use 0..${last - 1} so that each side keeps at least one layer (layers: ${describeLayers(spec)})`,
      );
    }
    return cut;
  }
  const index = spec.layers.findIndex((layer) => layer.name === cut);
  if (index >= 0) {
    if (index === last) {
      throw new ModelSpecError('invalid-cut', `cut '${cut}' is the last layer of ${spec.name}: the server side would hold no layer`);
    }
    return index;
  }
  const block = spec.layers.find((layer) => layer.type === 'residual' && layer.body.some((inner) => inner.name === cut || `${layer.name}/${inner.name}` === cut));
  if (block) {
    throw new ModelSpecError(
      'invalid-cut',
      `cut '${cut}' falls inside residual block '${block.name}' of ${spec.name}: its shortcut would cross the cut; cut before or after the block`,
    );
  }
  throw new ModelSpecError('invalid-cut', `no layer named '${cut}' in ${spec.name} (layers: ${describeLayers(spec)})`);
}

/** Splits the model at the given cuts into segments, input side first. */
export function planSegments(spec: ModelSpec, cuts: CutPoint[]): SegmentPlan[] {
  const indices = cuts.map((cut) => resolveCut(spec, cut));
  for (let i = 1; i < indices.length; i++) {
    if ((indices[i] as number) <= (indices[i - 1] as number)) {
      throw new ModelSpecError('invalid-cut', `cuts must be in increasing order and distinct, got [${cuts.join(', ')}] for ${spec.name}`);
    }
  }
  const shapes = inferShapes(spec.layers, spec.inputShape);
  const bounds = [-1, ...indices, spec.layers.length - 1];
  const plans: SegmentPlan[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const from = (bounds[s] as number) + 1;
    const to = bounds[s + 1] as number;
    plans.push({
      index: s,
      layers: spec.layers.slice(from, to + 1),
      inputShape: from === 0 ? spec.inputShape : (shapes[from - 1] as number[]),
      outputShape: shapes[to] as number[],
    });
  }
  return plans;
}
