import * as tf from '@tensorflow/tfjs';
import { batchToTensors } from '../data/batches';
import { averageWeights, type NamedWeight } from '../model/weights';
import { trainingBatches } from '../runtime/batch_order';
import { runEpochLoop } from '../runtime/epoch_loop';
import { applyWeightGradients, weightGradients } from '../segment/segment';
import { WholeModelHarness, type BaselineOptions, type BaselineRound } from './whole_model';

// Large-batch synchronous SGD (PAPER.md's second baseline): at every step each client takes
// the current global model, computes the whole model's gradient on its own batch and sends
// it; the server applies their sample-weighted mean once, which is exactly one step on the
// clients' batches concatenated. A round is one pass over every client's data; a client
// whose batches run out sits the remaining steps out.

export class LargeBatchSgd {
  private readonly harness: WholeModelHarness;
  private round = 0;

  constructor(private readonly options: BaselineOptions) {
    this.harness = new WholeModelHarness(options);
  }

  get global(): WholeModelHarness['global'] {
    return this.harness.global;
  }

  async runRound(): Promise<BaselineRound> {
    const { clients, batchSize, seed, onStep, spec } = this.options;
    const round = this.round++;
    const started = performance.now();
    const loss = { sum: 0, samples: 0 };
    const batches = clients.map((client) => trainingBatches(client.data.samples, batchSize, { seed, group: client.id, round }));
    const steps = Math.max(...batches.map((entry) => entry.length));
    const model = this.harness.global.segment;
    await runEpochLoop(steps, (step) => {
      const global = this.harness.globalWeights();
      const gradients: NamedWeight[][] = [];
      const counts: number[] = [];
      clients.forEach((client, k) => {
        const batch = batches[k]?.[step];
        if (!batch) return;
        // Each client starts the step from the global weights it was sent (the same for all of them).
        this.harness.transfer(client.id, 'down', 'weights', global);
        const tensors = batchToTensors(batch, client.data.sampleShape, spec.numClasses);
        try {
          const result = weightGradients(model, tensors.x, tensors.labels);
          gradients.push(this.harness.transfer(client.id, 'up', 'gradients', result.gradients));
          counts.push(batch.length);
          loss.sum += result.loss * batch.length;
          loss.samples += batch.length;
          onStep?.({ clientId: client.id, loss: result.loss, samples: batch.length });
        } finally {
          tf.dispose([tensors.x, tensors.labels]);
        }
      });
      applyWeightGradients(model, averageWeights(gradients, counts));
      return Promise.resolve({ samples: counts.reduce((sum, n) => sum + n, 0) });
    });
    return this.harness.report(round, loss, started, loss.samples * this.harness.flopsPerSample);
  }

  evaluate(...args: Parameters<WholeModelHarness['global']['evaluate']>): ReturnType<WholeModelHarness['global']['evaluate']> {
    return this.harness.global.evaluate(...args);
  }

  dispose(): void {
    this.harness.dispose();
  }
}
