import { planSegments, type SegmentPlan } from '../model/cuts';
import type { CutPoint, ModelSpec } from '../model/spec';
import type { HorizontalTopologyDescriptor } from './descriptor';
import type { HorizontalTopology } from './topology';

/** A model split for a horizontal topology: which segments the client and the server hold. */
export interface SplitPlan {
  spec: ModelSpec;
  topology: HorizontalTopology;
  cuts: CutPoint[];
  client: SegmentPlan[];
  server: SegmentPlan[];
}

/** The segments of a model cut for a horizontal topology, as its descriptor assigns them (its default cuts when none are given); tfjs-free. */
export function assignSplit(spec: ModelSpec, descriptor: HorizontalTopologyDescriptor, cuts?: CutPoint[]): Omit<SplitPlan, 'spec' | 'topology'> {
  const chosen = cuts && cuts.length > 0 ? cuts : descriptor.defaultCuts(spec);
  return { cuts: chosen, ...descriptor.assign(planSegments(spec, chosen)) };
}

/** Splits a model for a horizontal topology (the topology's default cuts when none are given). */
export function planSplit(spec: ModelSpec, topology: HorizontalTopology, cuts?: CutPoint[]): SplitPlan {
  return { spec, topology, ...assignSplit(spec, topology.descriptor, cuts) };
}
