import type { NamedWeight } from '../model/weights';

// What a schedule needs from the system that runs it: train a client for one local epoch
// against a given server copy, and move segment weights around. The simulator implements
// it in process; the relay implements it over sockets. Weights are per segment, input side
// first (a U-shaped client holds two segments).

export interface FederationClient {
  id: string;
  /** Local training samples: the FedAvg weight. */
  sampleCount: number;
}

export type SegmentWeights = NamedWeight[][];

/** The server segment every client trains against, unless a schedule keeps copies. */
export const SHARED_SERVER = 'shared';

export interface Federation {
  readonly clients: readonly FederationClient[];
  /**
   * One pass of the client over its local training data, each step run against server copy
   * `serverKey`. Steps of clients sharing a server copy are serialized by the federation.
   */
  trainLocalEpoch(clientId: string, serverKey: string): Promise<void>;
  readServerWeights(serverKey: string): Promise<SegmentWeights>;
  /** Creates the server copy on first write. */
  writeServerWeights(serverKey: string, weights: SegmentWeights): Promise<void>;
  /** Weights leave the client (up): counted as 'weights' traffic. */
  readClientWeights(clientId: string): Promise<SegmentWeights>;
  /** Weights reach the client (down): counted as 'weights' traffic. */
  writeClientWeights(clientId: string, weights: SegmentWeights): Promise<void>;
}
