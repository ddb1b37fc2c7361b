import { alignment, model, runtime as runtimeLib, schedule as scheduleLib, study as studyLib, topology, type accounting, type data, type protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import { SegmentHost, ServerEpochError } from '../segments/segment_host';
import type { RelayServer } from '../socket/types';
import type { WireLog } from '../socket/wire_log';
import { ClientLedger, CumulativeTrafficMeter, type ClientTotals } from './client_ledger';
import { alignGroup } from './network_alignment';
import { bundleSegment, NetworkFederation, ParticipantGoneError, segmentBundle, type NetworkFederationContext } from './network_federation';
import type { ParticipantSession } from './participant_session';
import type { StudyPersistence } from './persistence';
import { evaluateRound } from './round_evaluation';
import { recordRound, RoundLeak, studyFlopsPerSample, type FlopsPerSample } from './round_record';
import type { StudyObserver } from './study_observer';
import { applyConfigChange, describeConfigChange } from './study_reconfiguration';

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
  /** Each participant's totals over the rounds already stored (after a restart). */
  clientTotals?: Map<string, ClientTotals>;
  /** A vertical study whose server holds the labels: the researcher's table, as stored. */
  serverLabels?: data.Dataset;
  observer?: StudyObserver;
  /** The study finished, released its worker and its last participant left: nothing of it needs to stay in memory. */
  onFinished?: () => void;
}

export interface RoundSummary {
  round: number;
  trainLoss: number | null;
  val: Record<string, unknown> | null;
  seconds: number;
  samplesPerSecond: number;
  /** Group ids (a participant id where each client is its own group). */
  completed: string[];
  failed: { groupId: string; reason: string }[];
  traffic: accounting.TrafficSnapshot;
}

/** The shortest wait for a weights transfer, whatever the study's step timeout. */
const MIN_TRANSFER_TIMEOUT_MS = 120_000;

/** Restarts of a crashing segment worker before the study pauses instead. */
const MAX_WORKER_RESTARTS = 3;

/** The round showed the study cannot go on as it is: it pauses with this explanation. */
class StudyPausedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudyPausedError';
  }
}

/** The round cannot complete as it started (its segment worker was replaced): it runs again. */
class RoundInterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoundInterruptedError';
  }
}

export class StudyRuntime {
  readonly id: string;
  /** Reset at every round; its `sinceStart` never is. */
  readonly meter = new CumulativeTrafficMeter();
  readonly sessions = new Map<string, ParticipantSession>();
  readonly ledger: ClientLedger;
  private configValue: protocol.StudyConfig;
  private stateValue: protocol.StudyState;
  private roundValue: number;
  private host: SegmentHost;
  /** Counts segment workers started: a round that began under another one cannot be finished. */
  private hostGeneration = 0;
  /** Worker restarts since the last completed round; past MAX_WORKER_RESTARTS the study pauses. */
  private workerRestarts = 0;
  /** The server segments of the last checkpoint: where a restarted worker starts from. */
  private serverCheckpoint: Uint8Array[] | undefined;
  /** Why the relay paused the study (a failed round, a crashing worker), until it runs again. */
  private noticeValue: string | undefined;
  private readonly flopsPerSample: FlopsPerSample;
  private schedule: scheduleLib.Schedule;
  /** The federation of the training round in progress: where a large-batch step's gradients go. */
  private roundFederation: NetworkFederation | undefined;
  /** The client weights the study stands at (the schedule's latest hand-off or average). */
  private latestGroupWeights: scheduleLib.SegmentWeights | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** The round loop has ended and released its worker. */
  private loopDone = false;
  /** onFinished has been called. */
  private retired = false;
  private lastSummary: RoundSummary | undefined;
  /** The round whose configuration is fixed: started, metrics not yet recorded. */
  private runningRound: number | undefined;
  /** Where the server holds the labels: the researcher's table, and its rows aligned with the parties' (train and validation). */
  private serverLabels: data.Dataset | undefined;
  private alignedLabels: { train: data.Dataset; val: data.Dataset } | undefined;

  constructor(private readonly options: StudyRuntimeOptions) {
    this.id = options.id;
    this.configValue = options.config;
    this.stateValue = options.state;
    this.roundValue = options.round;
    this.ledger = new ClientLedger(this.meter, options.clientTotals);
    this.serverLabels = options.serverLabels;
    this.flopsPerSample = studyFlopsPerSample(options.config);
    this.latestGroupWeights = options.checkpoint?.client?.map((bundle) => bundleSegment(bundle));
    this.schedule = scheduleLib.getSchedule(studyLib.studyScheduleName(this.config), { ...(this.latestGroupWeights ? { startFrom: this.latestGroupWeights } : {}) });
    this.serverCheckpoint = options.checkpoint?.server;
    this.host = this.startHost();
  }

  /** A segment worker for this study, from the last checkpoint's server segments (or the initial ones). */
  private startHost(): SegmentHost {
    this.hostGeneration += 1;
    return new SegmentHost(this.config, {
      onFrame: (participantId, epochId, header, payload) => this.sendFrame(participantId, epochId, header, payload),
      onRefused: (participantId, code, message) => this.sessions.get(participantId)?.socket.emit('relay:error', { code, message, event: 'step:frame' }),
      onFatal: (message) => this.options.log.error('segment worker failed', { study: this.id, message }),
      onExit: (reason) => this.workerStopped(reason),
      onReady: (backend) => this.options.log.info('server segments ready', { study: this.id, backend }),
      onStepDone: (members, tally) => {
        for (const participantId of members) this.ledger.stepDone(participantId, tally);
        this.options.observer?.clientsChanged(this.id);
      },
    }, this.serverCheckpoint);
  }

  /**
   * The worker died under the study (a crash, its memory limit): a new one starts from the
   * last checkpoint, and the round under way is run again. A worker that keeps dying pauses
   * the study with the reason instead of restarting for ever.
   */
  private workerStopped(reason: string): void {
    if (this.stateValue === 'finished') return;
    this.workerRestarts += 1;
    this.options.log.error('segment worker stopped; restarting it from the last checkpoint', { study: this.id, reason, restarts: this.workerRestarts });
    this.options.persistence.audit(this.id, 'relay', 'segment worker restarted', { reason, round: this.roundValue });
    this.host = this.startHost();
    // Server copies a schedule kept in the old worker are gone: it starts again from the study's client weights.
    this.schedule = scheduleLib.getSchedule(studyLib.studyScheduleName(this.configValue), { ...(this.latestGroupWeights ? { startFrom: this.latestGroupWeights } : {}) });
    if (this.workerRestarts > MAX_WORKER_RESTARTS) {
      this.pauseFor(`the server's segment worker stopped ${this.workerRestarts} times in a row (last: ${reason}); the study is paused at round ${this.roundValue}. Check the relay's log and memory, then resume it.`);
    }
    this.wake?.();
  }

  /** The relay pauses the study and says why; the researcher resumes it. */
  private pauseFor(notice: string): void {
    if (this.stateValue === 'finished') return;
    const before = this.stateValue;
    this.stateValue = 'paused';
    this.noticeValue = notice;
    this.options.log.warn('study paused', { study: this.id, reason: notice });
    try {
      this.options.persistence.saveProgress(this.id, this.stateValue, this.roundValue);
      this.options.persistence.audit(this.id, 'relay', 'study paused', { from: before, reason: notice });
    } catch (error) {
      // The storage itself may be what failed: the study stays paused in memory, and says so.
      this.options.log.error('could not record the pause', { study: this.id, error: error instanceof Error ? error.message : String(error) });
    }
    this.broadcastState(notice);
  }

  /** The current configuration; a round in progress keeps the one it started with. */
  get config(): protocol.StudyConfig {
    return this.configValue;
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

  /** Why the relay paused the study, while it stays paused. */
  get notice(): string | undefined {
    return this.noticeValue;
  }

  /** The first round a configuration change made now applies to. */
  get nextRoundToStart(): number {
    return this.runningRound === undefined ? this.roundValue : this.runningRound + 1;
  }

  info(): protocol.StudyInfo {
    return { id: this.id, config: this.config, state: this.stateValue, round: this.roundValue };
  }

  /** Starts the round loop (idempotent). */
  start(): void {
    this.loop ??= this.runLoop()
      .catch((error: unknown) => {
        this.options.log.error('study loop stopped', { study: this.id, error: error instanceof Error ? error.message : String(error) });
      })
      // A finished (or failed) study trains no more: its worker thread and server segments are released.
      .finally(async () => {
        await this.host.terminate();
        this.loopDone = true;
        this.retireIfDone();
      });
  }

  /**
   * A finished study whose participants have all left needs nothing in memory any more: the
   * registry answers for it from storage. Until they leave, their sessions stay, so the
   * clients table shows them as they are (idle, not disconnected).
   */
  private retireIfDone(): void {
    if (this.retired || !this.loopDone || this.stateValue !== 'finished') return;
    if ([...this.sessions.values()].some((session) => session.status !== 'disconnected')) return;
    this.retired = true;
    this.options.onFinished?.();
  }

  async addSession(session: ParticipantSession): Promise<void> {
    const previous = this.sessions.get(session.participantId);
    if (previous && previous.socket.id !== session.socket.id) previous.socket.disconnect(true);
    this.sessions.set(session.participantId, session);
    void session.socket.join(this.room);
    // A late joiner starts from the current client segment, not from the initial weights.
    const group = this.groupsOf([...this.sessions.values()], 'train').find((candidate) => candidate.members.includes(session.participantId));
    if (this.latestGroupWeights && group) {
      const federation = new NetworkFederation(this.federationContext(), []);
      await federation.writeGroupWeights(group, this.latestGroupWeights).catch((error: unknown) => {
        this.options.log.warn('could not send current weights to a late joiner', { study: this.id, participant: session.participantId, error: String(error) });
      });
    }
    this.broadcastState();
    this.wake?.();
  }

  /** Why a participant cannot take this party now: another connected participant holds it. */
  partyTaken(party: number | undefined, participantId: string | undefined): string | undefined {
    // Many data holders share a multi-hop study's position 0: each trains with the hops in turn.
    if (party === undefined || studyLib.sharedPosition(this.configValue, party)) return undefined;
    const holder = [...this.sessions.values()].find((session) => session.party === party && session.status !== 'disconnected' && session.participantId !== participantId);
    return holder ? `party ${party} is already taken by another participant of this study: choose another, or ask the researcher` : undefined;
  }

  markDisconnected(participantId: string, socketId: string): void {
    const session = this.sessions.get(participantId);
    if (!session || session.socket.id !== socketId) return;
    session.status = 'disconnected';
    if (session.epochId) this.hostAbort(session.epochId, `participant ${participantId} disconnected`);
    session.abandon?.(new ParticipantGoneError(participantId, 'disconnected'));
    this.broadcastState();
    this.retireIfDone();
  }

  removeSession(participantId: string): void {
    const session = this.sessions.get(participantId);
    if (session?.epochId) this.hostAbort(session.epochId, `participant ${participantId} left`);
    session?.abandon?.(new ParticipantGoneError(participantId, 'left'));
    this.sessions.delete(participantId);
    this.ledger.forget(participantId);
    this.broadcastState();
    this.retireIfDone();
  }

  setParticipantStatus(participantId: string, status: 'ready' | 'paused'): void {
    const session = this.sessions.get(participantId);
    if (!session || session.status === 'disconnected') return;
    session.status = status;
    session.lastSeen = Date.now();
    this.options.observer?.clientsChanged(this.id);
    this.wake?.();
  }

  /**
   * Routes a participant's step frame to its epoch: to the server segment, or where members
   * feed members (multi-hop, extended vanilla) to the member it names, as the group's wiring
   * allows and nothing else. Returns an error to send back, if refused.
   */
  /** Large-batch SGD: a participant's gradients for a step of the round in progress; resolves to the step's average. */
  syncGradients(participantId: string, header: protocol.GradientsHeader, bundle: Uint8Array | undefined): Promise<Uint8Array> {
    const federation = this.roundFederation;
    if (!federation || header.studyId !== this.id) return Promise.reject(new Error('no training round of this study is in progress'));
    return federation.syncGradients(participantId, header, bundle);
  }

  routeFrame(participantId: string, header: protocol.StepHeader, payload: Uint8Array): protocol.RelayError | undefined {
    const session = this.sessions.get(participantId);
    if (!session?.epochId) return { code: 'out-of-order', message: 'no step is in progress for this participant', event: 'step:frame' };
    if (header.studyId !== this.id) return { code: 'out-of-order', message: `frame for study ${header.studyId}, but this participant is in ${this.id}`, event: 'step:frame' };
    const { edges } = session;
    const to = header.peer ?? 'server';
    if (edges && !edges.crossings.some((crossing) => crossing.direction === 'sends' && crossing.kind === header.kind && crossing.peer === to)) {
      return { code: 'bad-message', message: `this participant does not send ${header.kind} to ${to === 'server' ? 'the server' : `member ${to}`} in this study`, event: 'step:frame' };
    }
    if (!edges && header.peer !== undefined) return { code: 'bad-message', message: 'this study’s participants send their frames to the server only', event: 'step:frame' };
    this.meter.record({ participantId, direction: 'up', kind: header.kind, bytes: payload.byteLength });
    session.lastSeen = Date.now();
    if (edges && to !== 'server') {
      const target = this.sessions.get(edges.members[to] ?? '');
      if (!target || target.epochId !== session.epochId || target.status === 'disconnected') return { code: 'step-abandoned', message: `member ${to} of this group is not in the step`, event: 'step:frame' };
      this.meter.record({ participantId: target.participantId, direction: 'down', kind: header.kind, bytes: payload.byteLength });
      // The receiver learns which member it came from, never who that is.
      target.socket.emit('step:frame', { ...header, studyId: this.id, peer: edges.index }, payload);
      return undefined;
    }
    this.host.deliver(session.epochId, participantId, { ...header, studyId: '' }, payload);
    session.lastSeen = Date.now();
    return undefined;
  }

  /** Whether this study's server holds the labels (the researcher gives them with setServerLabels). */
  get serverHoldsLabels(): boolean {
    const parties = studyLib.partiesStudy(this.configValue);
    return parties?.labelHolder === 'server';
  }

  /** The researcher's table of labels, before training starts; the parties align with it when the study starts. */
  setServerLabels(labels: data.Dataset): void {
    if (!this.serverHoldsLabels) throw new Error('this study\u2019s labels are held by a party, not by the server: it takes no table of labels');
    if (this.stateValue !== 'open') throw new Error(`the study is ${this.stateValue}: its labels are fixed once training starts`);
    this.serverLabels = labels;
    this.alignedLabels = undefined;
  }

  control(action: 'start' | 'pause' | 'resume' | 'stop', actor: 'researcher' | 'relay' = 'researcher'): protocol.StudyState {
    const before = this.stateValue;
    const config = this.configValue;
    const parties = studyLib.partiesStudy(config);
    if ((action === 'start' || action === 'resume') && parties?.labelHolder === 'server' && !this.serverLabels) {
      throw new Error(`the server holds this study\u2019s labels, and none were given yet: PUT /api/studies/${this.id}/labels with a CSV of the id column "${parties.idColumn}" and the label column "${parties.labelColumn}" first`);
    }
    if (action === 'stop') this.stateValue = 'finished';
    else if (this.stateValue === 'finished') throw new Error('the study is finished; create a new one to train again');
    else if (action === 'start' || action === 'resume') {
      this.stateValue = 'training';
      this.noticeValue = undefined;
      this.workerRestarts = 0;
    }
    else if (action === 'pause') this.stateValue = 'paused';
    if (before !== this.stateValue) {
      this.options.persistence.saveProgress(this.id, this.stateValue, this.roundValue);
      this.options.persistence.audit(this.id, actor, `study ${action}`, { from: before, to: this.stateValue });
      this.broadcastState();
    }
    this.wake?.();
    return this.stateValue;
  }

  /** Changes the schedule and/or codec from the next round on; returns the configuration now in force. */
  reconfigure(change: protocol.StudyConfigChange): protocol.StudyConfig {
    if (this.stateValue === 'finished') throw new Error('the study is finished; its settings can no longer change');
    const before = this.configValue;
    const after = applyConfigChange(before, change);
    if (!after) return before;
    this.configValue = after;
    this.options.persistence.saveConfig(this.id, after);
    this.options.persistence.audit(this.id, 'researcher', 'study reconfigured', describeConfigChange(before, after));
    this.broadcastState(`from the next round: ${after.schedule}, ${after.codec}`);
    this.wake?.();
    return after;
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

  /** Participants ready to train: those with training rows, and intermediate participants, which hold none. */
  private readyParticipants(): ParticipantSession[] {
    return [...this.sessions.values()].filter((session) => session.status === 'ready' && (session.trainCount > 0 || studyLib.isIntermediate(this.configValue, session.party)));
  }

  private broadcastState(message?: string): void {
    this.options.io.to(this.room).emit('study:state', {
      studyId: this.id,
      state: this.stateValue,
      round: this.roundValue,
      participants: [...this.sessions.values()].filter((session) => session.status !== 'disconnected').length,
      ...(message ? { message } : {}),
      config: this.configValue,
    });
    this.options.observer?.studyChanged(this.id);
    this.options.observer?.clientsChanged(this.id);
  }

  private sendFrame(participantId: string, epochId: string, header: protocol.StepHeader, payload: Uint8Array): void {
    const session = this.sessions.get(participantId);
    if (!session || session.epochId !== epochId) return;
    this.meter.record({ participantId, direction: 'down', kind: header.kind, bytes: payload.byteLength });
    session.socket.emit('step:frame', { ...header, studyId: this.id }, payload);
  }

  private federationContext(config = this.configValue): NetworkFederationContext {
    return {
      studyId: this.id,
      round: this.roundValue,
      config,
      host: this.host,
      meter: this.meter,
      session: (participantId) => this.sessions.get(participantId),
      whileRunning: () => this.whileRunning(),
      ackTimeoutMs: this.options.timeouts.ackMs,
      receiveTimeoutMs: this.options.timeouts.receiveMs,
      // Weights bundles are a few MB at most: minutes, never the half hour an epoch may take.
      transferTimeoutMs: Math.max(2 * this.options.timeouts.receiveMs, MIN_TRANSFER_TIMEOUT_MS),
      onParticipantError: (participantId, error) => this.options.log.warn('participant reported a failure', { study: this.id, participant: participantId, code: error.code.slice(0, 64), message: error.message.slice(0, 300) }),
      onEpochChange: () => this.options.observer?.clientsChanged(this.id),
      ...(this.options.wireLog ? { wireLog: this.options.wireLog } : {}),
      // Where the server holds the labels: each batch's, in the order the group's parties draw their rows.
      serverLabels: (group, phase) => this.alignedLabels && runtimeLib.serverEpochLabels(this.alignedLabels, phase, config.batchSize, { seed: config.seed, group: group.id, round: this.roundValue }),
      roles: (() => {
        const plans = studyLib.studyRolePlans(config, (participantId) => this.sessions.get(participantId)?.party ?? 0);
        return { wiring: (group: scheduleLib.TrainingGroup) => plans.wiring(group.members), holdsLabels: (participantId: string) => plans.holdsLabels(participantId) };
      })(),
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
    for (;;) {
      if (this.stateValue === 'finished') return;
      const ready = this.readyParticipants();
      if (this.stateValue !== 'training' || ready.length < this.config.minClients || this.groupsOf(ready, 'train').length === 0) {
        await this.sleep();
        continue;
      }
      try {
        await this.runRound(ready);
      } catch (error) {
        if (this.state === 'finished') return;
        const message = error instanceof Error ? error.message : String(error);
        // One failed round never ends the loop: the round is run again, after a restart at once, otherwise once the researcher resumes.
        if (error instanceof RoundInterruptedError) this.options.log.warn('round interrupted; running it again', { study: this.id, round: this.roundValue, reason: message });
        else if (error instanceof StudyPausedError) this.pauseFor(message);
        else this.pauseFor(`round ${this.roundValue} failed (${message}); the study is paused. Resume it to run the round again.`);
        continue;
      } finally {
        this.runningRound = undefined;
      }
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
    const generation = this.hostGeneration;
    const interrupted = (): void => {
      if (this.hostGeneration !== generation) throw new RoundInterruptedError(`the segment worker was restarted during round ${round}`);
    };
    await this.host.whenReady();
    // The round keeps the configuration it starts with, whatever the researcher changes meanwhile.
    const config = this.configValue;
    this.runningRound = round;
    this.meter.reset();
    const context = this.federationContext(config);
    const leak = new RoundLeak();
    context.onEpochDone = (group, phase, result) => {
      if (phase !== 'train') return;
      if (result.leak) leak.add(result.leak);
      group.members.forEach((participantId, i) => {
        const reply = result.replies[i];
        this.ledger.trainEpochDone(participantId, { steps: result.steps, loss: result.loss ?? reply?.loss, samples: result.samples, correct: result.correct, clientAccuracy: reply?.accuracy });
      });
      this.options.log.debug('epoch done', { study: this.id, group: group.id, steps: result.steps });
    };
    await this.alignRows(this.groupsOf(ready, 'train'));
    // Aligned parties train on the rows they share (the counts changed); a group that could not align waits.
    const federation = new NetworkFederation(context, this.alignedGroups(this.groupsOf(ready, 'train')));
    // A schedule changed by the researcher starts from where the study stands.
    if (this.schedule.name !== studyLib.studyScheduleName(config)) this.schedule = scheduleLib.getSchedule(studyLib.studyScheduleName(config), { ...(this.latestGroupWeights ? { startFrom: this.latestGroupWeights } : {}) });
    const started = performance.now();
    this.roundFederation = federation;
    const outcome = await this.schedule.runRound(federation).finally(() => (this.roundFederation = undefined));
    interrupted();
    // One group's non-finite loss or activations may be its own bad input; every group's is the model diverging.
    const diverged = outcome.failed.filter((failure) => failure.error instanceof ServerEpochError && failure.error.code === 'non-finite');
    if (outcome.completed.length === 0 && diverged.length > 0 && diverged.length === outcome.failed.length) {
      throw new StudyPausedError(`training diverged in round ${round}: ${(diverged[0] as { error: Error }).error.message}. The study is paused at its last good weights; lower its learning rate (and check that the participants' data is scaled like the study expects), then resume it.`);
    }
    const seconds = (performance.now() - started) / 1000;
    this.latestGroupWeights = this.schedule.latestGroupWeights ?? this.latestGroupWeights;
    for (const failure of outcome.failed) {
      this.options.log.warn('participant failed its round', { study: this.id, group: failure.groupId, reason: failure.error.message });
      for (const participantId of federation.groups.find((group) => group.id === failure.groupId)?.members ?? []) {
        this.options.persistence.audit(this.id, 'relay', 'step abandoned', { round, reason: failure.error.message }, participantId);
      }
    }
    const trainTraffic = this.meter.snapshot();
    // A paused study validates once resumed, with whoever is ready then (a stopped one fails each epoch).
    await this.whileRunning().catch(() => undefined);
    const { val, failed: evalFailures } = await evaluateRound({
      studyId: this.id,
      round,
      config,
      groups: this.alignedGroups(this.groupsOf(this.readyParticipants(), 'eval')),
      latestGroupWeights: this.latestGroupWeights,
      federation,
      persistence: this.options.persistence,
    });
    interrupted();
    for (const failure of evalFailures) this.options.log.warn('left out of validation', { study: this.id, group: failure.groupId, reason: failure.reason });
    if (val) this.options.persistence.recordMetrics(this.id, round, 'val', null, val);
    // The last round ends with everyone on the best round's weights (its traffic is this round's).
    if (round + 1 >= config.rounds) await this.handOverBestRound(round + 1);
    const totals = this.ledger.closeRound(this.sessions.keys());
    const { samplesPerSecond } = recordRound(this.options.persistence, { studyId: this.id, round, config, seconds, completed: outcome.completed, failed: outcome.failed, totals, flopsPerSample: this.flopsPerSample, ...(leak.result ? { leak: leak.result } : {}) });
    this.lastSummary = {
      round,
      trainLoss: totals.trainLoss,
      val,
      seconds,
      samplesPerSecond,
      completed: outcome.completed,
      failed: outcome.failed.map((failure) => ({ groupId: failure.groupId, reason: failure.error.message })),
      traffic: trainTraffic,
    };
    this.roundValue = round + 1;
    this.runningRound = undefined;
    this.workerRestarts = 0;
    this.options.persistence.saveProgress(this.id, this.stateValue, this.roundValue);
    this.options.observer?.roundRecorded(this.id, round);
    await this.checkpoint(federation);
    this.broadcastState();
  }

  /** Who trains together (split-core decides: each client alone, or a vertical study's parties). */
  private groupsOf(participants: readonly ParticipantSession[], phase: 'train' | 'eval'): scheduleLib.TrainingGroup[] {
    return studyLib.trainingGroups(
      this.configValue,
      participants.map((session) => ({ id: session.participantId, party: session.party, trainCount: session.trainCount, valCount: session.valCount })),
      phase,
    );
  }

  /** The groups that can train: all of them, or where rows must be aligned first, those whose members are. */
  private alignedGroups(groups: scheduleLib.TrainingGroup[]): scheduleLib.TrainingGroup[] {
    if (!topology.getTopologyDescriptor(this.configValue.topology).alignsRows) return groups;
    return groups.filter((group) => this.rowHolders(group).members.every((id) => this.sessions.get(id)?.aligned));
  }

  /** The members of a group that hold rows: an intermediate participant (extended vanilla) takes no part in aligning them. */
  private rowHolders(group: scheduleLib.TrainingGroup): scheduleLib.TrainingGroup {
    return { ...group, members: group.members.filter((id) => !studyLib.isIntermediate(this.configValue, this.sessions.get(id)?.party)) };
  }

  /**
   * Groups whose topology aligns rows first (vertical) and whose members are not aligned in
   * this session align now, by private set intersection; the database keeps the counts only.
   * A group that fails to align (a party vanished, a party refused) trains in a later round.
   */
  private async alignRows(groups: readonly scheduleLib.TrainingGroup[]): Promise<void> {
    if (!topology.getTopologyDescriptor(this.configValue.topology).alignsRows) return;
    const config = this.configValue;
    for (const group of groups.map((entry) => this.rowHolders(entry))) {
      if (group.members.every((id) => this.sessions.get(id)?.aligned)) continue;
      try {
        // Where the server holds the labels, its table leads the alignment as one more party.
        const labels = this.serverHoldsLabels ? this.serverLabels : undefined;
        if (this.serverHoldsLabels && !labels) throw new Error('the server holds the labels and has none yet');
        const local = labels ? new alignment.PsiParticipant(labels.samples.map((sample) => sample.id), this.id) : undefined;
        const outcome = await alignGroup({ studyId: this.id, session: (id) => this.sessions.get(id), ackTimeoutMs: this.options.timeouts.ackMs, ...(this.options.wireLog ? { wireLog: this.options.wireLog } : {}) }, group, local);
        if (labels && local?.intersection && studyLib.partiesStudy(config)) {
          const aligned = alignment.alignParty(labels, local.intersection, config);
          this.alignedLabels = { train: aligned.train, val: aligned.val };
        }
        this.options.persistence.audit(this.id, 'relay', 'rows aligned', { parties: group.members.length, rows: outcome.sizes, aligned: outcome.intersection, ...(local ? { serverLabels: true } : {}) });
        this.options.log.info('rows aligned', { study: this.id, rows: outcome.sizes, aligned: outcome.intersection });
      } catch (error) {
        this.options.log.warn('could not align rows', { study: this.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /**
   * At the end of the last round the participants get the client weights of the study's best
   * round (when an earlier round validated better than this one, whose checkpoint will be
   * `finalCheckpoint`): what they export and keep is then the model the relay's export and
   * inference name. A participant that cannot take them keeps the last round's, and the log
   * says so.
   */
  private async handOverBestRound(finalCheckpoint: number): Promise<void> {
    const best = await this.options.persistence.bestCheckpoint(this.id).catch(() => undefined);
    if (!best || best.round === finalCheckpoint || best.client.length === 0) return;
    const weights = best.client.map((bundle) => bundleSegment(bundle));
    const federation = new NetworkFederation(this.federationContext(), this.groupsOf(this.readyParticipants(), 'train'));
    const handed = await Promise.allSettled(federation.groups.map((group) => federation.writeGroupWeights(group, weights, best.round)));
    handed.forEach((result, i) => {
      if (result.status === 'rejected') this.options.log.warn('a participant kept the last round\'s weights, not the best round\'s', { study: this.id, group: federation.groups[i]?.id, reason: result.reason instanceof Error ? result.reason.message : String(result.reason) });
    });
    this.options.persistence.audit(this.id, 'relay', 'best round handed over', { round: best.round - 1, groups: handed.filter((result) => result.status === 'fulfilled').length });
  }

  /**
   * Saves the round's weights. A worker that cannot hand them over is restarting (its round
   * runs again); a disk that refuses them pauses the study, since every later round would be
   * lost to the next restart.
   */
  private async checkpoint(federation: NetworkFederation): Promise<void> {
    let server: scheduleLib.SegmentWeights;
    try {
      server = await federation.readServerWeights(scheduleLib.SHARED_SERVER);
    } catch (error) {
      this.options.log.warn('checkpoint skipped: the segment worker did not hand over its weights', { study: this.id, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const blobs: Record<string, Uint8Array> = {};
    const bundles = server.map((segment) => model.encodeWeights(segment));
    bundles.forEach((bundle, i) => (blobs[`server-segment${i}.bin`] = bundle));
    // An encrypted hand-off is stored as it travelled: sealed.
    this.latestGroupWeights?.forEach((segment, i) => (blobs[`client-segment${i}.bin`] = segmentBundle(segment)));
    try {
      await this.options.persistence.saveCheckpoint(this.id, this.roundValue, blobs);
      this.serverCheckpoint = bundles;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.pauseFor(`the relay could not save the checkpoint of round ${this.roundValue} (${reason}); the study is paused so that no more training is lost. Free disk space or fix the data folder's permissions, then resume it.`);
    }
  }
}
