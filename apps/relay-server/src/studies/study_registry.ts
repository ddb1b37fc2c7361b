import { data, protocol, study as studyLib } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import type { ParticipantDirectory } from '../socket/participant_handlers';
import type { RelayServer } from '../socket/types';
import type { WireLog } from '../socket/wire_log';
import type { AuditLog } from '../storage/audit';
import type { Checkpoint, CheckpointStore } from '../storage/checkpoints';
import type { MetricRecord, MetricsRepository } from '../storage/metrics';
import type { ParticipantRepository } from '../storage/participants';
import type { ServerLabelRepository } from '../storage/server_labels';
import type { Study, StudyRepository } from '../storage/studies';
import { totalsFromRecords } from './client_ledger';
import type { StudyPersistence } from './persistence';
import type { StudyObserver } from './study_observer';
import { StudyRuntime, type RoundSummary } from './study_runtime';

// Owns the running studies: creates them from validated configs, restores them after a
// restart, and answers the socket handlers and the REST API. Wiring only: storage below,
// split-core's engine inside each StudyRuntime.

export interface StudyRegistryOptions {
  io: RelayServer;
  studies: StudyRepository<protocol.StudyConfig>;
  participants: ParticipantRepository;
  metrics: MetricsRepository;
  audit: AuditLog;
  checkpoints: CheckpointStore;
  /** Vertical studies whose server holds the labels: the researchers' tables. */
  serverLabels: ServerLabelRepository;
  log: Logger;
  timeouts: { ackMs: number; receiveMs: number };
  wireLog?: WireLog;
  /** The transport's limit: a study whose largest message exceeds it is refused. */
  maxMessageBytes: number;
}

export interface StudySummary {
  id: string;
  name: string;
  state: protocol.StudyState;
  round: number;
  rounds: number;
  joinCode: string;
  participants: number;
  config: protocol.StudyConfig;
  /** When the researcher created it (ms since the epoch). */
  createdAt: number;
  /** Why the relay paused the study or could not bring it back after a restart, with what to do. */
  notice?: string;
}

/** A study configuration refused, with the field it concerns (the console shows the message there). */
export class StudyConfigError extends Error {
  override readonly name = 'StudyConfigError';
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

/** Headroom on top of the largest tensor frame for socket.io's packet framing and headers. */
const MESSAGE_OVERHEAD_BYTES = 64 * 1024;

export class StudyRegistry implements ParticipantDirectory {
  private readonly runtimes = new Map<string, StudyRuntime>();
  private readonly frameLimits = new Map<string, number>();
  /** The last round of each study that finished while the relay ran (its runtime is gone). */
  private readonly finishedRounds = new Map<string, RoundSummary>();
  /** Studies a restart could not bring back, with the reason. */
  private readonly unrestored = new Map<string, string>();
  private readonly observers: StudyObserver[] = [];
  /** Every study reports to this; it passes on to the observers registered with observe(). */
  private readonly fanOut: StudyObserver = {
    studyChanged: (studyId) => this.observers.forEach((observer) => observer.studyChanged(studyId)),
    roundRecorded: (studyId, round) => this.observers.forEach((observer) => observer.roundRecorded(studyId, round)),
    clientsChanged: (studyId) => this.observers.forEach((observer) => observer.clientsChanged(studyId)),
  };

  constructor(private readonly options: StudyRegistryOptions) {}

  /** Be told about every study's changes, rounds and clients (the dashboard). */
  observe(observer: StudyObserver): void {
    this.observers.push(observer);
  }

  /**
   * Brings back every unfinished study; one interrupted mid-training resumes from its last
   * completed round. A damaged checkpoint costs its study the rounds back to its newest
   * intact one; a study that cannot be brought back at all stays stopped with the reason,
   * and never keeps the relay (and every other study) from starting.
   */
  async restore(): Promise<void> {
    for (const study of this.options.studies.list()) {
      if (study.state === 'finished') continue;
      try {
        const latest = await this.intactCheckpoint(study.id);
        const checkpoint = latest ? this.checkpointWeights(Object.fromEntries(latest.blobs)) : undefined;
        const round = latest ? Math.min(study.round, latest.round) : 0;
        this.launch(study, round, checkpoint);
        this.options.log.info('study restored', { study: study.id, state: study.state, round });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.unrestored.set(study.id, `the relay could not bring this study back after its restart (${reason}); its data is untouched: repair or remove the files named, then restart the relay`);
        this.options.log.error('study not restored', { study: study.id, reason });
        this.options.audit.append({ studyId: study.id, actor: 'relay', action: 'study not restored', details: { reason } });
      }
    }
  }

  /** The newest checkpoint that reads back intact, newest first; undefined when there is none at all. */
  private async intactCheckpoint(studyId: string): Promise<Checkpoint | undefined> {
    const { checkpoints, log } = this.options;
    let firstProblem: unknown;
    try {
      return await checkpoints.latest(studyId);
    } catch (error) {
      firstProblem = error;
    }
    for (const round of (await checkpoints.rounds(studyId)).reverse()) {
      try {
        const checkpoint = await checkpoints.load(studyId, round);
        if (!checkpoint) continue;
        log.warn('resuming from an older checkpoint: the newest is damaged', { study: studyId, round, problem: firstProblem instanceof Error ? firstProblem.message : String(firstProblem) });
        return checkpoint;
      } catch {
        // Also damaged: try the one before.
      }
    }
    throw firstProblem;
  }

  /** `actor` is who asked, for the audit log: the relay itself for its demo studies. */
  create(input: unknown, state: protocol.StudyState = 'open', actor: 'researcher' | 'relay' = 'researcher'): StudySummary {
    // Defaults of the recipe are filled in here, once, so the stored study names its augmentation.
    const config = studyLib.withRecipeDefaults(protocol.StudyConfigSchema.parse(input));
    if (config.inviteExpiresAt !== undefined && config.inviteExpiresAt <= Date.now()) {
      throw new StudyConfigError(`the invitation would end at ${new Date(config.inviteExpiresAt).toISOString()}, which has passed: give a time to come, or none for an open-ended invitation`, ['inviteExpiresAt']);
    }
    // Planning the roles validates models, cuts and input shapes before anything is stored
    // (the console's form runs the same planning before it submits).
    try {
      studyLib.studyRoleLayout(config);
    } catch (error) {
      throw new StudyConfigError(error instanceof Error ? error.message : String(error), studyLib.planningErrorPath(error));
    }
    const largest = studyLib.largestMessageBytes(config) + MESSAGE_OVERHEAD_BYTES;
    if (largest > this.options.maxMessageBytes) {
      throw new StudyConfigError(
        `this study's largest message would be ${(largest / 2 ** 20).toFixed(1)} MiB, over the relay's ${(this.options.maxMessageBytes / 2 ** 20).toFixed(0)} MiB limit: lower batchSize, cut later, or start the relay with a larger --max-message-mb`,
        ['batchSize'],
      );
    }
    const study = this.options.studies.create({ name: config.name, config, state });
    this.options.audit.append({ studyId: study.id, actor, action: 'study created', details: { topology: config.topology, schedule: config.schedule } });
    this.launch(study, 0, undefined);
    this.fanOut.studyChanged(study.id);
    return this.summary(study.id);
  }

  list(): StudySummary[] {
    return this.options.studies.list().map((study) => this.summary(study.id));
  }

  get(studyId: string): StudyRuntime | undefined {
    return this.runtimes.get(studyId);
  }

  /** Why a restart could not bring this study back (and what to do), if it could not. */
  unrestoredReason(studyId: string): string | undefined {
    return this.unrestored.get(studyId);
  }

  summary(studyId: string): StudySummary {
    const study = this.options.studies.get(studyId);
    if (!study) throw new Error(`no study ${studyId}`);
    const runtime = this.runtimes.get(studyId);
    return {
      id: study.id,
      name: study.name,
      state: runtime?.state ?? study.state,
      round: runtime?.round ?? study.round,
      rounds: study.config.rounds,
      joinCode: study.joinCode,
      participants: runtime ? [...runtime.sessions.values()].filter((session) => session.status !== 'disconnected').length : 0,
      config: study.config,
      createdAt: study.createdAt,
      ...this.noticeOf(studyId, runtime),
    };
  }

  private noticeOf(studyId: string, runtime: StudyRuntime | undefined): { notice?: string } {
    const notice = runtime?.notice ?? this.unrestored.get(studyId);
    return notice ? { notice } : {};
  }

  /** What read-only viewers may see: no join code. */
  publicInfo(studyId: string): Omit<StudySummary, 'joinCode'> & { latestRound: unknown } {
    const { joinCode: _joinCode, ...rest } = this.summary(studyId);
    return { ...rest, latestRound: this.runtimes.get(studyId)?.latestRound ?? this.finishedRounds.get(studyId) ?? null };
  }

  metrics(studyId: string): MetricRecord[] {
    return this.options.metrics.list(studyId, { participantId: null });
  }

  /**
   * The study's best round so far by its best-round metric (study/best_round.ts), from its
   * pooled validation rows: the round (0-based, as the rows name it) and the checkpoint that
   * holds its weights (saved after it, so numbered round + 1). Undefined before any validation.
   */
  bestRound(studyId: string): { round: number; checkpoint: number; metric: studyLib.BestRoundMetric } | undefined {
    const study = this.options.studies.get(studyId);
    if (!study) return undefined;
    const metric = study.config.bestRoundMetric ?? 'auc';
    const rows = this.metrics(studyId).filter((record) => record.phase === 'val');
    const round = studyLib.bestRound(rows.map((record) => ({ ...(record.metrics as Omit<studyLib.RoundFigures, 'round'>), round: record.round })), metric);
    return round === undefined ? undefined : { round, checkpoint: round + 1, metric };
  }

  /**
   * A study's stored configuration and a checkpoint for exporting its segments: the best
   * round's by default (the latest when that one is gone or no round was validated), the
   * latest, or a given round's. Read from storage: finished studies export after a restart
   * too. Undefined for an unknown study; `checkpoint` undefined when there is none (yet).
   */
  async checkpointOf(studyId: string, round: number | 'best' | 'latest' = 'best'): Promise<{ config: protocol.StudyConfig; checkpoint: Checkpoint | undefined; best: ReturnType<StudyRegistry['bestRound']> } | undefined> {
    const study = this.options.studies.get(studyId);
    if (!study) return undefined;
    const best = this.bestRound(studyId);
    const { checkpoints } = this.options;
    const checkpoint =
      typeof round === 'number' ? await checkpoints.load(study.id, round) : (round === 'best' && best ? await checkpoints.load(study.id, best.checkpoint) : undefined) ?? (await checkpoints.latest(study.id));
    return { config: study.config, checkpoint, best };
  }

  control(studyId: string, action: 'start' | 'pause' | 'resume' | 'stop', actor: 'researcher' | 'relay' = 'researcher'): protocol.StudyState {
    const runtime = this.runtimes.get(studyId);
    if (!runtime) throw new Error(this.unrestored.get(studyId) ?? `study ${studyId} is finished or unknown`);
    return runtime.control(action, actor);
  }

  /**
   * Removes a study for good: stops it if it still runs, then deletes its checkpoints and
   * its rows (participants, metrics and server-held labels go with the study row). Audit
   * lines stay, and one more says who deleted it. False when there was no such study.
   */
  async deleteStudy(studyId: string, actor: 'researcher' | 'relay' = 'relay'): Promise<boolean> {
    const runtime = this.runtimes.get(studyId);
    if (runtime) {
      if (runtime.state !== 'finished') runtime.control('stop', actor);
      // The segment worker ends before the rows go, so no round of this study writes afterwards.
      await runtime.shutdown();
      this.runtimes.delete(studyId);
      this.frameLimits.delete(studyId);
    }
    await this.options.checkpoints.deleteStudy(studyId);
    const deleted = this.options.studies.delete(studyId);
    if (deleted) this.options.audit.append({ studyId, actor, action: 'study deleted' });
    return deleted;
  }

  /**
   * The researcher's table of labels for a vertical study whose server holds them: read by
   * split-core's rule (rows it cannot use are listed), kept, and used when the parties align.
   */
  setServerLabels(studyId: string, csv: string, idColumn?: string): { rows: number; classCounts: Record<string, number>; skipped: { path: string; reason: string }[] } {
    const runtime = this.runtimes.get(studyId);
    if (!runtime) throw new Error(`study ${studyId} is finished or unknown`);
    const parties = studyLib.partiesStudy(runtime.config);
    if (parties?.labelHolder !== 'server') throw new Error('only a study whose labelHolder is "server" takes a table of labels');
    const read = studyLib.serverLabelRows(parties, csv, idColumn !== undefined ? { idColumn } : {});
    if (read.data.samples.length === 0) throw new Error(`none of the table's rows can be used (${read.skipped.slice(0, 3).map((skip) => `${skip.path}: ${skip.reason}`).join('; ') || 'it has no rows'})`);
    runtime.setServerLabels(read.data);
    this.options.serverLabels.save(studyId, { idColumn: idColumn ?? parties.idColumn, csv, rows: read.data.samples.length });
    // Counts only: the ids stay in their own table.
    this.options.audit.append({ studyId, actor: 'researcher', action: 'server labels set', details: { rows: read.data.samples.length, skipped: read.skipped.length } });
    return { rows: read.data.samples.length, classCounts: data.classCounts(read.data), skipped: read.skipped.slice(0, 100) };
  }

  /** Changes a running study's schedule and/or codec, from its next round on. */
  reconfigure(studyId: string, change: protocol.StudyConfigChange): protocol.StudyConfig {
    const runtime = this.runtimes.get(studyId);
    if (!runtime) throw new Error(`study ${studyId} is finished or unknown`);
    return runtime.reconfigure(change);
  }

  /** What any viewer may see of a study, running or not; undefined for an unknown id. */
  studyInfo(studyId: string): protocol.StudyInfo | undefined {
    const runtime = this.runtimes.get(studyId);
    if (runtime) return runtime.info();
    const study = this.options.studies.get(studyId);
    return study ? { id: study.id, config: study.config, state: study.state, round: study.round } : undefined;
  }

  joinCode(studyId: string): string {
    return this.summary(studyId).joinCode;
  }

  revokeJoinCode(studyId: string): string {
    const study = this.options.studies.regenerateJoinCode(studyId);
    if (!study) throw new Error(`no study ${studyId}`);
    this.options.audit.append({ studyId, actor: 'researcher', action: 'join code revoked' });
    this.fanOut.studyChanged(studyId);
    return study.joinCode;
  }

  // ParticipantDirectory

  studyByJoinCode(joinCode: string): StudyRuntime | undefined {
    const study = this.options.studies.getByJoinCode(joinCode);
    return study ? this.runtimes.get(study.id) : undefined;
  }

  studyById(studyId: string): StudyRuntime | undefined {
    return this.runtimes.get(studyId);
  }

  register(study: StudyRuntime, hello: protocol.Hello): { participantId: string; resumeToken: string } {
    const { participant, resumeToken } = this.options.participants.create({
      studyId: study.id,
      kind: hello.client.kind,
      label: hello.client.label ?? null,
      backend: hello.client.backend || 'unknown',
      trainCount: hello.data.trainCount,
      valCount: hello.data.valCount,
      classCounts: hello.data.classCounts,
    });
    this.options.audit.append({ studyId: study.id, participantId: participant.id, actor: 'participant', action: 'joined', details: { kind: hello.client.kind } });
    return { participantId: participant.id, resumeToken };
  }

  resume(study: StudyRuntime, participantId: string, resumeToken: string, hello: protocol.Hello): boolean {
    const participant = this.options.participants.verifyResume(participantId, resumeToken);
    if (!participant || participant.studyId !== study.id) return false;
    this.options.participants.updateProfile(participantId, {
      backend: hello.client.backend || 'unknown',
      trainCount: hello.data.trainCount,
      valCount: hello.data.valCount,
      classCounts: hello.data.classCounts,
    });
    this.options.participants.setStatus(participantId, 'active');
    this.options.audit.append({ studyId: study.id, participantId, actor: 'participant', action: 'rejoined' });
    return true;
  }

  withdraw(study: StudyRuntime, participantId: string): void {
    // The repository deletes the participant's personal data and writes the audit line.
    this.options.participants.withdraw(participantId);
  }

  maxFrameBytes(study: StudyRuntime): number {
    return this.frameLimits.get(study.id) ?? MESSAGE_OVERHEAD_BYTES;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((runtime) => runtime.shutdown()));
    this.runtimes.clear();
  }

  private persistence(): StudyPersistence {
    const { studies, metrics, audit, checkpoints, participants } = this.options;
    // A round can end after one of its participants withdrew: nothing recorded from then on
    // may name them again (withdrawal has already redacted what was there).
    const withdrawn = (participantId: string | null | undefined): boolean => !!participantId && participants.get(participantId)?.status === 'withdrawn';
    return {
      saveProgress: (studyId, state, round) => void studies.update(studyId, { state, round }),
      saveConfig: (studyId, config) => void studies.update(studyId, { config }),
      recordMetrics: (studyId, round, phase, participantId, values) => {
        if (!withdrawn(participantId)) metrics.insert({ studyId, round, phase, participantId, metrics: values });
      },
      audit: (studyId, actor, action, details, participantId) => {
        if (withdrawn(participantId)) audit.append({ studyId, actor, action });
        else audit.append({ studyId, actor, action, ...(details ? { details } : {}), ...(participantId ? { participantId } : {}) });
      },
      saveCheckpoint: async (studyId, round, blobs) => {
        // The best round's checkpoint outlives the pruning of older ones: exports default to it.
        const best = this.bestRound(studyId);
        await checkpoints.save(studyId, round, { manifest: { round }, blobs }, { keepAlso: best ? [best.checkpoint] : [] });
      },
      bestCheckpoint: async (studyId) => {
        const best = this.bestRound(studyId);
        const stored = best ? await checkpoints.load(studyId, best.checkpoint) : undefined;
        if (!stored) return undefined;
        return { round: stored.round, client: this.checkpointWeights(Object.fromEntries(stored.blobs)).client ?? [] };
      },
    };
  }

  /** A restarted study gets its server-held labels back from storage. */
  private storedServerLabels(study: Study<protocol.StudyConfig>): { serverLabels?: ReturnType<typeof studyLib.serverLabelRows>['data'] } {
    const parties = studyLib.partiesStudy(study.config);
    if (parties?.labelHolder !== 'server') return {};
    const stored = this.options.serverLabels.get(study.id);
    return stored ? { serverLabels: studyLib.serverLabelRows(parties, stored.csv, { idColumn: stored.idColumn }).data } : {};
  }

  private checkpointWeights(blobs: Record<string, Uint8Array>): { server: Uint8Array[]; client?: Uint8Array[] } {
    const ordered = (prefix: string): Uint8Array[] =>
      Object.keys(blobs)
        .filter((name) => name.startsWith(prefix))
        .sort()
        .map((name) => blobs[name] as Uint8Array);
    const client = ordered('client-segment');
    return { server: ordered('server-segment'), ...(client.length > 0 ? { client } : {}) };
  }

  private launch(study: Study<protocol.StudyConfig>, round: number, checkpoint: { server: Uint8Array[]; client?: Uint8Array[] } | undefined): void {
    const frameLimit = studyLib.largestMessageBytes(study.config) + MESSAGE_OVERHEAD_BYTES;
    this.frameLimits.set(study.id, frameLimit);
    const runtime = new StudyRuntime({
      id: study.id,
      config: study.config,
      state: study.state,
      round,
      io: this.options.io,
      persistence: this.persistence(),
      log: this.options.log.child(study.id.slice(0, 8)),
      timeouts: this.options.timeouts,
      ...(this.options.wireLog ? { wireLog: this.options.wireLog } : {}),
      ...(checkpoint && checkpoint.server.length > 0 ? { checkpoint } : {}),
      clientTotals: totalsFromRecords(this.options.metrics.list(study.id)),
      ...this.storedServerLabels(study),
      observer: this.fanOut,
      onFinished: () => {
        // Storage answers for a finished study from now on; only its last round's summary is kept.
        if (runtime.latestRound) this.finishedRounds.set(study.id, runtime.latestRound);
        this.runtimes.delete(study.id);
        this.frameLimits.delete(study.id);
      },
    });
    this.runtimes.set(study.id, runtime);
    runtime.start();
  }
}
