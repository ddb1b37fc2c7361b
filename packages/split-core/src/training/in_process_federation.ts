import type { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import type { Dataset } from '../data/dataset';
import { readWeights, writeWeights } from '../model/weights';
import { decodeWeights, encodeWeights } from '../model/weights_frames';
import { trainingBatches } from '../runtime/batch_order';
import { batchLabels } from '../runtime/server_labels';
import { runInProcessEpoch } from '../runtime/in_process';
import { ServerPool, type ServerCopy } from '../runtime/server_pool';
import type { StepOutcome } from '../runtime/tally';
import type { Federation, GroupTrained, SegmentWeights, TrainingGroup } from '../schedule/federation';
import { singleClientGroup, WeightsRefusedError } from '../schedule/federation';
import { createRole, disposeRole, type ClientRole, type RoleOptions } from '../segment/roles';
import type { RolePlans } from '../topology/role_plans';
import type { GradientNoise } from '../privacy/gradient_noise';
import { LabelLeakTally } from '../privacy/label_leakage';
import { defendedServerLink } from '../privacy/server_defences';

export interface SimulatedClient {
  id: string;
  data: Dataset;
}

export interface InProcessFederationOptions extends RoleOptions {
  plans: RolePlans;
  clients: SimulatedClient[];
  /** The training groups; each client is its own group when absent (horizontal topologies). */
  groups?: TrainingGroup[];
  batchSize: number;
  /** Encoding of cut tensors; weights always travel as fp32. */
  encoding: Encoding;
  meter: TrafficMeter;
  /** Called after every training step with what the loss-holding role reported. */
  onStep?: (step: { groupId: string; outcome: StepOutcome }) => void;
  /** A vertical study whose server holds the labels: its label rows, in the parties' aligned training order. */
  serverLabels?: Dataset;
  /** Noise the server adds to the cut gradients it returns (privacy/gradient_noise.ts). */
  gradientNoise?: GradientNoise;
}

/**
 * All participants of a study in one process: the simulator's and the tests' federation.
 * A group's epoch runs the runtime's client and server loops side by side, through the real
 * codec: one client per group in the horizontal topologies, the aligned parties in vertical.
 */
export class InProcessFederation implements Federation {
  readonly groups: TrainingGroup[];
  /** The schedule round being run: with the group, it seeds the batch order. */
  round = 0;
  private readonly clientRoles = new Map<string, ClientRole>();
  private readonly clientData = new Map<string, Dataset>();
  readonly servers: ServerPool;
  /** This round's label-leak scores (a binary task's training steps), as the relay keeps them; reset by whoever runs the rounds. */
  leak: LabelLeakTally | undefined;

  constructor(private readonly options: InProcessFederationOptions) {
    this.groups = options.groups ?? options.clients.map((client) => singleClientGroup(client.id, client.data.samples.length));
    for (const client of options.clients) {
      this.clientRoles.set(client.id, createRole('client', options.plans.client(client.id), options));
      this.clientData.set(client.id, client.data);
    }
    this.servers = new ServerPool(() => createRole('server', options.plans.server, options));
    this.leak = options.plans.numClasses === 2 ? new LabelLeakTally(1) : undefined;
  }

  get sharedServer(): ServerCopy {
    return this.servers.shared;
  }

  clientRole(clientId: string): ClientRole {
    const role = this.clientRoles.get(clientId);
    if (!role) throw new Error(`no client '${clientId}' in this federation`);
    return role;
  }

  private data(clientId: string): Dataset {
    const data = this.clientData.get(clientId);
    if (!data) throw new Error(`no client '${clientId}' in this federation`);
    return data;
  }

  async trainGroup(group: TrainingGroup, serverKey: string): Promise<GroupTrained> {
    const { plans, batchSize, seed, encoding, meter, onStep } = this.options;
    // The parties of a vertical group hold their rows in one order: the same permutation aligns their batches.
    const key = { seed, group: group.id, round: this.round };
    const members = group.members.map((id) => {
      const data = this.data(id);
      return { id, role: this.clientRole(id), batches: trainingBatches(data.samples, batchSize, key), sampleShape: data.sampleShape, holdsLabels: plans.holdsLabels(id) };
    });
    const { serverLabels } = this.options;
    const { server } = await runInProcessEpoch({
      topology: plans.topology,
      members,
      server: this.servers.copy(serverKey),
      phase: 'train',
      key,
      steps: Math.max(...members.map((member) => member.batches.length)),
      numClasses: plans.numClasses,
      ...(plans.taskClasses ? { taskClasses: plans.taskClasses } : {}),
      encoding,
      meter,
      wiring: plans.wiring(group.members),
      serverLink: (link) => defendedServerLink(link, { ...(this.leak ? { leak: this.leak } : {}), ...(this.options.gradientNoise ? { gradientNoise: this.options.gradientNoise } : {}) }),
      ...(serverLabels ? { serverLabels: batchLabels(trainingBatches(serverLabels.samples, batchSize, key)) } : {}),
      ...(onStep ? { onStep: (outcome: StepOutcome) => onStep({ groupId: group.id, outcome }) } : {}),
    });
    return { samples: server.samples };
  }

  readServerWeights(serverKey: string): Promise<SegmentWeights> {
    return Promise.resolve(this.servers.read(serverKey));
  }

  writeServerWeights(serverKey: string, weights: SegmentWeights): Promise<void> {
    this.servers.write(serverKey, weights);
    return Promise.resolve();
  }

  averageServerCopies(keys: readonly string[], sampleCounts: readonly number[], into: string): Promise<void> {
    this.servers.average(keys, sampleCounts, into);
    return Promise.resolve();
  }

  /** Weights cross the (simulated) wire as real codec bundles, one per segment, and are metered. */
  private transfer(clientId: string, direction: 'up' | 'down', weights: SegmentWeights): SegmentWeights {
    return weights.map((segment) => {
      const bundle = encodeWeights(segment);
      this.options.meter.record({ participantId: clientId, direction, kind: 'weights', bytes: bundle.byteLength });
      return decodeWeights(bundle);
    });
  }

  readGroupWeights(group: TrainingGroup): Promise<SegmentWeights> {
    return Promise.resolve(group.members.flatMap((id) => this.transfer(id, 'up', this.clientRole(id).segments.map((segment) => readWeights(segment.model)))));
  }

  writeGroupWeights(group: TrainingGroup, weights: SegmentWeights): Promise<void> {
    let next = 0;
    for (const id of group.members) {
      const { segments } = this.clientRole(id);
      const received = this.transfer(id, 'down', weights.slice(next, next + segments.length));
      next += segments.length;
      try {
        segments.forEach((segment, i) => writeWeights(segment.model, received[i] ?? []));
      } catch (error) {
        return Promise.reject(new WeightsRefusedError(`client ${id} could not load the weights it was handed: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
    return Promise.resolve();
  }

  dispose(): void {
    for (const role of this.clientRoles.values()) disposeRole(role);
    this.servers.dispose();
  }
}
