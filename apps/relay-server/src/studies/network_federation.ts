import { randomUUID } from 'node:crypto';
import { model, network, protocol, type accounting, type schedule } from '@splitlearn/split-core';
import type { EpochResult, SegmentHost } from '../segments/segment_host';
import type { WireLog } from '../socket/wire_log';
import type { ParticipantSession } from './participant_session';

// The schedules of split-core run unchanged over the network: this Federation turns their
// calls into socket messages to participants and requests to the study's segment worker.

export interface NetworkFederationContext {
  studyId: string;
  round: number;
  config: protocol.StudyConfig;
  host: SegmentHost;
  meter: accounting.TrafficMeter;
  session(participantId: string): ParticipantSession | undefined;
  /** Waits while the study is paused; rejects when it is stopped. */
  whileRunning(): Promise<void>;
  ackTimeoutMs: number;
  receiveTimeoutMs: number;
  wireLog?: WireLog;
  /** Called when a client's epoch finishes, with its result (train loss, eval metrics). */
  onEpochDone?: (participantId: string, phase: 'train' | 'eval', result: EpochResult & { clientMetrics?: protocol.EpochReply }) => void;
  /** Called when a client enters or leaves an epoch (its status in the clients table). */
  onEpochChange?: (participantId: string) => void;
}

export class ParticipantGoneError extends Error {
  constructor(participantId: string, what: string) {
    super(`participant ${participantId} is not connected (${what})`);
    this.name = 'ParticipantGoneError';
  }
}

const WEIGHT_LIMITS = { maxFrameBytes: 1024 * 1024 * 1024, maxTensors: 10_000 };

// Schedules hand the same weight sets to many participants (a FedAvg to every client, a
// hand-off to each next one): each set is hashed once.
const digests = new WeakMap<schedule.SegmentWeights, string>();

export function digestOf(weights: schedule.SegmentWeights): string {
  let digest = digests.get(weights);
  if (digest === undefined) {
    digest = model.weightsDigest(weights);
    digests.set(weights, digest);
  }
  return digest;
}

function toBytes(payload: protocol.Binary): Uint8Array {
  return payload instanceof Uint8Array ? payload : new Uint8Array(payload);
}

export class NetworkFederation implements schedule.Federation {
  constructor(
    private readonly context: NetworkFederationContext,
    readonly clients: schedule.FederationClient[],
  ) {}

  private connected(participantId: string, what: string): ParticipantSession {
    const session = this.context.session(participantId);
    if (!session || session.status === 'disconnected') throw new ParticipantGoneError(participantId, what);
    return session;
  }

  trainLocalEpoch(clientId: string, serverKey: string): Promise<void> {
    return this.runEpoch(clientId, serverKey, 'train').then(() => undefined);
  }

  /** One epoch of steps between a participant and the server segment, in either phase. */
  async runEpoch(participantId: string, serverKey: string, phase: 'train' | 'eval'): Promise<EpochResult & { clientMetrics?: protocol.EpochReply }> {
    await this.context.whileRunning();
    const { config, host, round, studyId } = this.context;
    const session = this.connected(participantId, `${phase} epoch`);
    const steps = phase === 'train' ? network.stepsPerRound(session.trainCount, config.batchSize, config.maxStepsPerRound) : network.stepsPerRound(session.valCount, config.batchSize);
    const epochId = randomUUID();
    session.epochId = epochId;
    // Training changes the client's weights: what it holds is unknown until it reports or sends them.
    if (phase === 'train') session.clientWeightsDigest = undefined;
    session.stepsDone = 0;
    this.context.onEpochChange?.(participantId);
    const serverSide = host.runEpoch({ epochId, participantId, serverKey, round, phase, steps, receiveTimeoutMs: this.context.receiveTimeoutMs, encoding: config.codec });
    // Handled below; without this a server-side failure while the client's reply is pending
    // would count as an unhandled rejection.
    serverSide.catch(() => undefined);
    try {
      const reply = await this.untilGone(session, session.socket.timeout(this.context.ackTimeoutMs).emitWithAck('epoch:start', { studyId, round, steps, phase, codec: config.codec }), 'epoch:start');
      const parsed = protocol.EpochReplySchema.safeParse(reply);
      if (!parsed.success) throw new Error(`participant ${participantId} sent a malformed epoch reply`);
      if (!parsed.data.ok) throw new Error(`participant ${participantId} did not complete the ${phase} epoch: ${parsed.data.error.message}`);
      if (parsed.data.weightsDigest) session.clientWeightsDigest = parsed.data.weightsDigest;
      const result = await serverSide;
      const combined = { ...result, clientMetrics: parsed.data };
      this.context.onEpochDone?.(participantId, phase, combined);
      return combined;
    } catch (error) {
      host.abort(epochId, error instanceof Error ? error.message : String(error));
      await serverSide.catch(() => undefined);
      throw error;
    } finally {
      session.epochId = undefined;
      this.context.onEpochChange?.(participantId);
    }
  }

  /** Waits for `pending` unless the participant disconnects first. */
  private async untilGone<T>(session: ParticipantSession, pending: Promise<T>, event: string): Promise<unknown> {
    const gone = new Promise<never>((_, reject) => (session.abandon = reject));
    const reply = await Promise.race([pending, gone]).finally(() => (session.abandon = undefined));
    session.lastSeen = Date.now();
    this.context.wireLog?.record(session.socket, `ack:${event}`, [reply]);
    return reply;
  }

  async readServerWeights(serverKey: string): Promise<schedule.SegmentWeights> {
    const bundles = await this.context.host.readServer(serverKey);
    return bundles.map((bundle) => model.decodeWeights(bundle, WEIGHT_LIMITS));
  }

  async writeServerWeights(serverKey: string, weights: schedule.SegmentWeights): Promise<void> {
    await this.context.host.writeServer(
      serverKey,
      weights.map((segment) => model.encodeWeights(segment)),
    );
  }

  async readClientWeights(clientId: string): Promise<schedule.SegmentWeights> {
    const session = this.connected(clientId, 'weights upload');
    const header = { studyId: this.context.studyId, round: this.context.round, segments: 0 };
    const reply = await this.untilGone(session, session.socket.timeout(this.context.ackTimeoutMs).emitWithAck('weights:request', header), 'weights:request');
    if (typeof reply !== 'object' || reply === null || !('ok' in reply) || reply.ok !== true || !('bundles' in reply) || !Array.isArray(reply.bundles)) {
      throw new Error(`participant ${clientId} did not send its weights`);
    }
    const weights = (reply.bundles as unknown[]).map((bundle) => {
      if (!(bundle instanceof Uint8Array) && !(bundle instanceof ArrayBuffer)) throw new Error(`participant ${clientId} sent weights that are not binary`);
      const bytes = toBytes(bundle);
      this.context.meter.record({ participantId: clientId, direction: 'up', kind: 'weights', bytes: bytes.byteLength });
      return model.decodeWeights(bytes, WEIGHT_LIMITS);
    });
    session.clientWeightsDigest = digestOf(weights);
    return weights;
  }

  async writeClientWeights(clientId: string, weights: schedule.SegmentWeights): Promise<void> {
    const session = this.connected(clientId, 'weights download');
    const bundles = weights.map((segment) => model.encodeWeights(segment));
    for (const bundle of bundles) this.context.meter.record({ participantId: clientId, direction: 'down', kind: 'weights', bytes: bundle.byteLength });
    const header = { studyId: this.context.studyId, round: this.context.round, segments: bundles.length };
    const reply = await this.untilGone(session, session.socket.timeout(this.context.ackTimeoutMs).emitWithAck('weights:apply', header, bundles), 'weights:apply');
    if (typeof reply !== 'object' || reply === null || !('ok' in reply) || reply.ok !== true) {
      throw new Error(`participant ${clientId} could not load the weights`);
    }
    session.clientWeightsDigest = digestOf(weights);
  }

  /** Whether the participant holds exactly these client weights, as far as the relay knows. */
  holds(clientId: string, weights: schedule.SegmentWeights): boolean {
    return this.context.session(clientId)?.clientWeightsDigest === digestOf(weights);
  }
}
