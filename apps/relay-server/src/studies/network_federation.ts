import { randomUUID } from 'node:crypto';
import { baselines, model, privacy, protocol, runtime, study as studyLib, topology, type accounting, schedule } from '@splitlearn/split-core';
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
  /** Called when a group's epoch finishes, with its result (train loss, eval metrics). */
  onEpochDone?: (group: schedule.TrainingGroup, phase: 'train' | 'eval', result: GroupEpochResult) => void;
  /** A participant reported why it failed: its own text, for the relay's log. */
  onParticipantError?: (participantId: string, error: { code: string; message: string }) => void;
  /** How long a weights upload or download may take. */
  transferTimeoutMs: number;
  /** Called when a client enters or leaves an epoch (its status in the clients table). */
  onEpochChange?: (participantId: string) => void;
  /** A vertical study whose server holds the labels: each batch's labels for a group's epoch. */
  serverLabels?: (group: schedule.TrainingGroup, phase: 'train' | 'eval') => number[][] | undefined;
  /** Who feeds whom in a group, and which members' batches carry the labels (split-core's role plans). */
  roles?: { wiring(group: schedule.TrainingGroup): topology.GroupWiring; holdsLabels(participantId: string): boolean };
}

/** What the server counted over a group's epoch, and what each member replied, in member order. */
export interface GroupEpochResult extends EpochResult {
  replies: Extract<protocol.EpochReply, { ok: true }>[];
}

export class ParticipantGoneError extends Error {
  constructor(participantId: string, what: string) {
    super(`participant ${participantId} is not connected (${what})`);
    this.name = 'ParticipantGoneError';
  }
}

// Schedules hand the same weight sets to many groups (a FedAvg to every client, a hand-off
// to each next one): each set is hashed once.
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

/** A segment's weights as they travel and are stored: a sealed hand-off as its sealed bytes, anything else as an fp32 bundle. */
export function segmentBundle(segment: schedule.SegmentWeights[number]): Uint8Array {
  return privacy.sealedBytes(segment) ?? model.encodeWeights(segment);
}

/** Back from a stored or received bundle to what the schedules carry. */
export function bundleSegment(bundle: Uint8Array): schedule.SegmentWeights[number] {
  return privacy.isSealed(bundle) ? privacy.sealedSegment(bundle) : model.decodeWeights(bundle);
}

/** Each member's share of a group's weights: its client segments, member by member. */
function memberSlices(group: schedule.TrainingGroup, weights: schedule.SegmentWeights): schedule.SegmentWeights[] {
  // A group of one holds all of it: the same object, so its digest is computed once.
  if (group.members.length === 1) return [weights];
  const each = weights.length / group.members.length;
  if (!Number.isInteger(each)) throw new Error(`${weights.length} segment weight sets do not divide among the ${group.members.length} members of group ${group.id}`);
  return group.members.map((_, i) => weights.slice(i * each, (i + 1) * each));
}

/** A group's wiring as the wire carries it. */
function wireStages(wiring: topology.GroupWiring): protocol.Stage[] {
  return wiring.stages.map((stage) => (stage.kind === 'hop' ? { kind: 'hop', from: [...stage.from], feeds: stage.feeds } : { kind: 'data', feeds: stage.feeds }));
}

export class NetworkFederation implements schedule.Federation {
  /** Large-batch SGD: this round's step barrier over every group's member, made at the first training epoch. */
  private gradientSync: baselines.GradientSync | undefined;

  constructor(
    private readonly context: NetworkFederationContext,
    readonly groups: schedule.TrainingGroup[],
  ) {}

  /** Steps a member takes over its own data in this phase (a baseline's local epochs included). */
  private ownSteps(session: ParticipantSession, phase: 'train' | 'eval'): number {
    const { config } = this.context;
    if (phase === 'eval') return runtime.stepsPerRound(session.valCount, config.batchSize);
    const passes = studyLib.studyMethod(config).localEpochs && 'localEpochs' in config ? (config.localEpochs ?? 1) : 1;
    return passes * runtime.stepsPerRound(session.trainCount, config.batchSize, config.maxStepsPerRound);
  }

  /**
   * Large-batch SGD: one client's gradients for a step of this round; resolves to the bundle
   * of the step's average once every training client sent its own. Checked before they count:
   * a bad bundle fails its sender only.
   */
  async syncGradients(participantId: string, header: protocol.GradientsHeader, bundle: Uint8Array | undefined): Promise<Uint8Array> {
    const sync = this.gradientSync;
    if (!sync || header.round !== this.context.round) throw new baselines.GradientSyncError(`no large-batch step of round ${header.round} is open`);
    let gradients: model.NamedWeight[] = [];
    if (bundle) {
      this.context.meter.record({ participantId, direction: 'up', kind: 'gradients', bytes: bundle.byteLength });
      gradients = model.decodeWeights(bundle);
    }
    const average = model.encodeWeights([...(await sync.submit(participantId, header.step, header.samples, gradients))]);
    this.context.meter.record({ participantId, direction: 'down', kind: 'gradients', bytes: average.byteLength });
    return average;
  }

  /** The barrier every training client of the round steps through (large-batch SGD), made once. */
  private openGradientSync(): baselines.GradientSync {
    if (!this.gradientSync) {
      const steps = new Map(this.groups.flatMap((group) => group.members.map((id) => [id, this.context.session(id) ? this.ownSteps(this.context.session(id) as ParticipantSession, 'train') : 0] as const)));
      this.gradientSync = new baselines.GradientSync(steps, this.context.host.clientLayout(0)[0]);
    }
    return this.gradientSync;
  }

  /**
   * A baseline's epoch: the members train (or score) the whole model on their own, with no
   * server segment; in large-batch SGD their gradients meet at every step (syncGradients).
   */
  private async runLocalEpoch(group: schedule.TrainingGroup, phase: 'train' | 'eval'): Promise<GroupEpochResult> {
    await this.context.whileRunning();
    const { config, round, studyId } = this.context;
    const sessions = group.members.map((id) => this.connected(id, `${phase} epoch`));
    const sync = phase === 'train' && studyLib.studyMethod(config).syncsGradients ? this.openGradientSync() : undefined;
    // Every client takes each of the round's steps (one without a batch applies the others' average).
    const roundSteps = sync ? Math.max(0, ...this.groups.flatMap((other) => other.members.map((id) => { const member = this.context.session(id); return member ? this.ownSteps(member, 'train') : 0; }))) : undefined;
    const epochId = randomUUID();
    try {
      const replies = await Promise.all(
        sessions.map(async (session) => {
          session.epochId = epochId;
          session.stepsDone = 0;
          if (phase === 'train') session.clientWeightsDigest = undefined;
          this.context.onEpochChange?.(session.participantId);
          const steps = roundSteps ?? this.ownSteps(session, phase);
          try {
            return await this.startEpoch(session, { studyId, round, steps, phase, codec: config.codec, group: group.id });
          } finally {
            // Done or gone: the other clients' steps no longer wait for this one.
            sync?.leave(session.participantId, 'ended its epoch');
          }
        }),
      );
      // Nobody can check what a client trained on its own: it weighs in an average by the samples it declared, capped at what its steps hold.
      const samples = sessions.reduce((sum, session) => sum + Math.min(phase === 'train' ? session.trainCount : session.valCount, this.ownSteps(session, phase) * config.batchSize), 0);
      const losses = replies.flatMap((reply) => (reply.loss !== undefined ? [reply.loss] : []));
      const result: GroupEpochResult = { steps: Math.max(0, ...replies.map((reply) => reply.steps)), samples, replies, ...(losses.length > 0 ? { loss: losses.reduce((sum, loss) => sum + loss, 0) / losses.length } : {}) };
      this.context.onEpochDone?.(group, phase, result);
      return result;
    } finally {
      for (const session of sessions) {
        session.epochId = undefined;
        this.context.onEpochChange?.(session.participantId);
      }
    }
  }

  private connected(participantId: string, what: string): ParticipantSession {
    const session = this.context.session(participantId);
    if (!session || session.status === 'disconnected') throw new ParticipantGoneError(participantId, what);
    return session;
  }

  async trainGroup(group: schedule.TrainingGroup, serverKey: string): Promise<schedule.GroupTrained> {
    const result = await this.runGroupEpoch(group, serverKey, 'train');
    return { samples: result.samples ?? 0 };
  }

  /** One epoch of steps between a group's participants and a server copy, in either phase. */
  async runGroupEpoch(group: schedule.TrainingGroup, serverKey: string, phase: 'train' | 'eval'): Promise<GroupEpochResult> {
    if (!studyLib.studyMethod(this.context.config).serverSegment) return this.runLocalEpoch(group, phase);
    await this.context.whileRunning();
    const { config, host, round, studyId } = this.context;
    const sessions = group.members.map((id) => this.connected(id, `${phase} epoch`));
    // Where members feed members (multi-hop, extended vanilla), each is told who feeds whom.
    const roles = this.context.roles;
    const wiring = roles?.wiring(group);
    const hops = wiring?.stages.some((stage) => stage.kind === 'hop') ? wiring : undefined;
    const labelHolders = group.members.flatMap((id, index) => (roles?.holdsLabels(id) ? [index] : []));
    // The members holding rows agree on the count (a vertical group's parties hold the same rows); intermediates hold none.
    const holders = sessions.filter((_, index) => hops?.stages[index]?.kind !== 'hop');
    const samples = Math.min(...holders.map((session) => (phase === 'train' ? session.trainCount : session.valCount)));
    const steps = runtime.stepsPerRound(samples, config.batchSize, phase === 'train' ? config.maxStepsPerRound : undefined);
    const epochId = randomUUID();
    const crossings = hops ? topology.memberWirePlans(hops, topology.getTopologyDescriptor(config.topology), (index) => labelHolders.includes(index), phase) : undefined;
    const stages = hops ? wireStages(hops) : undefined;
    for (const [index, session] of sessions.entries()) {
      session.epochId = epochId;
      session.edges = crossings ? { index, members: group.members, crossings: crossings[index] ?? [] } : undefined;
      session.stepsDone = 0;
      // Training changes the client's weights: what it holds is unknown until it reports or sends them.
      if (phase === 'train') session.clientWeightsDigest = undefined;
      this.context.onEpochChange?.(session.participantId);
    }
    const serverLabels = this.context.serverLabels?.(group, phase);
    const serverSide = host.runEpoch({
      epochId,
      members: [...group.members],
      serverKey,
      round,
      phase,
      steps,
      receiveTimeoutMs: this.context.receiveTimeoutMs,
      encoding: config.codec,
      ...(serverLabels ? { serverLabels } : {}),
      ...(stages ? { wiring: { stages, labelHolders } } : {}),
    });
    // Handled below; without this a server-side failure while the clients' replies are pending
    // would count as an unhandled rejection.
    serverSide.catch(() => undefined);
    // The clients' replies are not waited for beyond the server's side of the epoch: when it
    // fails (a client stopped sending, a frame was refused) the epoch fails at once, and once it
    // is done each member has one receive timeout to report, not the whole acknowledgement timeout.
    let grace: ReturnType<typeof setTimeout> | undefined;
    const serverBound = serverSide.then(
      () =>
        new Promise<never>((_, reject) => {
          grace = setTimeout(() => reject(new Error(`a member of group ${group.id} did not report the end of its ${phase} epoch within ${this.context.receiveTimeoutMs} ms of the server's last step`)), this.context.receiveTimeoutMs);
        }),
    );
    try {
      const replies = await Promise.race([serverBound, Promise.all(
        sessions.map(async (session, index) => {
          return this.startEpoch(session, { studyId, round, steps, phase, codec: config.codec, group: group.id, ...(stages ? { wiring: { index, stages } } : {}) });
        }),
      )]);
      const result = { ...(await serverSide), replies };
      this.context.onEpochDone?.(group, phase, result);
      return result;
    } catch (error) {
      host.abort(epochId, error instanceof Error ? error.message : String(error));
      await serverSide.catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(grace);
      for (const session of sessions) {
        session.epochId = undefined;
        session.edges = undefined;
        this.context.onEpochChange?.(session.participantId);
      }
    }
  }

  /** Runs an epoch on one member and takes its reply: a failure it reports fails its group, its words going to the log only. */
  private async startEpoch(session: ParticipantSession, start: protocol.EpochStart): Promise<Extract<protocol.EpochReply, { ok: true }>> {
    const reply = await this.untilGone(session, session.socket.timeout(this.context.ackTimeoutMs).emitWithAck('epoch:start', start), 'epoch:start');
    const parsed = protocol.EpochReplySchema.safeParse(reply);
    if (!parsed.success) throw new Error(`participant ${session.participantId} sent a malformed epoch reply`);
    if (!parsed.data.ok) {
      // Failure reasons in the study's record are shown to every viewer of the study.
      this.context.onParticipantError?.(session.participantId, parsed.data.error);
      throw new Error(`participant ${session.participantId} did not complete the ${start.phase} epoch (it reported a failure: see the relay's log)`);
    }
    if (parsed.data.weightsDigest) session.clientWeightsDigest = parsed.data.weightsDigest;
    return parsed.data;
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
    return bundles.map((bundle) => model.decodeWeights(bundle));
  }

  async writeServerWeights(serverKey: string, weights: schedule.SegmentWeights): Promise<void> {
    await this.context.host.writeServer(
      serverKey,
      weights.map((segment) => model.encodeWeights(segment)),
    );
  }

  async averageServerCopies(keys: readonly string[], sampleCounts: readonly number[], into: string): Promise<void> {
    await this.context.host.averageServers(keys, sampleCounts, into);
  }

  async readGroupWeights(group: schedule.TrainingGroup): Promise<schedule.SegmentWeights> {
    const perMember = await Promise.all(group.members.map((id) => this.readClientWeights(id)));
    return perMember.flat();
  }

  /** `trainedRounds`: the weights are from an earlier round than the study's (its best, handed over at the end), after this many rounds. */
  async writeGroupWeights(group: schedule.TrainingGroup, weights: schedule.SegmentWeights, trainedRounds?: number): Promise<void> {
    const slices = memberSlices(group, weights);
    await Promise.all(group.members.map((id, i) => this.writeClientWeights(id, slices[i] ?? [], trainedRounds)));
  }

  /** Whether every member holds exactly its share of these group weights, as far as the relay knows. */
  holds(group: schedule.TrainingGroup, weights: schedule.SegmentWeights): boolean {
    const slices = memberSlices(group, weights);
    return group.members.every((id, i) => this.context.session(id)?.clientWeightsDigest === digestOf(slices[i] ?? []));
  }

  /** The digest each member of the group should report for its share of these weights. */
  memberDigests(group: schedule.TrainingGroup, weights: schedule.SegmentWeights): string[] {
    return memberSlices(group, weights).map((slice) => digestOf(slice));
  }

  private async readClientWeights(clientId: string): Promise<schedule.SegmentWeights> {
    const session = this.connected(clientId, 'weights upload');
    const header = { studyId: this.context.studyId, round: this.context.round, segments: 0 };
    const reply = await this.untilGone(session, session.socket.timeout(this.context.transferTimeoutMs).emitWithAck('weights:request', header), 'weights:request');
    if (typeof reply !== 'object' || reply === null || !('ok' in reply) || reply.ok !== true || !('bundles' in reply) || !Array.isArray(reply.bundles)) {
      throw new Error(`participant ${clientId} did not send its weights`);
    }
    const sealed = this.context.config.handoffKeyCheck !== undefined;
    const weights = (reply.bundles as unknown[]).map((bundle) => {
      if (!(bundle instanceof Uint8Array) && !(bundle instanceof ArrayBuffer)) throw new Error(`participant ${clientId} sent weights that are not binary`);
      const bytes = toBytes(bundle);
      this.context.meter.record({ participantId: clientId, direction: 'up', kind: 'weights', bytes: bytes.byteLength });
      if (!sealed) return model.decodeWeights(bytes);
      // The relay cannot read an encrypted hand-off: it checks the envelope and carries the bytes on.
      if (!privacy.isSealed(bytes)) throw new Error(`participant ${clientId} sent its weights unencrypted in a study whose hand-off is end-to-end encrypted: they were not passed on`);
      return privacy.sealedSegment(bytes);
    });
    // Checked here, inside the schedule's per-group settling: a bad upload fails its sender only.
    if (sealed) {
      const segments = this.context.host.clientLayout(session.party ?? 0).length;
      if (weights.length !== segments) throw new Error(`participant ${clientId} sent ${weights.length} sealed weight bundles, not its ${segments}`);
    } else {
      model.requireWeightLayout(weights, this.context.host.clientLayout(session.party ?? 0), `participant ${clientId}`);
    }
    session.clientWeightsDigest = digestOf(weights);
    return weights;
  }

  private async writeClientWeights(clientId: string, weights: schedule.SegmentWeights, trainedRounds?: number): Promise<void> {
    const session = this.connected(clientId, 'weights download');
    const bundles = weights.map((segment) => segmentBundle(segment));
    for (const bundle of bundles) this.context.meter.record({ participantId: clientId, direction: 'down', kind: 'weights', bytes: bundle.byteLength });
    const header = { studyId: this.context.studyId, round: this.context.round, segments: bundles.length, ...(trainedRounds !== undefined ? { trainedRounds } : {}) };
    const reply = await this.untilGone(session, session.socket.timeout(this.context.transferTimeoutMs).emitWithAck('weights:apply', header, bundles), 'weights:apply');
    if (typeof reply !== 'object' || reply === null || !('ok' in reply) || reply.ok !== true) {
      // Its own words go to the log only (they are shown to every viewer of the study's record).
      const reason = typeof reply === 'object' && reply !== null && 'error' in reply ? (reply as { error?: { message?: unknown } }).error?.message : undefined;
      if (typeof reason === 'string') this.context.onParticipantError?.(clientId, { code: 'bad-message', message: reason });
      throw new schedule.WeightsRefusedError(`participant ${clientId} could not load the weights it was handed`);
    }
    session.clientWeightsDigest = digestOf(weights);
  }
}
