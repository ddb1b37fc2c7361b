import * as tf from '@tensorflow/tfjs';
import type { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import { batchToTensors, epochBatches } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { createRng, deriveSeed } from '../data/random';
import { readWeights, writeWeights } from '../model/weights';
import { decodeWeights, encodeWeights } from '../model/weights_frames';
import type { Federation, FederationClient, SegmentWeights } from '../schedule/federation';
import { SHARED_SERVER } from '../schedule/federation';
import { createInProcessLinkPair } from '../topology/in_process_link';
import type { ClientRole, ServerRole } from '../topology/topology';
import { Lock } from './lock';
import { createClientRole, createServerRole, disposeRole, type RoleOptions, type SplitPlan } from './roles';

export interface SimulatedClient {
  id: string;
  data: Dataset;
}

export interface InProcessFederationOptions extends RoleOptions {
  split: SplitPlan;
  clients: SimulatedClient[];
  batchSize: number;
  /** Encoding of cut tensors; weights always travel as fp32. */
  encoding: Encoding;
  meter: TrafficMeter;
  /** Called after every training step with the loss the loss-holding role computed. */
  onStep?: (step: { clientId: string; loss: number; samples: number }) => void;
}

interface ServerCopy {
  role: ServerRole;
  lock: Lock;
}

const WEIGHT_LIMITS = { maxFrameBytes: 1024 * 1024 * 1024, maxTensors: 10_000 };

/** All participants of a study in one process: the simulator's and the tests' federation. */
export class InProcessFederation implements Federation {
  readonly clients: FederationClient[];
  private readonly clientRoles = new Map<string, ClientRole>();
  private readonly clientData = new Map<string, Dataset>();
  private readonly servers = new Map<string, ServerCopy>();
  private readonly epochs = new Map<string, number>();

  constructor(private readonly options: InProcessFederationOptions) {
    this.clients = options.clients.map((client) => ({ id: client.id, sampleCount: client.data.samples.length }));
    for (const client of options.clients) {
      this.clientRoles.set(client.id, createClientRole(options.split, options));
      this.clientData.set(client.id, client.data);
    }
    this.servers.set(SHARED_SERVER, { role: createServerRole(options.split, options), lock: new Lock() });
  }

  get sharedServer(): ServerRole {
    return this.server(SHARED_SERVER).role;
  }

  clientRole(clientId: string): ClientRole {
    const role = this.clientRoles.get(clientId);
    if (!role) throw new Error(`no client '${clientId}' in this federation`);
    return role;
  }

  private server(key: string): ServerCopy {
    const copy = this.servers.get(key);
    if (!copy) throw new Error(`no server copy '${key}'`);
    return copy;
  }

  async trainLocalEpoch(clientId: string, serverKey: string): Promise<void> {
    const { split, batchSize, seed, encoding, meter, onStep } = this.options;
    const client = this.clientRole(clientId);
    const server = this.server(serverKey);
    const data = this.clientData.get(clientId) as Dataset;
    const epoch = this.epochs.get(clientId) ?? 0;
    this.epochs.set(clientId, epoch + 1);
    const batches = epochBatches(data.samples, batchSize, createRng(deriveSeed(seed, 'batches', clientId, epoch)));
    const numClasses = split.spec.numClasses;
    for (const batch of batches) {
      await server.lock.run(async () => {
        const tensors = batchToTensors(batch, data.sampleShape, numClasses);
        const link = createInProcessLinkPair({ encoding, participantId: clientId, meter });
        try {
          const [clientResult, serverResult] = await Promise.all([
            split.topology.clientTrainStep(client, link.client, { x: tensors.x, labels: tensors.labels }),
            split.topology.serverTrainStep(server.role, [link.server]),
          ]);
          onStep?.({ clientId, loss: clientResult.loss ?? serverResult.loss ?? Number.NaN, samples: batch.length });
        } finally {
          tf.dispose([tensors.x, tensors.labels]);
        }
      });
    }
  }

  readServerWeights(serverKey: string): Promise<SegmentWeights> {
    return Promise.resolve(this.server(serverKey).role.segments.map((segment) => readWeights(segment.model)));
  }

  writeServerWeights(serverKey: string, weights: SegmentWeights): Promise<void> {
    let copy = this.servers.get(serverKey);
    if (!copy) {
      copy = { role: createServerRole(this.options.split, this.options), lock: new Lock() };
      this.servers.set(serverKey, copy);
    }
    copy.role.segments.forEach((segment, i) => writeWeights(segment.model, weights[i] ?? []));
    return Promise.resolve();
  }

  /** Weights cross the (simulated) wire as real codec bundles, one per segment, and are metered. */
  private transfer(clientId: string, direction: 'up' | 'down', weights: SegmentWeights): SegmentWeights {
    return weights.map((segment) => {
      const bundle = encodeWeights(segment);
      this.options.meter.record({ participantId: clientId, direction, kind: 'weights', bytes: bundle.byteLength });
      return decodeWeights(bundle, WEIGHT_LIMITS);
    });
  }

  readClientWeights(clientId: string): Promise<SegmentWeights> {
    const weights = this.clientRole(clientId).segments.map((segment) => readWeights(segment.model));
    return Promise.resolve(this.transfer(clientId, 'up', weights));
  }

  writeClientWeights(clientId: string, weights: SegmentWeights): Promise<void> {
    const received = this.transfer(clientId, 'down', weights);
    this.clientRole(clientId).segments.forEach((segment, i) => writeWeights(segment.model, received[i] ?? []));
    return Promise.resolve();
  }

  dispose(): void {
    for (const role of this.clientRoles.values()) disposeRole(role);
    for (const copy of this.servers.values()) disposeRole(copy.role);
  }
}
