import { upCrossings, type TopologyDescriptor } from './descriptor';
import type { WireKind } from './link';
import { checkWiring, WiringError, type Consumer, type GroupWiring, type Stage } from './wiring';

// What crosses each member's device in one step, and to or from whom, from a group's wiring
// and its topology's client steps (tfjs-free). A data holder's crossings are its topology's,
// with the cut tensors going to whoever it feeds and its labels straight to the server; an
// intermediate participant takes the activations of those feeding it, passes its own on, and
// hands the gradients back. What the contribute page lists as leaving a device, and what the
// relay may forward between two members, both come from here.

/** Who is at the other end: another member of the group (by index) or the server. */
export type Peer = Consumer;

export interface MemberCrossing {
  kind: WireKind;
  direction: 'sends' | 'receives';
  peer: Peer;
}

function dataCrossings(stage: Extract<Stage, { kind: 'data' }>, descriptor: TopologyDescriptor, holdsLabels: boolean, phase: 'train' | 'eval'): MemberCrossing[] {
  const plan = descriptor.wirePlan[phase];
  const sent = new Set(upCrossings(plan, holdsLabels));
  return plan.flatMap((crossing): MemberCrossing[] => {
    if (crossing.direction === 'up' && !sent.has(crossing)) return [];
    // Labels go to the role computing the loss, never along a hop.
    if (crossing.kind === 'labels') return [{ kind: 'labels', direction: 'sends', peer: 'server' }];
    // The server's own layers between two cuts (U-shaped) cannot be another member's.
    if (stage.feeds !== 'server' && crossing.cut !== undefined && crossing.cut > 0) throw new WiringError(`${descriptor.name} split learning sends cut ${crossing.cut} to the server itself: it cannot feed another participant`);
    return [{ kind: crossing.kind, direction: crossing.direction === 'up' ? 'sends' : 'receives', peer: stage.feeds }];
  });
}

function hopCrossings(stage: Extract<Stage, { kind: 'hop' }>, phase: 'train' | 'eval'): MemberCrossing[] {
  return [
    ...stage.from.map((source): MemberCrossing => ({ kind: 'activations', direction: 'receives', peer: source })),
    { kind: 'activations', direction: 'sends', peer: stage.feeds },
    ...(phase === 'train' ? [{ kind: 'gradients', direction: 'receives', peer: stage.feeds } as MemberCrossing, ...stage.from.map((source): MemberCrossing => ({ kind: 'gradients', direction: 'sends', peer: source }))] : []),
  ];
}

/** Each member's crossings in one step of `phase`, in the order its step makes them. */
export function memberWirePlans(wiring: GroupWiring, descriptor: TopologyDescriptor, holdsLabels: (member: number) => boolean, phase: 'train' | 'eval'): MemberCrossing[][] {
  checkWiring(wiring);
  return wiring.stages.map((stage, member) => (stage.kind === 'hop' ? hopCrossings(stage, phase) : dataCrossings(stage, descriptor, holdsLabels(member), phase)));
}
