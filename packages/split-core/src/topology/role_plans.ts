import type { SplitPlan } from './split_plan';
import type { Topology } from './topology';
import { multiHop, vanilla } from './vanilla';
import { vertical } from './vertical';
import { chainLayout, horizontalLayout, partyLayout, wholeModelLayout, type PartyLayoutOptions, type RoleLayout } from './role_layout';
import type { SegmentPlan } from '../model/cuts';
import type { VerticalPlan } from './vertical_plan';

/**
 * A study's roles (role_layout.ts: which segments each holds) and the topology whose steps
 * they run: what a federation builds its roles from, in process or over the network.
 */
export interface RolePlans extends RoleLayout {
  topology: Topology;
}

export function horizontalRolePlans(split: SplitPlan): RolePlans {
  return { topology: split.topology, ...horizontalLayout(split, split.spec.numClasses) };
}

/** The baselines: every client holds the whole model (role_layout.ts, wholeModelLayout). */
export function wholeModelRolePlans(whole: SegmentPlan, numClasses: number): RolePlans {
  return { topology: vanilla, ...wholeModelLayout(whole, numClasses) };
}

export interface PartyRolePlans extends PartyLayoutOptions {
  /** Vertical, extended vanilla or multi-task. */
  topology: Topology;
}

/** Vertical, extended vanilla and multi-task studies (role_layout.ts, partyLayout). */
export function partyRolePlans(options: PartyRolePlans): RolePlans {
  return { topology: options.topology, ...partyLayout(options) };
}

/** `partyOf` says which party (index into the plan's parties) a client is; `labelHolder` is undefined when the server holds the labels. */
export function verticalRolePlans(plan: VerticalPlan, numClasses: number, labelHolder: number | undefined, partyOf: (clientId: string) => number): RolePlans {
  return partyRolePlans({ topology: vertical, parties: plan.parties, server: plan.server, numClasses, labelHolder, partyOf });
}

/** Multi-hop (role_layout.ts, chainLayout): the data holder and the server run vanilla's steps, the hops the intermediate participant's. */
export function chainRolePlans(segments: readonly SegmentPlan[], numClasses: number, positionOf: (clientId: string) => number): RolePlans {
  return { topology: multiHop, ...chainLayout(segments, numClasses, positionOf) };
}
