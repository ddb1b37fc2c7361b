import { accounting, metrics as metricsLib, model, schedule as scheduleLib, type protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import { SegmentHost } from '../segments/segment_host';
import type { RelayServer } from '../socket/types';
import type { WireLog } from '../socket/wire_log';
import { NetworkFederation, ParticipantGoneError, type NetworkFederationContext } from './network_federation';
import type { ParticipantSession } from './participant_session';
import type { StudyPersistence } from './persistence';

// One study while the relay runs: its participants, its segment worker, its state machine
// (open -> training <-> paused -> finished) and the loop that runs the schedule round after
// round. Training logic lives in split-core; this is the wiring.

export interface StudyRuntimeOptions {
  id: string;
  config: protocol.StudyConfig;
  state: protocol.StudyState;
  round: number;
  io: RelayServer;
  persistence: StudyPersistence;
  log: Logger;
  timeouts: { ackMs: number; receiveMs: number };
  wireLog?: WireLog;
  /** Restored from the latest checkpoint. */
  checkpoint?: { server: Uint8Array[]; client?: Uint8Array[] };
}

export interface RoundSummary {
  round: number;
  trainLoss: number | null;
  val: Record<string, unknown> | null;
  seconds: number;
  samplesPerSecond: number;
  completed: string[];
  failed: { participantId: string; reason: string }[];
  traffic: accounting.TrafficSnapshot;
}

const WEIGHT_LIMITS = { maxFrameBytes: 1024 * 1024 * 1024, maxTensors: 10_000 };

export class StudyRuntime {
  readonly id: string;
  readonly config: protocol.StudyConfig;
  readonly meter = new accounting.TrafficMeter();
  readonly sessions = new Map<string, ParticipantSession>();
  private stateValue: protocol.StudyState;
  private roundValue: number;
  private readonly host: SegmentHost;
  private readonly schedule: scheduleLib.Schedule;
  private latestClientWeights: scheduleLib.SegmentWeights | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastSummary: RoundSummary | undefined;

  constructor(private readonly options: StudyRuntimeOptions) {
    this.id = options.id;
    this.config = options.config;
    this.stateValue = options.state;
    this.roundValue = options.round;
    this.latestClientWeights = options.checkpoint?.client?.map((bundle) => model.decodeWeights(bundle, WEIGHT_LIMITS));
    this.schedule =
      this.config.schedule === 'round-robin' ? new scheduleLib.RoundRobinSchedule(this.latestClientWeights) : scheduleLib.getSchedule(this.config.schedule);
    this.host = new SegmentHost(this.config, {
      onFrame: (participantId, epochId, header, payload) => this.sendFrame(participantId, epochId, header, payload),
      onRefused: (epochId, code, message) => this.refused(epochId, code, message),
      onFatal: (message) => options.log.error('segment worker failed', { study: this.id, message }),
    }, options.checkpoint?.server);
  }

  get state(): protocol.StudyState {
    return this.stateValue;
  }

  get round(): number {
    return this.roundValue;
  }

  get latestRound(): RoundSummary | undefined {
    return this.lastSummary;
  }

  info(): protocol.StudyInfo {
    return { id: this.id, config: this.config, state: this.stateValue, round: this.roundValue };
  }

  /** Starts the round loop (idempotent). */
  start(): void {
    this.loop ??= this.runLoop().catch((error: unknown) => {
      this.options.log.error('study loop stopped', { study: this.id, error: error instanceof Error ? error.message : String(error) });
    });
  }

  async addSession(session: ParticipantSession): Promise<void> {
    const previous = this.sessions.get(session.participantId);
    if (previous && previous.socket.id !== session.socket.id) previous.socket.disconnect(true);
    this.sessions.set(session.participantId, session);
    void session.socket.join(this.room);
    // A late joiner starts from the current client segment, not from the initial weights.
    if (this.latestClientWeights) {
      const federation = new NetworkFederation(this.federationContext(), []);
      await federation.writeClientWeights(session.participantId, this.latestClientWeights).catch((error: unknown) => {
        this.options.log.warn('could not send current weights to a late joiner', { study: this.id, participant: session.participantId, error: String(error) });
      });
    }
    this.broadcastState();
    this.wake?.();
  }

  markDisconnected(participantId: string, socketId: string): void {
    const session = this.sessions.get(participantId);
    if (!session || session.socket.id !== socketId) return;
    session.status = 'disconnected';
    if (session.epochId) this.hostAbort(session.epochId, `participant ${participantId} disconnected`);
    session.abandon?.(new ParticipantGoneError(participantId, 'disconnected'));
    this.broadcastState();
  }

  removeSession(participantId: string): void {
    const session = this.sessions.get(participantId);
    if (session?.epochId) this.hostAbort(session.epochId, `participant ${participantId} left`);
    session?.abandon?.(new ParticipantGoneError(participantId, 'left'));
    this.sessions.delete(participantId);
    this.broadcastState();
  }

  setParticipantStatus(participantId: string, status: 'ready' | 'paused'): void {
    const session = this.sessions.get(participantId);
    if (!session || session.status === 'disconnected') return;
    session.status = status;
    this.wake?.();
  }

  /** Routes a participant's step frame to its epoch; returns an error to send back, if refused. */
  routeFrame(participantId: string, header: protocol.StepHeader, payload: Uint8Array): protocol.RelayError | undefined {
    const session = this.sessions.get(participantId);
    if (!session?.epochId) return { code: 'out-of-order', message: 'no step is in progress for this participant', event: 'step:frame' };
    if (header.studyId !== this.id) return { code: 'out-of-order', message: `frame for study ${header.studyId}, but this participant is in ${this.id}`, event: 'step:frame' };
    this.meter.record({ participantId, direction: 'up', kind: header.kind, bytes: payload.byteLength });
    this.host.deliver(session.epochId, { ...header, studyId: '' }, payload);
    session.lastSeen = Date.now();
    return undefined;
  }

  control(action: 'start' | 'pause' | 'resume' | 'stop'): protocol.StudyState {
    const before = this.stateValue;
    if (action === 'stop') this.stateValue = 'finished';
    else if (this.stateValue === 'finished') throw new Error('the study is finished; create a new one to train again');
    else if (action === 'start' || action === 'resume') this.stateValue = 'training';
    else if (action === 'pause') this.stateValue = 'paused';
    if (before !== this.stateValue) {
      this.options.persistence.saveProgress(this.id, this.stateValue, this.roundValue);
      this.options.persistence.audit(this.id, 'researcher', `study ${action}`, { from: before, to: this.stateValue });
      this.broadcastState();
    }
    this.wake?.();
    return this.stateValue;
  }

  async shutdown(): Promise<void> {
    for (const session of this.sessions.values()) if (session.epochId) this.hostAbort(session.epochId, 'relay shutting down');
    await this.host.terminate();
  }

  private get room(): string {
    return `study:${this.id}`;
  }

  private hostAbort(epochId: string, reason: string): void {
    this.host.abort(epochId, reason);
  }

  private readyParticipants(): ParticipantSession[] {
    return [...this.sessions.values()].filter((session) => session.status === 'ready' && session.trainCount > 0);
  }

  private broadcastState(message?: string): void {
    this.options.io.to(this.room).emit('study:state', {
      studyId: this.id,
      state: this.stateValue,
      round: this.roundValue,
      participants: [...this.sessions.values()].filter((session) => session.status !== 'disconnected').length,
      ...(message ? { message } : {}),
    });
  }

  private sendFrame(participantId: string, epochId: string, header: protocol.StepHeader, payload: Uint8Array): void {
    const session = this.sessions.get(participantId);
    if (!session || session.epochId !== epochId) return;
    this.meter.record({ participantId, direction: 'down', kind: header.kind, bytes: payload.byteLength });
    session.socket.emit('step:frame', { ...header, studyId: this.id }, payload);
  }

  private refused(epochId: string, code: 'duplicate' | 'out-of-order', message: string): void {
    const session = [...this.sessions.values()].find((candidate) => candidate.epochId === epochId);
    session?.socket.emit('relay:error', { code, message, event: 'step:frame' });
  }

  private federationContext(): NetworkFederationContext {
    return {
      studyId: this.id,
      round: this.roundValue,
      config: this.config,
      host: this.host,
      meter: this.meter,
      session: (participantId) => this.sessions.get(participantId),
      whileRunning: () => this.whileRunning(),
      ackTimeoutMs: this.options.timeouts.ackMs,
      receiveTimeoutMs: this.options.timeouts.receiveMs,
      ...(this.options.wireLog ? { wireLog: this.options.wireLog } : {}),
    };
  }

  private async whileRunning(): Promise<void> {
    while (this.stateValue === 'paused') await this.sleep();
    if (this.stateValue === 'finished') throw new Error('the study was stopped');
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async runLoop(): Promise<void> {
    await this.host.whenReady();
    for (;;) {
      if (this.stateValue === 'finished') return;
      const ready = this.readyParticipants();
      if (this.stateValue !== 'training' || ready.length < this.config.minClients) {
        await this.sleep();
        continue;
      }
      await this.runRound(ready);
      if (this.roundValue >= this.config.rounds) {
        this.stateValue = 'finished';
        this.options.persistence.saveProgress(this.id, this.stateValue, this.roundValue);
        this.options.persistence.audit(this.id, 'relay', 'study finished', { rounds: this.roundValue });
        this.broadcastState('all rounds done');
        return;
      }
    }
  }

  private async runRound(ready: ParticipantSession[]): Promise<void> {
    const round = this.roundValue;
    this.meter.reset();
    const losses: { loss: number; weight: number }[] = [];
    const context = this.federationContext();
    context.onEpochDone = (participantId, phase, result) => {
      const loss = result.loss ?? (result.clientMetrics?.ok ? result.clientMetrics.loss : undefined);
      if (phase === 'train' && loss !== undefined) losses.push({ loss, weight: result.steps });
      if (phase === 'train') this.options.log.debug('epoch done', { study: this.id, participant: participantId, steps: result.steps });
    };
    const clients = ready.map((session) => ({ id: session.participantId, sampleCount: session.trainCount }));
    const federation = new NetworkFederation(context, clients);
    const started = performance.now();
    const outcome = await this.schedule.runRound(federation);
    const seconds = (performance.now() - started) / 1000;
    this.latestClientWeights = this.currentClientWeights() ?? this.latestClientWeights;
    for (const failure of outcome.failed) {
      this.options.log.warn('participant failed its round', { study: this.id, participant: failure.clientId, reason: failure.error.message });
      this.options.persistence.audit(this.id, 'relay', 'step abandoned', { round, reason: failure.error.message });
    }
    const trainTraffic = this.meter.snapshot();
    const val = await this.evaluate(federation, outcome);
    const weight = losses.reduce((sum, entry) => sum + entry.weight, 0);
    const trainLoss = weight > 0 ? losses.reduce((sum, entry) => sum + entry.loss * entry.weight, 0) / weight : null;
    const samples = ready.filter((session) => outcome.completed.includes(session.participantId)).reduce((sum, session) => sum + Math.min(session.trainCount, (this.config.maxStepsPerRound ?? Infinity) * this.config.batchSize), 0);
    const summary: RoundSummary = {
      round,
      trainLoss,
      val,
      seconds,
      samplesPerSecond: samples / seconds,
      completed: outcome.completed,
      failed: outcome.failed.map((failure) => ({ participantId: failure.clientId, reason: failure.error.message })),
      traffic: trainTraffic,
    };
    this.lastSummary = summary;
    this.options.persistence.recordMetrics(this.id, round, 'train', null, { loss: trainLoss, seconds, samplesPerSecond: summary.samplesPerSecond, bytesUp: trainTraffic.up.bytes, bytesDown: trainTraffic.down.bytes, completed: outcome.completed.length, failed: outcome.failed.length });
    if (val) this.options.persistence.recordMetrics(this.id, round, 'val', null, val);
    this.roundValue = round + 1;
    this.options.persistence.saveProgress(this.id, this.stateValue, this.roundValue);
    await this.checkpoint(federation);
    this.broadcastState();
  }

  private currentClientWeights(): scheduleLib.SegmentWeights | undefined {
    const current = this.schedule as { lastHandOff?: scheduleLib.SegmentWeights; lastAverage?: scheduleLib.SegmentWeights };
    return current.lastHandOff ?? current.lastAverage;
  }

  /**
   * Validation without moving data: each participant scores its own validation split. In
   * vanilla the server scores the validation activations (it holds the last layers); in
   * U-shaped the client scores locally and reports only metrics. The study figure is the
   * sample-weighted merge.
   */
  private async evaluate(federation: NetworkFederation, outcome: scheduleLib.RoundOutcome): Promise<Record<string, unknown> | null> {
    const participants = this.readyParticipants().filter((session) => session.valCount > 0);
    const lastTrainer = outcome.completed[outcome.completed.length - 1];
    const parts = await Promise.allSettled(
      participants.map(async (session) => {
        if (this.config.schedule === 'round-robin' && this.latestClientWeights && session.participantId !== lastTrainer) {
          await federation.writeClientWeights(session.participantId, this.latestClientWeights);
        }
        const result = await federation.runEpoch(session.participantId, scheduleLib.SHARED_SERVER, 'eval');
        const reported = result.clientMetrics?.ok ? result.clientMetrics.metrics : undefined;
        const scored = result.metrics ?? (reported ? { ...reported, auc: reported.auc ?? Number.NaN, sensitivity: reported.sensitivity ?? Number.NaN, specificity: reported.specificity ?? Number.NaN } : undefined);
        if (!scored) throw new Error(`no validation metrics from ${session.participantId}`);
        this.options.persistence.recordMetrics(this.id, this.roundValue, 'val', session.participantId, { ...scored });
        return { metrics: scored, count: scored.count };
      }),
    );
    const succeeded = parts.flatMap((part) => (part.status === 'fulfilled' ? [part.value] : []));
    if (succeeded.length === 0) return null;
    const merged = metricsLib.mergeClassificationMetrics(succeeded);
    return { ...merged, participants: succeeded.length };
  }

  private async checkpoint(federation: NetworkFederation): Promise<void> {
    try {
      const server = await federation.readServerWeights(scheduleLib.SHARED_SERVER);
      const blobs: Record<string, Uint8Array> = {};
      server.forEach((segment, i) => (blobs[`server-segment${i}.bin`] = model.encodeWeights(segment)));
      this.latestClientWeights?.forEach((segment, i) => (blobs[`client-segment${i}.bin`] = model.encodeWeights(segment)));
      await this.options.persistence.saveCheckpoint(this.id, this.roundValue, blobs);
    } catch (error) {
      this.options.log.warn('checkpoint failed', { study: this.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
