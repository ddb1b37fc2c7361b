import type * as tf from '@tensorflow/tfjs';
import type { ClientRole, ServerRole } from '../segment/roles';
import type { HorizontalTopologyDescriptor, TopologyDescriptor } from './descriptor';
import type { Link } from './link';

// A topology is the choreography of one training (and one evaluation) step between the
// roles of a SplitNN configuration (PAPER.md): which tensors cross which link, in which
// order. The same functions run in process and over the network. What it is (who holds
// what, what crosses) is its tfjs-free descriptor.

export interface Batch {
  /** [batch, ...sampleShape] */
  x: tf.Tensor;
  /** [batch] int32 class indices; absent on a vertical party that does not hold labels. */
  labels?: tf.Tensor;
}

export interface StepResult {
  /** Mean training loss of the batch, reported by the role that computes it. */
  loss?: number;
  /** Samples of the batch classified correctly, by the role that computes the loss. */
  correct?: number;
  /** Samples in the batch, by any role that sees the batch dimension. */
  samples?: number;
  /** Multi-task: each task's mean loss and correct count, in head order (`loss` is their weighted sum). */
  tasks?: { loss: number; correct: number }[];
}

export interface EvalResult {
  /** [batch, numClasses] class probabilities, on the role that scores (holds the labels). */
  probabilities?: tf.Tensor;
  labels?: tf.Tensor;
  /** Multi-task: each task's [batch, classes] probabilities and [batch] labels, in head order (the first also as `probabilities`, `labels`). */
  taskScores?: { probabilities: tf.Tensor; labels: tf.Tensor }[];
}

export interface Topology {
  readonly descriptor: TopologyDescriptor;
  clientTrainStep(client: ClientRole, link: Link, batch: Batch): Promise<StepResult>;
  /** `links` has one entry per client of the step's group (several parties in vertical). */
  serverTrainStep(server: ServerRole, links: Link[]): Promise<StepResult>;
  clientEvalStep(client: ClientRole, link: Link, batch: Batch): Promise<EvalResult>;
  serverEvalStep(server: ServerRole, links: Link[]): Promise<EvalResult>;
}

/** Every client holds the same segments of one model over different samples (vanilla, U-shaped). */
export interface HorizontalTopology extends Topology {
  readonly descriptor: HorizontalTopologyDescriptor;
}
