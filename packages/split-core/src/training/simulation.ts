import type { ActivationNoise } from '../privacy/activation_noise';
import type { GradientNoise } from '../privacy/gradient_noise';
import { LabelLeakTally } from '../privacy/label_leakage';
import { trainingFlopsPerSample } from '../accounting/flops';
import { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import type { Dataset } from '../data/dataset';
import { evaluateClassification, type ClassificationMetrics } from '../metrics/classification';
import { evaluationBatches } from '../runtime/batch_order';
import { runInProcessEpoch } from '../runtime/in_process';
import { batchLabels } from '../runtime/server_labels';
import type { TrainingGroup } from '../schedule/federation';
import type { Schedule } from '../schedule/schedule';
import type { OptimizerConfig } from '../segment/optimizer_names';
import type { ClientRole, ServerRole } from '../segment/roles';
import type { RolePlans } from '../topology/role_plans';
import { InProcessFederation, type SimulatedClient } from './in_process_federation';
import type { Augmentation } from '../augmentation/augmentation';
import type { LossOptions } from '../segment/segment';

/** Validation metrics of the (first) task, and of every task in a multi-task study. */
export type ScoredMetrics = ClassificationMetrics & { tasks?: ClassificationMetrics[] };

export interface SimulationOptions {
  /** The roles' segments: horizontalRolePlans(planSplit(...)) or verticalRolePlans(...). */
  plans: RolePlans;
  /** The training groups; each client is its own group when absent (horizontal topologies). */
  groups?: TrainingGroup[];
  schedule: Schedule;
  optimizer: OptimizerConfig;
  batchSize: number;
  seed: number;
  encoding: Encoding;
  clients: SimulatedClient[];
  /** A vertical study whose server holds the labels: its label rows, in the parties' aligned training order. */
  serverLabels?: Dataset;
  /** NoPeek's weight in every data holder's loss (segment/roles.ts); off when absent. */
  noPeek?: number;
  /** Clipping and noise on every data holder's cut activations (privacy/activation_noise.ts); off when absent. */
  activationNoise?: ActivationNoise;
  /** Noise the server adds to the cut gradients it returns (privacy/gradient_noise.ts); off when absent. */
  gradientNoise?: GradientNoise;
  /** Label smoothing and class weights where the loss is computed. */
  loss?: LossOptions;
  /** Every data holder's augmentation of its training images. */
  augmentation?: Augmentation;
  onStep?: (step: { groupId: string; loss: number; samples: number }) => void;
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
  /** A binary task whose labels reach the server: what the epoch's cut gradients (as sent) reveal of them, as the relay scores it. */
  leak?: { norm: number; direction: number; samples: number };
}

/** A whole study in one process: clients, server, schedule, all through the real codec. */
export class Simulation {
  readonly meter = new TrafficMeter();
  private readonly federation: InProcessFederation;
  private epoch = 0;
  private lossSum = 0;
  private lossSamples = 0;

  constructor(private readonly options: SimulationOptions) {
    this.federation = new InProcessFederation({
      plans: options.plans,
      clients: options.clients,
      ...(options.groups ? { groups: options.groups } : {}),
      batchSize: options.batchSize,
      seed: options.seed,
      optimizer: options.optimizer,
      encoding: options.encoding,
      meter: this.meter,
      ...(options.noPeek ? { noPeek: options.noPeek } : {}),
      ...(options.activationNoise ? { activationNoise: options.activationNoise } : {}),
      ...(options.gradientNoise ? { gradientNoise: options.gradientNoise } : {}),
      ...(options.loss ? { loss: options.loss } : {}),
      ...(options.augmentation ? { augmentation: options.augmentation } : {}),
      ...(options.serverLabels ? { serverLabels: options.serverLabels } : {}),
      onStep: ({ groupId, outcome }) => {
        const samples = outcome.samples ?? 0;
        const loss = outcome.loss ?? Number.NaN;
        this.lossSum += loss * samples;
        this.lossSamples += samples;
        options.onStep?.({ groupId, loss, samples });
      },
    });
  }

  async runEpoch(): Promise<EpochReport> {
    this.meter.reset();
    this.lossSum = 0;
    this.lossSamples = 0;
    const started = performance.now();
    this.federation.round = this.epoch;
    if (this.federation.leak) this.federation.leak = new LabelLeakTally(1);
    await this.options.schedule.runRound(this.federation);
    const leak = this.federation.leak && this.federation.leak.samples > 0 ? this.federation.leak.result() : undefined;
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
      clientFlops: samples * this.clientFlopsPerSample(),
      serverFlops: samples * trainingFlopsPerSample(this.options.plans.server),
      bytesUp: traffic.up.bytes,
      bytesDown: traffic.down.bytes,
      traffic,
      ...(leak ? { leak } : {}),
    };
  }

  /**
   * Scores validation data through the topology's evaluation step, with the last group's
   * client segments (after round-robin the latest hand-off, after SplitFed the average):
   * the role holding the labels scores (vanilla, vertical: the server; U-shaped: the client).
   */
  evaluate(dataset: Dataset, batchSize = 256): Promise<ScoredMetrics> {
    return this.evaluateGroup(() => dataset, batchSize);
  }

  /**
   * The same, with each member of the group scoring its own rows (a vertical party its
   * columns of the shared rows); `serverLabels` where the server holds the labels.
   */
  async evaluateGroup(dataOf: (clientId: string) => Dataset, batchSize = 256, serverLabels?: Dataset): Promise<ScoredMetrics> {
    const { groups } = this.federation;
    const group = groups[groups.length - 1];
    if (!group) throw new Error('a simulation needs at least one client');
    const { plans } = this.options;
    const members = group.members.map((id) => {
      const data = dataOf(id);
      return { id, role: this.federation.clientRole(id), batches: evaluationBatches(data.samples, batchSize), sampleShape: data.sampleShape, holdsLabels: plans.holdsLabels(id) };
    });
    const tallies = await runInProcessEpoch({
      topology: plans.topology,
      members,
      server: this.federation.sharedServer,
      phase: 'eval',
      key: { seed: this.options.seed, group: group.id, round: this.federation.round },
      // Intermediate participants (multi-hop) hold no rows: the data holders' batches count.
      steps: Math.max(0, ...members.map((member) => member.batches.length)),
      numClasses: plans.numClasses,
      ...(plans.taskClasses ? { taskClasses: plans.taskClasses } : {}),
      encoding: this.options.encoding,
      wiring: plans.wiring(group.members),
      ...(serverLabels ? { serverLabels: batchLabels(evaluationBatches(serverLabels.samples, batchSize)) } : {}),
    });
    const scorer = plans.topology.descriptor.lossHolder === 'server' ? tallies.server : tallies.members[0];
    const metrics = scorer?.metrics(plans.numClasses) ?? evaluateClassification([], [], plans.numClasses);
    const { taskClasses } = plans;
    if (!taskClasses) return metrics;
    return { ...metrics, tasks: taskClasses.map((classes, task) => scorer?.tasks[task]?.metrics(classes) ?? evaluateClassification([], [], classes)) };
  }

  /** Training FLOPs per sample of all clients of a group together (a vertical group's parties each run their encoder). */
  private clientFlopsPerSample(): number {
    const group = this.federation.groups[0];
    return (group?.members ?? []).reduce((sum, id) => sum + trainingFlopsPerSample(this.options.plans.client(id)), 0);
  }

  /** The client and server roles, for inspection and export. */
  get roles(): { client: ClientRole; server: ServerRole } {
    const { groups } = this.federation;
    return { client: this.federation.clientRole(groups[groups.length - 1]?.members[0] ?? ''), server: this.federation.sharedServer.role };
  }

  dispose(): void {
    this.federation.dispose();
  }
}
