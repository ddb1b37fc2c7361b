import type * as tf from '@tensorflow/tfjs';
import type { SegmentPlan } from '../model/cuts';
import type { CutPoint, ModelSpec } from '../model/spec';
import type { Segment } from '../training/segment';
import type { Link } from './link';

// A topology is the choreography of one training (and one evaluation) step between the
// roles of a SplitNN configuration (PAPER.md): which segments each role holds and which
// tensors cross which link. The same functions run in process and over the network.

export type TopologyName = 'vanilla' | 'u-shaped' | 'vertical';
export const TOPOLOGY_NAMES: readonly TopologyName[] = ['vanilla', 'u-shaped', 'vertical'];

export interface Batch {
  /** [batch, ...sampleShape] */
  x: tf.Tensor;
  /** [batch] int32 class indices; absent on a vertical party that does not hold labels. */
  labels?: tf.Tensor;
}

/** The segments a client (data owner) holds, input side first. */
export interface ClientRole {
  segments: Segment[];
}

/** The segments the server holds. */
export interface ServerRole {
  segments: Segment[];
}

/** Which segment plans each role holds, in order. */
export interface RoleAssignment {
  client: SegmentPlan[];
  server: SegmentPlan[];
}

export interface StepResult {
  /** Mean training loss of the batch, reported by the role that computes it. */
  loss?: number;
  /** Samples of the batch classified correctly, by the role that computes the loss. */
  correct?: number;
  /** Samples in the batch, by any role that sees the batch dimension. */
  samples?: number;
}

export interface EvalResult {
  /** [batch, numClasses] class probabilities, on the role that scores (holds the labels). */
  probabilities?: tf.Tensor;
  labels?: tf.Tensor;
}

export interface Topology {
  readonly name: TopologyName;
  /** Whether labels cross the wire (vanilla, vertical: yes; U-shaped: never). */
  readonly sendsLabels: boolean;
  clientTrainStep(client: ClientRole, link: Link, batch: Batch): Promise<StepResult>;
  /** `links` has one entry per client taking part in this step (several in vertical). */
  serverTrainStep(server: ServerRole, links: Link[]): Promise<StepResult>;
  clientEvalStep(client: ClientRole, link: Link, batch: Batch): Promise<EvalResult>;
  serverEvalStep(server: ServerRole, links: Link[]): Promise<EvalResult>;
}

/**
 * A topology where every client holds the same segments of one model over different
 * samples (horizontal partitioning): vanilla and U-shaped. Vertical partitioning plans its
 * parties separately (see vertical.ts).
 */
export interface HorizontalTopology extends Topology {
  /** Cuts to use when the study names none. */
  defaultCuts(spec: ModelSpec): CutPoint[];
  /** Number of cuts the topology needs. */
  readonly cutCount: number;
  /** Distributes the segments of a split model over the roles. */
  assign(plans: SegmentPlan[]): RoleAssignment;
}
