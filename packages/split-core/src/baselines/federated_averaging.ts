import { averageWeights, readWeights, writeWeights, type NamedWeight } from '../model/weights';
import { localTrainingBatches, runWholeModelEpoch } from './local_epoch';
import { WholeModelHarness, type BaselineOptions, type BaselineRound } from './whole_model';

// Federated averaging (McMahan et al. 2017; PAPER.md's first baseline): each round every
// client loads the global model, trains the whole of it for E local epochs on its own data
// (its optimizer's state stays on the device between rounds), and sends its weights back;
// the server's new global model is their sample-weighted mean.

export interface FederatedAveragingOptions extends BaselineOptions {
  /** Passes over its own data each client makes per round (E). */
  localEpochs: number;
}

export class FederatedAveraging {
  private readonly harness: WholeModelHarness;
  private round = 0;

  constructor(private readonly options: FederatedAveragingOptions) {
    if (!Number.isInteger(options.localEpochs) || options.localEpochs < 1) throw new Error(`local epochs must be a whole number of at least 1, got ${options.localEpochs}`);
    this.harness = new WholeModelHarness(options);
  }

  get global(): WholeModelHarness['global'] {
    return this.harness.global;
  }


  async runRound(): Promise<BaselineRound> {
    const { clients, batchSize, seed, localEpochs, onStep, spec } = this.options;
    const round = this.round++;
    const started = performance.now();
    const loss = { sum: 0, samples: 0 };
    const global = this.harness.globalWeights();
    const uploads: NamedWeight[][] = [];
    const counts: number[] = [];
    for (const client of clients) {
      const device = this.harness.device(client.id);
      writeWeights(device.model, this.harness.transfer(client.id, 'down', 'weights', global));
      // The batch-order rule, keyed by the client and its pass: the same batches wherever it runs.
      const batches = localTrainingBatches(client.data.samples, batchSize, { seed, group: client.id, round }, localEpochs);
      const tally = await runWholeModelEpoch({
        segment: device,
        phase: 'train',
        key: { seed, group: client.id, round },
        ...(this.options.augmentation ? { augmentation: this.options.augmentation } : {}),
        batches,
        steps: batches.length,
        sampleShape: client.data.sampleShape,
        numClasses: spec.numClasses,
        hooks: { afterStep: (_step, outcome) => onStep?.({ clientId: client.id, loss: outcome.loss ?? Number.NaN, samples: outcome.samples ?? 0 }) },
      });
      loss.sum += (tally.loss ?? 0) * tally.samples;
      loss.samples += tally.samples;
      uploads.push(this.harness.transfer(client.id, 'up', 'weights', readWeights(device.model)));
      counts.push(client.data.samples.length);
    }
    writeWeights(this.harness.global.segment.model, averageWeights(uploads, counts));
    return this.harness.report(round, loss, started, loss.samples * this.harness.flopsPerSample);
  }

  evaluate(...args: Parameters<WholeModelHarness['global']['evaluate']>): ReturnType<WholeModelHarness['global']['evaluate']> {
    return this.harness.global.evaluate(...args);
  }

  dispose(): void {
    this.harness.dispose();
  }
}
