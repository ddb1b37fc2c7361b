import * as tf from '@tensorflow/tfjs';
import { multiTaskLossStep, type TaskHead } from '../segment/multi_task';
import type { ServerRole } from '../segment/roles';
import type { Link } from './link';
import { ProtocolError } from './link';
import type { StepResult } from './topology';

// The server's training step in multi-task split learning (PAPER.md, Fig. 4b): the client's
// step is vanilla's (cut activations and its [batch, tasks] labels up, the cut gradient
// down); the server runs its trunk and task heads, sums the tasks' weighted losses and
// returns the gradient of that sum.

export interface MultiTaskStepResult extends StepResult {
  /** Each task's mean loss and correct count, in head order. */
  tasks: { loss: number; correct: number }[];
}

export async function multiTaskServerTrainStep(server: ServerRole, link: Link, heads: readonly TaskHead[]): Promise<MultiTaskStepResult> {
  const [segment] = server.segments;
  if (!segment || server.segments.length !== 1) throw new ProtocolError(`a multi-task server holds one segment (its trunk and heads), got ${server.segments.length}`);
  const activations = await link.receive('activations');
  let labels: tf.Tensor | undefined;
  try {
    labels = await link.receive('labels');
    const { loss, tasks, inputGradient } = multiTaskLossStep(segment, activations, labels, heads, true);
    try {
      await link.send('gradients', inputGradient as tf.Tensor);
    } finally {
      inputGradient?.dispose();
    }
    return { loss, tasks, samples: labels.shape[0] ?? 0 };
  } finally {
    tf.dispose([activations, labels]);
  }
}
