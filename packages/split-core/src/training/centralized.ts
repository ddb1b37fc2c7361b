import * as tf from '@tensorflow/tfjs';
import { segmentFlops } from '../accounting/flops';
import { batchToTensors, epochBatches } from '../data/batches';
import type { Dataset, Sample } from '../data/dataset';
import { createRng, deriveSeed } from '../data/random';
import { planSegments } from '../model/cuts';
import type { ModelSpec } from '../model/spec';
import { evaluateClassification, type ClassificationMetrics } from '../metrics/classification';
import type { OptimizerConfig } from './optimizer';
import { createSegment, infer, lossStep, type Segment } from './segment';

/**
 * The reference every split configuration is measured against: the same model, unsplit,
 * trained on all the data in one place.
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

  /** One pass over `samples` in seeded random order. */
  trainEpoch(data: { samples: Sample[]; sampleShape: number[] }, batchSize: number, seed: number): { trainLoss: number; samples: number; seconds: number; flops: number } {
    const batches = epochBatches(data.samples, batchSize, createRng(deriveSeed(seed, 'batches', 'centralized', this.epoch)));
    this.epoch += 1;
    const started = performance.now();
    let lossSum = 0;
    for (const batch of batches) {
      const tensors = batchToTensors(batch, data.sampleShape, this.spec.numClasses);
      lossSum += this.trainBatch(tensors.x, tensors.labels) * batch.length;
      tf.dispose([tensors.x, tensors.labels]);
    }
    const flops = segmentFlops(this.segment.plan.layers, this.segment.plan.inputShape, { needsInputGradient: false });
    return {
      trainLoss: lossSum / data.samples.length,
      samples: data.samples.length,
      seconds: (performance.now() - started) / 1000,
      flops: data.samples.length * (flops.forward + flops.backward),
    };
  }

  evaluate(dataset: Dataset, batchSize = 256): ClassificationMetrics {
    const numClasses = this.spec.numClasses;
    const probabilities = new Float32Array(dataset.samples.length * numClasses);
    const labels = new Int32Array(dataset.samples.length);
    for (let start = 0; start < dataset.samples.length; start += batchSize) {
      const batch = dataset.samples.slice(start, start + batchSize);
      const tensors = batchToTensors(batch, dataset.sampleShape, numClasses);
      const scores = tf.tidy(() => tf.softmax(infer(this.segment, tensors.x)));
      probabilities.set(scores.dataSync(), start * numClasses);
      labels.set(tensors.labels.dataSync(), start);
      tf.dispose([tensors.x, tensors.labels, scores]);
    }
    return evaluateClassification(probabilities, labels, numClasses);
  }

  dispose(): void {
    this.segment.model.dispose();
    this.segment.optimizer.dispose();
  }
}
