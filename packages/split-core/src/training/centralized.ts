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
import { createSegment, infer, lossStep, type Segment } from '../segment/segment';

/**
 * The reference every split configuration is measured against: the same model, unsplit,
 * trained on all the data in one place, through the same epoch loop and batch order.
 */
export class CentralizedTrainer {
  readonly segment: Segment;
  private epoch = 0;

  constructor(
    readonly spec: ModelSpec,
    options: { seed: number; optimizer: OptimizerConfig },
  ) {
    const [whole] = planSegments(spec, []);
    if (!whole) throw new Error(`model ${spec.name} has no layers`);
    this.segment = createSegment(whole, { seed: options.seed, name: 'centralized', optimizer: options.optimizer });
  }

  /** One optimizer step on one batch; returns its mean loss. */
  trainBatch(x: tf.Tensor, labels: tf.Tensor): number {
    return lossStep(this.segment, x, labels, false).loss;
  }

  /** One pass over `samples` in seeded random order (the batch-order rule, as group 'centralized'). */
  async trainEpoch(data: { samples: Sample[]; sampleShape: number[] }, batchSize: number, seed: number): Promise<{ trainLoss: number; samples: number; seconds: number; flops: number }> {
    const batches = trainingBatches(data.samples, batchSize, { seed, group: 'centralized', round: this.epoch });
    this.epoch += 1;
    const started = performance.now();
    const tally = await runEpochLoop(batches.length, (step) => {
      const batch = batches[step] as Sample[];
      const tensors = batchToTensors(batch, data.sampleShape, this.spec.numClasses);
      try {
        const { loss, correct } = lossStep(this.segment, tensors.x, tensors.labels, false);
        return Promise.resolve({ loss, correct, samples: batch.length });
      } finally {
        tf.dispose([tensors.x, tensors.labels]);
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

  async evaluate(dataset: Dataset, batchSize = 256): Promise<ClassificationMetrics> {
    const numClasses = this.spec.numClasses;
    const batches = evaluationBatches(dataset.samples, batchSize);
    const tally = await runEpochLoop(batches.length, (step) => {
      const tensors = batchToTensors(batches[step] as Sample[], dataset.sampleShape, numClasses);
      const probabilities = tf.tidy(() => tf.softmax(infer(this.segment, tensors.x)));
      tensors.x.dispose();
      return Promise.resolve({ probabilities, labels: tensors.labels, samples: tensors.labels.shape[0] });
    });
    return tally.metrics(numClasses) ?? evaluateClassification([], [], numClasses);
  }

  dispose(): void {
    this.segment.model.dispose();
    this.segment.optimizer.dispose();
  }
}
