import * as tf from '@tensorflow/tfjs';
import { segmentFlops } from '../accounting/flops';
import { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import { batchToTensors } from '../data/batches';
import type { Dataset } from '../data/dataset';
import type { SegmentPlan } from '../model/cuts';
import type { CutPoint, ModelSpec } from '../model/spec';
import { evaluateClassification, type ClassificationMetrics } from '../metrics/classification';
import type { Schedule } from '../schedule/schedule';
import { createInProcessLinkPair } from '../topology/in_process_link';
import type { HorizontalTopology } from '../topology/topology';
import { InProcessFederation, type SimulatedClient } from './in_process_federation';
import type { OptimizerConfig } from './optimizer';
import { planSplit, type SplitPlan } from './roles';

export interface SimulationOptions {
  spec: ModelSpec;
  topology: HorizontalTopology;
  /** Defaults to the topology's default cuts for the model. */
  cuts?: CutPoint[];
  schedule: Schedule;
  optimizer: OptimizerConfig;
  batchSize: number;
  seed: number;
  encoding: Encoding;
  clients: SimulatedClient[];
  onStep?: (step: { clientId: string; loss: number; samples: number }) => void;
}

/** What one epoch (one schedule round) cost and achieved. */
export interface EpochReport {
  epoch: number;
  /** Sample-weighted mean training loss over the epoch. */
  trainLoss: number;
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  /** Analytic FLOPs spent by all clients / by the server on training this epoch. */
  clientFlops: number;
  serverFlops: number;
  /** Bytes sent by clients (up) and by the server (down), cut tensors and weights together. */
  bytesUp: number;
  bytesDown: number;
  traffic: ReturnType<TrafficMeter['snapshot']>;
}

/** Training FLOPs per sample of a role's segments; only a first segment skips its input gradient. */
export function trainingFlopsPerSample(plans: readonly SegmentPlan[]): number {
  return plans.reduce((sum, plan) => {
    const flops = segmentFlops(plan.layers, plan.inputShape, { needsInputGradient: plan.index > 0 });
    return sum + flops.forward + flops.backward;
  }, 0);
}

/** A whole study in one process: clients, server, schedule, all through the real codec. */
export class Simulation {
  readonly split: SplitPlan;
  readonly meter = new TrafficMeter();
  private readonly federation: InProcessFederation;
  private epoch = 0;
  private lossSum = 0;
  private lossSamples = 0;

  constructor(private readonly options: SimulationOptions) {
    this.split = planSplit(options.spec, options.topology, options.cuts);
    this.federation = new InProcessFederation({
      split: this.split,
      clients: options.clients,
      batchSize: options.batchSize,
      seed: options.seed,
      optimizer: options.optimizer,
      encoding: options.encoding,
      meter: this.meter,
      onStep: (step) => {
        this.lossSum += step.loss * step.samples;
        this.lossSamples += step.samples;
        options.onStep?.(step);
      },
    });
  }

  async runEpoch(): Promise<EpochReport> {
    this.meter.reset();
    this.lossSum = 0;
    this.lossSamples = 0;
    const started = performance.now();
    await this.options.schedule.runRound(this.federation);
    const seconds = (performance.now() - started) / 1000;
    const samples = this.lossSamples;
    const traffic = this.meter.snapshot();
    this.epoch += 1;
    return {
      epoch: this.epoch,
      trainLoss: samples > 0 ? this.lossSum / samples : Number.NaN,
      samples,
      seconds,
      samplesPerSecond: samples / seconds,
      clientFlops: samples * trainingFlopsPerSample(this.split.client),
      serverFlops: samples * trainingFlopsPerSample(this.split.server),
      bytesUp: traffic.up.bytes,
      bytesDown: traffic.down.bytes,
      traffic,
    };
  }

  /**
   * Scores a dataset through the topology's evaluation step (vanilla: the server scores;
   * U-shaped: the client does), with the most recently trained client segments.
   */
  async evaluate(dataset: Dataset, batchSize = 256): Promise<ClassificationMetrics> {
    const clients = this.federation.clients;
    const latest = clients[clients.length - 1];
    if (!latest) throw new Error('a simulation needs at least one client');
    const client = this.federation.clientRole(latest.id);
    const numClasses = this.split.spec.numClasses;
    const probabilities = new Float32Array(dataset.samples.length * numClasses);
    const labels = new Int32Array(dataset.samples.length);
    for (let start = 0; start < dataset.samples.length; start += batchSize) {
      const batch = dataset.samples.slice(start, start + batchSize);
      const tensors = batchToTensors(batch, dataset.sampleShape, numClasses);
      const link = createInProcessLinkPair({ encoding: this.options.encoding, participantId: latest.id });
      const [clientSide, serverSide] = await Promise.all([
        this.split.topology.clientEvalStep(client, link.client, { x: tensors.x, labels: tensors.labels }),
        this.split.topology.serverEvalStep(this.federation.sharedServer, [link.server]),
      ]);
      const scored = clientSide.probabilities ? clientSide : serverSide;
      probabilities.set(scored.probabilities?.dataSync() ?? [], start * numClasses);
      labels.set(scored.labels?.dataSync() ?? [], start);
      tf.dispose([tensors.x, tensors.labels, clientSide.probabilities, clientSide.labels, serverSide.probabilities, serverSide.labels]);
    }
    return evaluateClassification(probabilities, labels, numClasses);
  }

  /** The client and server roles, for inspection and export. */
  get roles(): { client: ReturnType<InProcessFederation['clientRole']>; server: InProcessFederation['sharedServer'] } {
    const last = this.federation.clients[this.federation.clients.length - 1];
    return { client: this.federation.clientRole(last?.id ?? ''), server: this.federation.sharedServer };
  }

  dispose(): void {
    this.federation.dispose();
  }
}
