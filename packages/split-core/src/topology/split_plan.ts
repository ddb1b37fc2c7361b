import { planSegments, type SegmentPlan } from '../model/cuts';
import type { CutPoint, ModelSpec } from '../model/spec';
import type { HorizontalTopology } from './topology';

/** A model split for a horizontal topology: which segments the client and the server hold. */
export interface SplitPlan {
  spec: ModelSpec;
  topology: HorizontalTopology;
  cuts: CutPoint[];
  client: SegmentPlan[];
  server: SegmentPlan[];
}

/** Splits a model for a horizontal topology (the topology's default cuts when none are given). */
export function planSplit(spec: ModelSpec, topology: HorizontalTopology, cuts?: CutPoint[]): SplitPlan {
  const chosen = cuts && cuts.length > 0 ? cuts : topology.descriptor.defaultCuts(spec);
  const assignment = topology.descriptor.assign(planSegments(spec, chosen));
  return { spec, topology, cuts: chosen, ...assignment };
}
