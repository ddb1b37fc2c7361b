import type { NamedWeight } from '../model/weights';

// What a schedule needs from the system that runs it: train a group for one local epoch
// against a given server copy, and move segment weights around. The in-process federation
// implements it for the simulator and tests; the relay implements it over sockets. Weights
// are per segment, input side first (a U-shaped client holds two segments).

/**
 * The unit a schedule trains: one client in a horizontal topology (vanilla, U-shaped), the
 * K aligned parties of a vertical one. A group's weights are its members' client segments,
 * member by member, input side first.
 */
export interface TrainingGroup {
  id: string;
  /** Client ids, in the order their links reach the server (a vertical label holder first). */
  members: readonly string[];
  /** Training samples the group declares; its steps per round follow from it. */
  sampleCount: number;
}

export type SegmentWeights = NamedWeight[][];

/** The server segment every group trains against, unless a schedule keeps copies. */
export const SHARED_SERVER = 'shared';

/** What the server counted over a group's training epoch. */
export interface GroupTrained {
  /**
   * Samples the server processed: the group's weight in an average. Not what the group
   * declared it holds, which nobody can check (a participant could claim millions).
   */
  samples: number;
}

export interface Federation {
  readonly groups: readonly TrainingGroup[];
  /**
   * One pass of the group over its local training data, each step run against server copy
   * `serverKey`. Steps of groups sharing a server copy are serialized by the federation.
   */
  trainGroup(group: TrainingGroup, serverKey: string): Promise<GroupTrained>;
  readServerWeights(serverKey: string): Promise<SegmentWeights>;
  /** Creates the server copy on first write. */
  writeServerWeights(serverKey: string, weights: SegmentWeights): Promise<void>;
  /** Sets server copy `into` to the sample-weighted mean of copies `keys` (where the copies live). */
  averageServerCopies(keys: readonly string[], sampleCounts: readonly number[], into: string): Promise<void>;
  /** Weights leave the group's clients (up): counted as 'weights' traffic. */
  readGroupWeights(group: TrainingGroup): Promise<SegmentWeights>;
  /** Weights reach the group's clients (down): counted as 'weights' traffic. */
  writeGroupWeights(group: TrainingGroup, weights: SegmentWeights): Promise<void>;
  /** Whether every member of the group is known to hold these weights already (so they need not travel again); false when unknown. */
  holds?(group: TrainingGroup, weights: SegmentWeights): boolean;
}

/**
 * A member refused the weights it was handed: they would not load (another layout) or, in a
 * sealed hand-off, not open with the study key. The weights are at fault as much as the
 * member, and only the members can tell: schedules that hand weights on stop handing these.
 */
export class WeightsRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsRefusedError';
  }
}

/** A group of one client (horizontal topologies). */
export function singleClientGroup(clientId: string, sampleCount: number): TrainingGroup {
  return { id: clientId, members: [clientId], sampleCount };
}
