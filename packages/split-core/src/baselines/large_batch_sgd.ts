import { readWeights, writeWeights } from '../model/weights';
import { trainingBatches } from '../runtime/batch_order';
import { GradientSync } from './gradient_sync';
import { runWholeModelEpoch } from './local_epoch';
import { WholeModelHarness, type BaselineOptions, type BaselineRound } from './whole_model';

// Large-batch synchronous SGD (PAPER.md's second baseline): at every step each client
// computes the whole model's gradient on its own batch and sends it; every client applies
// their sample-weighted mean, which is exactly one step on the clients' batches
// concatenated, so the clients' models stay equal. A round is one pass over every client's
// data; a client whose batches run out only applies the others' averages. The clients run side by
// side through the same barrier (GradientSync) as over the relay.

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
    const batches = clients.map((client) => trainingBatches(client.data.samples, batchSize, { seed, group: client.id, round }));
    const steps = Math.max(...batches.map((own) => own.length));
    const sync = new GradientSync(new Map(clients.map((client, k) => [client.id, batches[k]?.length ?? 0])));
    const tallies = await Promise.all(
      clients.map(async (client, k) => {
        const own = batches[k] ?? [];
        try {
          return await runWholeModelEpoch({
            segment: this.harness.device(client.id),
            phase: 'train',
            key: { seed, group: client.id, round },
            ...(this.options.augmentation ? { augmentation: this.options.augmentation } : {}),
            batches: own,
            // Every client takes every step: one without a batch applies the others' average.
            steps,
            sampleShape: client.data.sampleShape,
            numClasses: spec.numClasses,
            // Up and down through the codec, metered: the gradient a client sends (none without a batch), the average it gets.
            exchange: async (step, samples, gradients) => {
              const average = await sync.submit(client.id, step, samples, samples > 0 ? this.harness.transfer(client.id, 'up', 'gradients', gradients) : []);
              return this.harness.transfer(client.id, 'down', 'gradients', average);
            },
            hooks: { afterStep: (_step, outcome) => onStep?.({ clientId: client.id, loss: outcome.loss ?? Number.NaN, samples: outcome.samples ?? 0 }) },
          });
        } finally {
          sync.leave(client.id, 'left the round');
        }
      }),
    );
    const first = clients[0];
    if (first) writeWeights(this.harness.global.segment.model, readWeights(this.harness.device(first.id).model));
    const loss = tallies.reduce((sum, tally) => ({ sum: sum.sum + (tally.loss ?? 0) * tally.samples, samples: sum.samples + tally.samples }), { sum: 0, samples: 0 });
    return this.harness.report(round, loss, started, loss.samples * this.harness.flopsPerSample);
  }

  evaluate(...args: Parameters<WholeModelHarness['global']['evaluate']>): ReturnType<WholeModelHarness['global']['evaluate']> {
    return this.harness.global.evaluate(...args);
  }

  dispose(): void {
    this.harness.dispose();
  }
}
