import { TrafficMeter } from '../accounting/traffic';
import { segmentFlops } from '../accounting/flops';
import type { Dataset } from '../data/dataset';
import type { ModelSpec } from '../model/spec';
import { readWeights, writeWeights, type NamedWeight } from '../model/weights';
import type { Augmentation } from '../augmentation/augmentation';
import { createSegment, type LossOptions, type Segment } from '../segment/segment';
import { decodeWeights, encodeWeights } from '../model/weights_frames';
import type { OptimizerConfig } from '../segment/optimizer_names';
import { CentralizedTrainer } from '../training/centralized';
import type { EpochReport } from '../training/simulation';

// What the baselines (PAPER.md Tables 1-2, Fig. 3) share: every client trains the whole,
// unsplit model, the server keeps the global one; what travels between them (weights,
// gradients) crosses the real codec as weight bundles and is metered, as split learning's
// tensors are, so the comparison counts bytes the same way.

export interface BaselineClient {
  id: string;
  data: Dataset;
}

export interface BaselineOptions {
  spec: ModelSpec;
  clients: readonly BaselineClient[];
  optimizer: OptimizerConfig;
  /** Label smoothing and class weights in each client's loss. */
  loss?: LossOptions;
  /** Each client's augmentation of its training images. */
  augmentation?: Augmentation;
  batchSize: number;
  seed: number;
  /** Called after every client training step, with its loss. */
  onStep?: (step: { clientId: string; loss: number; samples: number }) => void;
}

/** What one round cost and achieved: the figures the simulator reports for a split learning epoch (the server only averages). */
export type BaselineRound = Omit<EpochReport, 'epoch' | 'traffic'> & { round: number };

/** The server's global model (the centralized trainer's, for the same initial weights and the same scoring) and the metered wire. */
export class WholeModelHarness {
  readonly global: CentralizedTrainer;
  readonly meter = new TrafficMeter();
  private readonly devices = new Map<string, Segment>();
  /** Forward and backward FLOPs of one sample through the whole model (the input needs no gradient). */
  readonly flopsPerSample: number;

  constructor(readonly options: BaselineOptions) {
    if (options.clients.length === 0) throw new Error('a baseline needs at least one client');
    for (const client of options.clients) if (client.data.samples.length === 0) throw new Error(`${client.id} holds no training samples`);
    this.global = new CentralizedTrainer(options.spec, { seed: options.seed, optimizer: options.optimizer, ...(options.loss ? { loss: options.loss } : {}) });
    const plan = this.global.segment.plan;
    const flops = segmentFlops(plan.layers, plan.inputShape, { needsInputGradient: false });
    this.flopsPerSample = flops.forward + flops.backward;
  }

  /** Weights (or gradients) sent by `clientId` in `direction`, through the codec, metered; returns what arrives. */
  transfer(clientId: string, direction: 'up' | 'down', kind: 'weights' | 'gradients', weights: readonly NamedWeight[]): NamedWeight[] {
    const bundle = encodeWeights(weights);
    this.meter.record({ participantId: clientId, direction, kind, bytes: bundle.byteLength });
    return decodeWeights(bundle);
  }

  /**
   * A client's own copy of the whole model, with its own optimizer (its state stays on the
   * device between rounds); made on first use with the global model's weights.
   */
  device(clientId: string): Segment {
    let segment = this.devices.get(clientId);
    if (!segment) {
      segment = createSegment(this.global.segment.plan, { seed: this.options.seed, name: `device_${clientId}`, optimizer: this.options.optimizer, ...(this.options.loss ? { loss: this.options.loss } : {}) });
      writeWeights(segment.model, this.globalWeights());
      this.devices.set(clientId, segment);
    }
    return segment;
  }

  globalWeights(): NamedWeight[] {
    return readWeights(this.global.segment.model);
  }

  /** The round's figures from its tallies; bytes are this round's. */
  report(round: number, loss: { sum: number; samples: number }, started: number, clientFlops: number): BaselineRound {
    const seconds = (performance.now() - started) / 1000;
    const totals = this.meter.totals();
    this.meter.reset();
    return {
      round,
      trainLoss: loss.samples > 0 ? loss.sum / loss.samples : Number.NaN,
      samples: loss.samples,
      seconds,
      samplesPerSecond: seconds > 0 ? loss.samples / seconds : 0,
      clientFlops,
      serverFlops: 0,
      bytesUp: totals.up.bytes,
      bytesDown: totals.down.bytes,
    };
  }

  dispose(): void {
    for (const segment of this.devices.values()) {
      segment.model.dispose();
      segment.optimizer.dispose();
    }
    this.global.dispose();
  }
}
