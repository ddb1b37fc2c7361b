import * as tf from '@tensorflow/tfjs';
import type { TaskHead } from '../model/task_head';
import { applyGradients, countCorrect, NonFiniteLossError, softmaxCrossEntropy, type Segment } from './segment';

// Multi-task split learning (PAPER.md, Fig. 4b): the server holds several heads over one
// trunk, each with its own task, labels and loss. Here the heads are the last layer's output
// units taken in groups, one group of logits per task: a dense layer of Σ classes units is
// exactly one independent dense head per task over the same input. The loss is the weighted
// sum of the tasks' cross-entropies; the parties receive the gradient of that sum.


/** Each task's [batch, classes] logits, from the segment's [batch, Σ classes] output. */
export function taskLogits(logits: tf.Tensor, heads: readonly TaskHead[]): tf.Tensor[] {
  const width = heads.reduce((sum, head) => sum + head.classes, 0);
  const last = logits.shape[logits.rank - 1];
  if (last !== width) throw new Error(`the server's output has ${last} logits, its task heads ${width} (${heads.map((head) => `${head.name}: ${head.classes}`).join(', ')})`);
  return tf.split(
    logits,
    heads.map((head) => head.classes),
    logits.rank - 1,
  );
}

/** Task t's labels: column t of the [batch, tasks] labels. */
export function taskLabels(labels: tf.Tensor, task: number): tf.Tensor {
  return tf.tidy(() => tf.squeeze(tf.slice(labels, [0, task], [-1, 1]), [1]));
}

export interface TaskOutcome {
  loss: number;
  correct: number;
}

/**
 * The loss side of a multi-task step: forward, Σ wₜ·CEₜ, backward, update (refused when the
 * loss is not finite). Returns the weighted loss, each task's loss and correct count, and the
 * gradient at the input when asked. `labels` is [batch, tasks] int32.
 */
export function multiTaskLossStep(
  segment: Segment,
  input: tf.Tensor,
  labels: tf.Tensor,
  heads: readonly TaskHead[],
  needsInputGradient: boolean,
): { loss: number; tasks: TaskOutcome[]; inputGradient: tf.Tensor | undefined } {
  if (labels.rank !== 2 || labels.shape[1] !== heads.length) throw new Error(`multi-task labels are [batch, ${heads.length}], got [${labels.shape.join(', ')}]`);
  let loss = Number.NaN;
  let tasks: TaskOutcome[] = [];
  const inputGradient = applyGradients(
    segment,
    input,
    needsInputGradient,
    (logits) => {
      const perTask = taskLogits(logits, heads).map((taskOutput, task) => {
        const ofTask = taskLabels(labels, task);
        // Class weights are the first task's; label smoothing is every task's.
        const value = softmaxCrossEntropy(taskOutput, ofTask, task === 0 ? segment.loss : { ...(segment.loss?.labelSmoothing ? { labelSmoothing: segment.loss.labelSmoothing } : {}) });
        const outcome = { value, correct: countCorrect(taskOutput, ofTask) };
        ofTask.dispose();
        return outcome;
      });
      const total = tf.addN(perTask.map(({ value }, task) => tf.mul(value, (heads[task] as TaskHead).weight))) as tf.Scalar;
      tasks = perTask.map(({ value, correct }) => ({ loss: value.dataSync()[0] ?? Number.NaN, correct }));
      loss = total.dataSync()[0] ?? Number.NaN;
      return total;
    },
    () => {
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    },
  );
  return { loss, tasks, inputGradient };
}

export type { TaskHead };
