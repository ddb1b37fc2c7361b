import type { SegmentPlan } from '../model/cuts';
import type { CutPoint, ModelSpec } from '../model/spec';
import type { WireKind } from './link';

// What a topology is, without running it: which segments each role holds, who holds the
// labels and computes the loss, and which tensors cross the wire at each step. tfjs-free,
// so the page's main thread (the dashboard's topology view) and the training worker ("what
// leaves this device") describe exactly what the engine's steps do; a test holds every
// descriptor against the frames a real step sends.

export type TopologyName = 'vanilla' | 'u-shaped' | 'vertical' | 'extended' | 'multi-task' | 'multi-hop';
export const TOPOLOGY_NAMES: readonly TopologyName[] = ['vanilla', 'u-shaped', 'vertical', 'extended', 'multi-task', 'multi-hop'];

/** One tensor crossing a client's link during a step, in the order it is sent. */
export interface WireCrossing {
  /** up: client to server; down: server to client. */
  direction: 'up' | 'down';
  kind: WireKind;
  /** Which cut's tensor it is (its per-sample shape is that cut's); absent for labels. */
  cut?: number;
  /** Sent only by the party that holds the labels (vertical). */
  labelHolderOnly?: boolean;
}

/** Which segments each role holds, in order. */
export interface RoleAssignment {
  client: SegmentPlan[];
  server: SegmentPlan[];
}

export interface TopologyDescriptor {
  readonly name: TopologyName;
  /** For headings: "Vanilla split". */
  readonly title: string;
  /** How a participant's device takes part, in one sentence for the join form. */
  readonly participation: string;
  /** Where the loss is computed: with the labels. */
  readonly lossHolder: 'client' | 'server';
  /** Whether labels cross the wire (vanilla, vertical: yes; U-shaped: never). */
  readonly sendsLabels: boolean;
  /** Whether some participants hold no data and pass others' cut outputs on (extended vanilla, multi-hop). */
  readonly intermediates: boolean;
  /** Whether the clients of a group must first align their rows (by private set intersection) before they can train together. */
  readonly alignsRows: boolean;
  /**
   * Every tensor a data holder's link carries in one step, per phase. Where a data holder
   * feeds another participant (multi-hop, extended vanilla), its cut tensors go to that
   * participant and its labels straight to the server: member_wire_plan.ts says who gets what.
   */
  readonly wirePlan: { readonly train: readonly WireCrossing[]; readonly eval: readonly WireCrossing[] };
  /** What each side holds, in words for people. */
  readonly holds: { readonly client: readonly string[]; readonly server: readonly string[]; readonly intermediate?: readonly string[] };
  /** What never leaves a client (besides its raw data), in words for people. */
  readonly neverLeaves: readonly string[];
}

/** A topology where every client holds the same segments of one model (vanilla, U-shaped). */
export interface HorizontalTopologyDescriptor extends TopologyDescriptor {
  /** Number of cuts the topology needs. */
  readonly cutCount: number;
  /** Cuts to use when the study names none. */
  defaultCuts(spec: ModelSpec): CutPoint[];
  /** Distributes the segments of a split model over the roles. */
  assign(plans: SegmentPlan[]): RoleAssignment;
}

/** The crossings a client sends (up) in a phase; a party without labels sends no labels. */
export function upCrossings(plan: readonly WireCrossing[], holdsLabels = true): WireCrossing[] {
  return plan.filter((crossing) => crossing.direction === 'up' && (holdsLabels || !crossing.labelHolderOnly));
}
