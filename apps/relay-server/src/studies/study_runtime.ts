import { alignment, model, runtime as runtimeLib, schedule as scheduleLib, study as studyLib, topology, type accounting, type data, type protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import { SegmentHost } from '../segments/segment_host';
import type { RelayServer } from '../socket/types';
import type { WireLog } from '../socket/wire_log';
import { ClientLedger, CumulativeTrafficMeter, type ClientTotals } from './client_ledger';
import { alignGroup } from './network_alignment';
import { NetworkFederation, ParticipantGoneError, type NetworkFederationContext } from './network_federation';
import type { ParticipantSession } from './participant_session';
import type { StudyPersistence } from './persistence';
import { evaluateRound } from './round_evaluation';
import { recordRound, studyFlopsPerSample, type FlopsPerSample } from './round_record';
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

export class StudyRuntime {
  readonly id: string;
  /** Reset at every round; its `sinceStart` never is. */
  readonly meter = new CumulativeTrafficMeter();
  readonly sessions = new Map<string, ParticipantSession>();
  readonly ledger: ClientLedger;
  private configValue: protocol.StudyConfig;
  private stateValue: protocol.StudyState;
  private roundValue: number;
  private readonly host: SegmentHost;
  private readonly flopsPerSample: FlopsPerSample;
  private schedule: scheduleLib.Schedule;
  /** The client weights the study stands at (the schedule's latest hand-off or average). */
  private latestGroupWeights: scheduleLib.SegmentWeights | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
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
    this.latestGroupWeights = options.checkpoint?.client?.map((bundle) => model.decodeWeights(bundle));
    this.schedule = scheduleLib.getSchedule(this.config.schedule, { ...(this.latestGroupWeights ? { startFrom: this.latestGroupWeights } : {}) });
    this.host = new SegmentHost(this.config, {
      onFrame: (participantId, epochId, header, payload) => this.sendFrame(participantId, epochId, header, payload),
      onRefused: (participantId, code, message) => this.sessions.get(participantId)?.socket.emit('relay:error', { code, message, event: 'step:frame' }),
      onFatal: (message) => options.log.error('segment worker failed', { study: this.id, message }),
      onReady: (backend) => options.log.info('server segments ready', { study: this.id, backend }),
      onStepDone: (members, tally) => {
        for (const participantId of members) this.ledger.stepDone(participantId, tally);
        this.options.observer?.clientsChanged(this.id);
      },
    }, options.checkpoint?.server);
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
      .finally(() => this.host.terminate());
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
    if (party === undefined) return undefined;
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
  }

  removeSession(participantId: string): void {
    const session = this.sessions.get(participantId);
    if (session?.epochId) this.hostAbort(session.epochId, `participant ${participantId} left`);
    session?.abandon?.(new ParticipantGoneError(participantId, 'left'));
    this.sessions.delete(participantId);
    this.ledger.forget(participantId);
    this.broadcastState();
  }

  setParticipantStatus(participantId: string, status: 'ready' | 'paused'): void {
    const session = this.sessions.get(participantId);
    if (!session || session.status === 'disconnected') return;
    session.status = status;
    session.lastSeen = Date.now();
    this.options.observer?.clientsChanged(this.id);
    this.wake?.();
  }

  /** Routes a participant's step frame to its epoch; returns an error to send back, if refused. */
  routeFrame(participantId: string, header: protocol.StepHeader, payload: Uint8Array): protocol.RelayError | undefined {
    const session = this.sessions.get(participantId);
    if (!session?.epochId) return { code: 'out-of-order', message: 'no step is in progress for this participant', event: 'step:frame' };
    if (header.studyId !== this.id) return { code: 'out-of-order', message: `frame for study ${header.studyId}, but this participant is in ${this.id}`, event: 'step:frame' };
    this.meter.record({ participantId, direction: 'up', kind: header.kind, bytes: payload.byteLength });
    this.host.deliver(session.epochId, participantId, { ...header, studyId: '' }, payload);
    session.lastSeen = Date.now();
    return undefined;
  }

  /** Whether this study's server holds the labels (the researcher gives them with setServerLabels). */
  get serverHoldsLabels(): boolean {
    return this.configValue.topology === 'vertical' && this.configValue.labelHolder === 'server';
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
    if ((action === 'start' || action === 'resume') && config.topology === 'vertical' && config.labelHolder === 'server' && !this.serverLabels) {
      throw new Error(`the server holds this study\u2019s labels, and none were given yet: PUT /api/studies/${this.id}/labels with a CSV of the id column "${config.idColumn}" and the label column "${config.labelColumn}" first`);
    }
    if (action === 'stop') this.stateValue = 'finished';
    else if (this.stateValue === 'finished') throw new Error('the study is finished; create a new one to train again');
    else if (action === 'start' || action === 'resume') this.stateValue = 'training';
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
      onEpochChange: () => this.options.observer?.clientsChanged(this.id),
      ...(this.options.wireLog ? { wireLog: this.options.wireLog } : {}),
      // Where the server holds the labels: each batch's, in the order the group's parties draw their rows.
      serverLabels: (group, phase) => this.alignedLabels && runtimeLib.serverEpochLabels(this.alignedLabels, phase, config.batchSize, { seed: config.seed, group: group.id, round: this.roundValue }),
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
      if (this.stateValue !== 'training' || ready.length < this.config.minClients || this.groupsOf(ready, 'train').length === 0) {
        await this.sleep();
        continue;
      }
      await this.runRound(ready).finally(() => (this.runningRound = undefined));
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
    // The round keeps the configuration it starts with, whatever the researcher changes meanwhile.
    const config = this.configValue;
    this.runningRound = round;
    this.meter.reset();
    const context = this.federationContext(config);
    context.onEpochDone = (group, phase, result) => {
      if (phase !== 'train') return;
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
    if (this.schedule.name !== config.schedule) this.schedule = scheduleLib.getSchedule(config.schedule, { ...(this.latestGroupWeights ? { startFrom: this.latestGroupWeights } : {}) });
    const started = performance.now();
    const outcome = await this.schedule.runRound(federation);
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
    for (const failure of evalFailures) this.options.log.warn('left out of validation', { study: this.id, group: failure.groupId, reason: failure.reason });
    const totals = this.ledger.closeRound(this.sessions.keys());
    const { samplesPerSecond } = recordRound(this.options.persistence, { studyId: this.id, round, config, seconds, completed: outcome.completed, failed: outcome.failed, totals, flopsPerSample: this.flopsPerSample });
    if (val) this.options.persistence.recordMetrics(this.id, round, 'val', null, val);
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
    return groups.filter((group) => group.members.every((id) => this.sessions.get(id)?.aligned));
  }

  /**
   * Groups whose topology aligns rows first (vertical) and whose members are not aligned in
   * this session align now, by private set intersection; the database keeps the counts only.
   * A group that fails to align (a party vanished, a party refused) trains in a later round.
   */
  private async alignRows(groups: readonly scheduleLib.TrainingGroup[]): Promise<void> {
    if (!topology.getTopologyDescriptor(this.configValue.topology).alignsRows) return;
    const config = this.configValue;
    for (const group of groups) {
      if (group.members.every((id) => this.sessions.get(id)?.aligned)) continue;
      try {
        // Where the server holds the labels, its table leads the alignment as one more party.
        const labels = this.serverHoldsLabels ? this.serverLabels : undefined;
        if (this.serverHoldsLabels && !labels) throw new Error('the server holds the labels and has none yet');
        const local = labels ? new alignment.PsiParticipant(labels.samples.map((sample) => sample.id), this.id) : undefined;
        const outcome = await alignGroup({ studyId: this.id, session: (id) => this.sessions.get(id), ackTimeoutMs: this.options.timeouts.ackMs, ...(this.options.wireLog ? { wireLog: this.options.wireLog } : {}) }, group, local);
        if (labels && local?.intersection && config.topology === 'vertical') {
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

  private async checkpoint(federation: NetworkFederation): Promise<void> {
    try {
      const server = await federation.readServerWeights(scheduleLib.SHARED_SERVER);
      const blobs: Record<string, Uint8Array> = {};
      server.forEach((segment, i) => (blobs[`server-segment${i}.bin`] = model.encodeWeights(segment)));
      this.latestGroupWeights?.forEach((segment, i) => (blobs[`client-segment${i}.bin`] = model.encodeWeights(segment)));
      await this.options.persistence.saveCheckpoint(this.id, this.roundValue, blobs);
    } catch (error) {
      this.options.log.warn('checkpoint failed', { study: this.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
