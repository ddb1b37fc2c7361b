// How a training group's members feed each other and the server within one step, without
// running anything (tfjs-free). Vanilla, U-shaped and vertical groups feed the server
// directly; in multi-hop (PAPER.md Fig. 4c) each member feeds the next and the last one the
// server; in extended vanilla (Fig. 4a) the parties feed an intermediate participant, which
// feeds the server. Labels never travel along a hop: a label holder that does not feed the
// server directly has its own line to it.

/** Who a member's cut output goes to: another member (by index in the group) or the server. */
export type Consumer = number | 'server';

/** One member's place in a step. */
export type Stage =
  /** Holds the batch (its rows); runs the topology's client step. */
  | { kind: 'data'; feeds: Consumer }
  /** An intermediate participant: runs its segment over the joined outputs of `from`. */
  | { kind: 'hop'; from: readonly number[]; feeds: Consumer };

export interface GroupWiring {
  readonly stages: readonly Stage[];
}

export class WiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WiringError';
  }
}

/** Every member feeds the server: vanilla, U-shaped, vertical. */
export function directWiring(members: number): GroupWiring {
  return { stages: Array.from({ length: members }, (): Stage => ({ kind: 'data', feeds: 'server' })) };
}

/** Multi-hop: member 0 holds the data, member k is hop k + 1, the last one feeds the server. */
export function chainWiring(members: number): GroupWiring {
  if (members < 2) throw new WiringError(`a multi-hop chain needs at least two participants, got ${members}`);
  return {
    stages: Array.from({ length: members }, (_, index): Stage => {
      const feeds: Consumer = index === members - 1 ? 'server' : index + 1;
      return index === 0 ? { kind: 'data', feeds } : { kind: 'hop', from: [index - 1], feeds };
    }),
  };
}

/** Extended vanilla: members 0..n-2 are parties holding data, the last the intermediate participant. */
export function extendedWiring(members: number): GroupWiring {
  if (members < 3) throw new WiringError(`extended vanilla needs at least two parties and an intermediate participant, got ${members} members`);
  const parties = members - 1;
  return {
    stages: [...Array.from({ length: parties }, (): Stage => ({ kind: 'data', feeds: parties })), { kind: 'hop', from: Array.from({ length: parties }, (_, index) => index), feeds: 'server' }],
  };
}

/**
 * Checks that the stages form one tree into the server: each hop is fed exactly by the
 * members naming it, nothing feeds a data holder or itself, and no member is left out.
 */
export function checkWiring(wiring: GroupWiring): void {
  const { stages } = wiring;
  if (!stages.some((stage) => stage.feeds === 'server')) throw new WiringError('no member feeds the server');
  stages.forEach((stage, index) => {
    if (stage.feeds !== 'server') {
      const consumer = stages[stage.feeds];
      if (!consumer || consumer.kind !== 'hop' || !consumer.from.includes(index)) throw new WiringError(`member ${index} feeds member ${stage.feeds}, which does not take it`);
    }
    if (stage.kind === 'hop') {
      if (stage.from.length === 0) throw new WiringError(`hop ${index} takes from no one`);
      for (const source of stage.from) if (stages[source]?.feeds !== index) throw new WiringError(`hop ${index} takes from member ${source}, which feeds ${String(stages[source]?.feeds)}`);
    }
  });
  // Every member reaches the server (no cycles): follow each one's consumers.
  stages.forEach((_, start) => {
    let at: Consumer = start;
    for (let hops = 0; at !== 'server'; hops++) {
      if (hops > stages.length) throw new WiringError(`member ${start} never reaches the server`);
      at = (stages[at] as Stage).feeds;
    }
  });
}
