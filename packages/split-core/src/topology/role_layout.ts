import type { SegmentPlan } from '../model/cuts';
import { chainWiring, directWiring, extendedWiring, WiringError, type GroupWiring } from './wiring';

/**
 * Which segments each role of a study holds: what a federation needs to build its roles, in
 * process or over the network, and what a researcher's console needs to state each
 * participant's cost before the study exists. tfjs-free: the topology that runs the steps is
 * added by role_plans.ts. Horizontal: every client holds the same segments. Vertical: each
 * client is a party with its own encoder. Multi-hop: each client a position in the chain.
 */
export interface RoleLayout {
  /** Classes of the (first) task. */
  numClasses: number;
  /** Multi-task: each task's class count, in head order; batches then carry one label per task. */
  taskClasses?: readonly number[];
  server: SegmentPlan[];
  /** The segments client `clientId` holds, input side first. */
  client(clientId: string): SegmentPlan[];
  /** Whether the client's batches carry the labels (every client, or a vertical label holder). */
  holdsLabels(clientId: string): boolean;
  /** Who feeds whom in a group of these members (in the group's order). */
  wiring(members: readonly string[]): GroupWiring;
}

/** A horizontal split: every client holds the same segments. */
export function horizontalLayout(split: { client: SegmentPlan[]; server: SegmentPlan[] }, numClasses: number): RoleLayout {
  return { numClasses, server: split.server, client: () => split.client, holdsLabels: () => true, wiring: (members) => directWiring(members.length) };
}

/**
 * The baselines (federated averaging, large-batch SGD): every client holds the whole model
 * as its one segment and the server none; the server only averages what the clients send.
 */
export function wholeModelLayout(whole: SegmentPlan, numClasses: number): RoleLayout {
  return { numClasses, server: [], client: () => [whole], holdsLabels: () => true, wiring: (members) => directWiring(members.length) };
}

export interface PartyLayoutOptions {
  parties: readonly SegmentPlan[];
  /** Extended vanilla: the intermediate participant's segment, over the parties' joined cut outputs. */
  intermediate?: SegmentPlan;
  server: SegmentPlan;
  numClasses: number;
  taskClasses?: readonly number[];
  /** The party holding the labels; undefined when the server does. */
  labelHolder: number | undefined;
  /** Which party a client is (index into `parties`); the intermediate participant is `parties.length`. */
  partyOf: (clientId: string) => number;
}

/**
 * Roles of studies whose parties hold different data about the same patients (vertical,
 * extended vanilla, multi-task). A group lists its parties, the label holder first, then the
 * intermediate participant where there is one.
 */
export function partyLayout(options: PartyLayoutOptions): RoleLayout {
  const { parties, intermediate, partyOf } = options;
  const segment = (clientId: string): SegmentPlan => {
    const index = partyOf(clientId);
    const found = index === parties.length ? intermediate : parties[index];
    if (!found) throw new WiringError(`client ${clientId} is party ${index}, but the study has ${parties.length} parties${intermediate ? ` and an intermediate participant (${parties.length})` : ''}`);
    return found;
  };
  return {
    numClasses: options.numClasses,
    ...(options.taskClasses ? { taskClasses: options.taskClasses } : {}),
    server: [options.server],
    client: (clientId) => [segment(clientId)],
    holdsLabels: (clientId) => partyOf(clientId) === options.labelHolder,
    wiring: (members) => {
      if (!intermediate) return directWiring(members.length);
      members.forEach((member, index) => {
        const isIntermediate = partyOf(member) === parties.length;
        if (isIntermediate !== (index === members.length - 1)) throw new WiringError(`an extended vanilla group lists its parties, then the intermediate participant: ${member} is listed ${index} of ${members.length}`);
      });
      return extendedWiring(members.length);
    },
  };
}

/**
 * Multi-hop (PAPER.md, Fig. 4c): `segments` are the model's segments in order; position 0
 * (the data holder, which keeps the labels) holds the first, position k the k-th hop's, and
 * the server the last. `positionOf` says which position a client takes; a group lists its
 * members in position order.
 */
export function chainLayout(segments: readonly SegmentPlan[], numClasses: number, positionOf: (clientId: string) => number): RoleLayout {
  const server = segments[segments.length - 1];
  if (!server || segments.length < 3) throw new WiringError(`a multi-hop chain needs at least two participants before the server: ${segments.length - 1} cut(s) give ${Math.max(segments.length - 1, 0)}`);
  const hops = segments.slice(0, -1);
  const position = (clientId: string): number => {
    const index = positionOf(clientId);
    if (!hops[index]) throw new WiringError(`client ${clientId} is position ${index}, but the chain has ${hops.length} participants before the server`);
    return index;
  };
  return {
    numClasses,
    server: [server],
    client: (clientId) => [hops[position(clientId)] as SegmentPlan],
    holdsLabels: (clientId) => position(clientId) === 0,
    wiring: (members) => {
      members.forEach((member, index) => {
        if (position(member) !== index) throw new WiringError(`the chain's members must be listed in position order: ${member} is position ${position(member)}, listed ${index}`);
      });
      return chainWiring(members.length);
    },
  };
}
