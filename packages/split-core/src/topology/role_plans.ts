import type { SegmentPlan } from '../model/cuts';
import type { SplitPlan } from './split_plan';
import type { Topology } from './topology';
import { vertical } from './vertical';
import type { VerticalPlan } from './vertical_plan';

/**
 * Which segments each role of a study holds, and the topology whose steps they run: what a
 * federation needs to build its roles, in process or over the network. Horizontal: every
 * client holds the same segments. Vertical: each client is a party with its own encoder.
 */
export interface RolePlans {
  topology: Topology;
  numClasses: number;
  server: SegmentPlan[];
  /** The segments client `clientId` holds, input side first. */
  client(clientId: string): SegmentPlan[];
  /** Whether the client's batches carry the labels (every client, or a vertical label holder). */
  holdsLabels(clientId: string): boolean;
}

export function horizontalRolePlans(split: SplitPlan): RolePlans {
  return { topology: split.topology, numClasses: split.spec.numClasses, server: split.server, client: () => split.client, holdsLabels: () => true };
}

/** `partyOf` says which party (index into the plan's parties) a client is; `labelHolder` is undefined when the server holds the labels. */
export function verticalRolePlans(plan: VerticalPlan, numClasses: number, labelHolder: number | undefined, partyOf: (clientId: string) => number): RolePlans {
  const party = (clientId: string): SegmentPlan => {
    const index = partyOf(clientId);
    const found = plan.parties[index];
    if (!found) throw new Error(`client ${clientId} is party ${index}, but the study has ${plan.parties.length} parties`);
    return found;
  };
  return { topology: vertical, numClasses, server: [plan.server], client: (clientId) => [party(clientId)], holdsLabels: (clientId) => partyOf(clientId) === labelHolder };
}
