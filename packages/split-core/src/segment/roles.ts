import { planSegments, type SegmentPlan } from '../model/cuts';
import type { CutPoint, ModelSpec } from '../model/spec';
import type { ClientRole, HorizontalTopology, ServerRole } from '../topology/topology';
import type { OptimizerConfig } from './optimizer';
import { createSegment } from './segment';

export interface SplitPlan {
  spec: ModelSpec;
  topology: HorizontalTopology;
  cuts: CutPoint[];
  client: SegmentPlan[];
  server: SegmentPlan[];
}

/** Splits a model for a horizontal topology (the topology's default cuts when none are given). */
export function planSplit(spec: ModelSpec, topology: HorizontalTopology, cuts?: CutPoint[]): SplitPlan {
  const chosen = cuts && cuts.length > 0 ? cuts : topology.defaultCuts(spec);
  const assignment = topology.assign(planSegments(spec, chosen));
  return { spec, topology, cuts: chosen, ...assignment };
}

export interface RoleOptions {
  /** Same seed on every role: all participants start from the same weights. */
  seed: number;
  optimizer: OptimizerConfig;
}

function segmentName(role: string, plan: SegmentPlan): string {
  return `${role}_segment${plan.index}`;
}

export function createClientRole(split: SplitPlan, options: RoleOptions): ClientRole {
  return { segments: split.client.map((plan) => createSegment(plan, { ...options, name: segmentName('client', plan) })) };
}

export function createServerRole(split: SplitPlan, options: RoleOptions): ServerRole {
  return { segments: split.server.map((plan) => createSegment(plan, { ...options, name: segmentName('server', plan) })) };
}

export function disposeRole(role: ClientRole | ServerRole): void {
  for (const segment of role.segments) {
    segment.model.dispose();
    segment.optimizer.dispose();
  }
}
