import type * as tf from '@tensorflow/tfjs';
import { evaluateClassification, type ClassificationMetrics } from '../metrics/classification';

/** What one step of any role's loop reports (topology steps, the centralized trainer, inference). */
export interface StepOutcome {
  /** Mean loss of the batch, where this role computes it. */
  loss?: number;
  /** Samples of the batch classified correctly, where this role computes the loss. */
  correct?: number;
  /** Samples in the batch. */
  samples?: number;
  /** [batch, classes] probabilities and [batch] labels, where this role scores; the tally disposes them. */
  probabilities?: tf.Tensor;
  labels?: tf.Tensor;
  /** Multi-task: each task's mean loss and correct count. */
  tasks?: { loss: number; correct: number }[];
  /** Multi-task: each task's probabilities and labels; the tally disposes them. */
  taskScores?: { probabilities: tf.Tensor; labels: tf.Tensor }[];
}

/**
 * What one role counted over an epoch: the one tally every loop over batches keeps, in
 * process and over the network. The loss is sample-weighted, so a partial last batch
 * counts for what it holds.
 */
export class EpochTally {
  steps = 0;
  samples = 0;
  private lossSum = 0;
  private lossSamples = 0;
  private correctSum = 0;
  private scoredSamples = 0;
  private readonly scores: number[] = [];
  private readonly labels: number[] = [];
  /** Multi-task: one tally per task, fed from the steps' per-task outcomes. */
  private readonly perTask: EpochTally[] = [];

  /** Adds one step; reads and disposes its probabilities and labels. */
  add(outcome: StepOutcome): void {
    this.steps += 1;
    const samples = outcome.samples ?? 0;
    this.samples += samples;
    if (outcome.loss !== undefined) {
      const weight = samples > 0 ? samples : 1;
      this.lossSum += outcome.loss * weight;
      this.lossSamples += weight;
    }
    if (outcome.correct !== undefined) {
      this.correctSum += outcome.correct;
      this.scoredSamples += samples;
    }
    try {
      if (outcome.probabilities && outcome.labels) {
        this.scores.push(...outcome.probabilities.dataSync());
        this.labels.push(...outcome.labels.dataSync());
      }
    } finally {
      outcome.probabilities?.dispose();
      outcome.labels?.dispose();
    }
    const tasks = Math.max(outcome.tasks?.length ?? 0, outcome.taskScores?.length ?? 0);
    for (let task = 0; task < tasks; task++) {
      this.perTask[task] ??= new EpochTally();
      const scores = outcome.taskScores?.[task];
      const trained = outcome.tasks?.[task];
      (this.perTask[task] as EpochTally).add({ samples, ...(trained ?? {}), ...(scores ?? {}) });
    }
  }

  /** Multi-task: what was counted for each task, in head order (empty for a single task). */
  get tasks(): readonly EpochTally[] {
    return this.perTask;
  }

  /** Mean loss over the epoch, where this role computed one. */
  get loss(): number | undefined {
    return this.lossSamples > 0 ? this.lossSum / this.lossSamples : undefined;
  }

  /** Samples classified correctly while training, where this role computed the loss. */
  get correct(): number | undefined {
    return this.scoredSamples > 0 ? this.correctSum : undefined;
  }

  get accuracy(): number | undefined {
    return this.scoredSamples > 0 ? this.correctSum / this.scoredSamples : undefined;
  }

  /** Validation metrics over what this role scored, or undefined when it scored nothing. */
  metrics(numClasses: number): ClassificationMetrics | undefined {
    if (this.labels.length === 0) return undefined;
    return evaluateClassification(Float32Array.from(this.scores), Int32Array.from(this.labels), numClasses);
  }
}
