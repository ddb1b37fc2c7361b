import * as tf from '@tensorflow/tfjs';
import { segmentFlops } from '../accounting/flops';
import { batchToTensors } from '../data/batches';
import type { Dataset, Sample } from '../data/dataset';
import { planSegments } from '../model/cuts';
import type { ModelSpec } from '../model/spec';
import { evaluateClassification, type ClassificationMetrics } from '../metrics/classification';
import { evaluationBatches, trainingBatches } from '../runtime/batch_order';
import { runEpochLoop } from '../runtime/epoch_loop';
import type { OptimizerConfig } from '../segment/optimizer_names';
import { multiTaskLossStep, taskLabels, taskLogits, type TaskHead } from '../segment/multi_task';
import { createSegment, infer, lossStep, type LossOptions, type Segment } from '../segment/segment';
import { augmentBatch } from '../augmentation/augment_batch';
import type { Augmentation } from '../augmentation/augmentation';
import { augmentationRng } from '../augmentation/augmentation_seed';

/**
 * The reference every split configuration is measured against: the same model, unsplit,
 * trained on all the data in one place, through the same epoch loop and batch order. With
 * task heads (multi-task), the model's last layer holds every task's logits side by side and
 * the loss is the tasks' weighted sum, as on a multi-task server.
 */
export class CentralizedTrainer {
  readonly segment: Segment;
  private epoch = 0;
  private readonly heads: readonly TaskHead[] | undefined;
  private readonly augmentation: Augmentation | undefined;

  /** With a study's recipe (loss options, augmentation) where given, so the reference trains as the split does. */
  constructor(
    readonly spec: ModelSpec,
    options: { seed: number; optimizer: OptimizerConfig; heads?: readonly TaskHead[]; loss?: LossOptions; augmentation?: Augmentation },
  ) {
    const [whole] = planSegments(spec, []);
    if (!whole) throw new Error(`model ${spec.name} has no layers`);
    this.segment = createSegment(whole, { seed: options.seed, name: 'centralized', optimizer: options.optimizer, ...(options.loss ? { loss: options.loss } : {}) });
    this.heads = options.heads;
    this.augmentation = spec.inputShape.length === 3 ? options.augmentation : undefined;
  }

  /** The first task's classes, and every task's where there are several. */
  private get labelSpace(): { numClasses: number; taskClasses?: number[] } {
    if (!this.heads) return { numClasses: this.spec.numClasses };
    return { numClasses: this.heads[0]?.classes ?? 0, taskClasses: this.heads.map((head) => head.classes) };
  }

  private step(x: tf.Tensor, labels: tf.Tensor): { loss: number; correct: number; tasks?: { loss: number; correct: number }[] } {
    if (!this.heads) return lossStep(this.segment, x, labels, false);
    const { loss, tasks } = multiTaskLossStep(this.segment, x, labels, this.heads, false);
    return { loss, correct: tasks[0]?.correct ?? 0, tasks };
  }

  /** One optimizer step on one batch; returns its mean loss. */
  trainBatch(x: tf.Tensor, labels: tf.Tensor): number {
    return this.step(x, labels).loss;
  }

  /** One pass over `samples` in seeded random order (the batch-order rule, as group 'centralized'). */
  async trainEpoch(data: { samples: Sample[]; sampleShape: number[] }, batchSize: number, seed: number): Promise<{ trainLoss: number; samples: number; seconds: number; flops: number }> {
    const key = { seed, group: 'centralized', round: this.epoch };
    const batches = trainingBatches(data.samples, batchSize, key);
    this.epoch += 1;
    this.segment.optimizer.enterRound(key.round);
    const started = performance.now();
    const { augmentation } = this;
    const tally = await runEpochLoop(batches.length, (step) => {
      const batch = batches[step] as Sample[];
      const { numClasses, taskClasses } = this.labelSpace;
      const tensors = batchToTensors(batch, data.sampleShape, numClasses, taskClasses);
      const x = augmentation ? augmentBatch(tensors.x, augmentation, augmentationRng(key, step)) : tensors.x;
      try {
        return Promise.resolve({ ...this.step(x, tensors.labels), samples: batch.length });
      } finally {
        tf.dispose([tensors.x, x, tensors.labels]);
      }
    });
    const flops = segmentFlops(this.segment.plan.layers, this.segment.plan.inputShape, { needsInputGradient: false });
    return {
      trainLoss: tally.loss ?? Number.NaN,
      samples: tally.samples,
      seconds: (performance.now() - started) / 1000,
      flops: tally.samples * (flops.forward + flops.backward),
    };
  }

  /** Validation metrics of the (first) task, and of every task where there are several. */
  async evaluate(dataset: Dataset, batchSize = 256): Promise<ClassificationMetrics & { tasks?: ClassificationMetrics[] }> {
    const { numClasses, taskClasses } = this.labelSpace;
    const { heads } = this;
    const batches = evaluationBatches(dataset.samples, batchSize);
    const tally = await runEpochLoop(batches.length, (step) => {
      const tensors = batchToTensors(batches[step] as Sample[], dataset.sampleShape, numClasses, taskClasses);
      const samples = tensors.labels.shape[0];
      try {
        if (!heads) return Promise.resolve({ probabilities: tf.tidy(() => tf.softmax(infer(this.segment, tensors.x))), labels: tensors.labels.clone(), samples });
        const taskScores = tf.tidy(() => taskLogits(infer(this.segment, tensors.x), heads).map((logits, task) => ({ probabilities: tf.softmax(logits), labels: taskLabels(tensors.labels, task) })));
        const [main] = taskScores;
        return Promise.resolve({ probabilities: main?.probabilities.clone(), labels: main?.labels.clone(), taskScores, samples });
      } finally {
        tf.dispose([tensors.x, tensors.labels]);
      }
    });
    const metrics = tally.metrics(numClasses) ?? evaluateClassification([], [], numClasses);
    if (!taskClasses) return metrics;
    return { ...metrics, tasks: taskClasses.map((classes, task) => tally.tasks[task]?.metrics(classes) ?? evaluateClassification([], [], classes)) };
  }

  dispose(): void {
    this.segment.model.dispose();
    this.segment.optimizer.dispose();
  }
}
