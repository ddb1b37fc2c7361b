import { TrafficMeter } from '../accounting/traffic';
import { segmentFileStem, segmentMetadata } from '../artifacts/metadata';
import { DEFAULT_WEIGHTS_FILE, segmentFilesFromWeights, type SegmentFiles } from '../artifacts/segment_files';
import { classCounts } from '../data/classes';
import type { Dataset } from '../data/dataset';
import { readWeights, writeWeights } from '../model/weights';
import { decodeWeights, encodeWeights } from '../model/weights_frames';
import { weightsDigest } from '../model/weights_digest';
import type { Binary, ClientToServerEvents, ServerToClientEvents } from '../protocol/events';
import { EpochStartSchema, StepHeaderSchema, WeightsHeaderSchema, type EpochReply, type HelloReply, type StudyInfo, type StudyStateMessage } from '../protocol/messages';
import { StudyStateMessageSchema } from '../protocol/messages';
import type { RelayError } from '../protocol/errors';
import { PROTOCOL_VERSION } from '../protocol/version';
import type { Encoding } from '../codec/types';
import { evaluationBatches, phaseBatches, trainingBatches } from '../runtime/batch_order';
import { localTrainingBatches, runWholeModelEpoch, type GradientExchange } from '../baselines/local_epoch';
import { studyMethod } from '../study/method';
import type { NamedWeight } from '../model/weights';
import { runClientEpoch } from '../runtime/client_epoch';
import { runHopEpoch } from '../runtime/hop_epoch';
import { routedLink } from '../topology/routed_link';
import { checkWiring, type Stage } from '../topology/wiring';
import { isIntermediate } from '../study/positions';
import { EpochStoppedError } from '../runtime/epoch_loop';
import { createRole, disposeRole, type ClientRole } from '../segment/roles';
import type { RolePlans } from '../topology/role_plans';
import { StepAbandonedError, StreamLink } from './stream_link';
import { studyRoleOptions, studyRolePlans, studySplit } from '../study/model';
import { partiesStudy } from '../study/config';
import { PartyAlignment, type AlignmentStatus } from './party_alignment';
import { handoffCipher, sealedSegment, type HandoffCipher } from '../privacy/sealed_handoff';
import { studyKeyCheck } from '../privacy/study_key';

// The client side of a study over the network: the same agent runs in a browser Web
// Worker and in the headless Node client. It holds the client segment(s), trains them
// when the relay asks, and only ever sends what the topology declares (cut activations,
// labels in vanilla mode, client-segment weights for hand-off and aggregation).

/** The part of a socket.io client socket the agent uses (kept structural: no socket.io import here). */
export interface ParticipantSocket {
  emit<E extends keyof ClientToServerEvents>(event: E, ...args: Parameters<ClientToServerEvents[E]>): unknown;
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): unknown;
  /** The connection dropped (socket.io's reserved 'disconnect' event). */
  onDisconnect(listener: () => void): unknown;
}

/** Adapts a socket.io client socket (browser or Node) to what the agent uses. */
export function participantSocket(socket: { emit(...args: never[]): unknown; on(event: string, listener: (...args: never[]) => void): unknown }): ParticipantSocket {
  return {
    emit: (event, ...args) => (socket.emit as (...all: unknown[]) => unknown)(event, ...args),
    on: (event, listener) => (socket.on as (name: string, handler: unknown) => unknown)(event, listener),
    onDisconnect: (listener) => socket.on('disconnect', listener),
  };
}

export interface ParticipantProgress {
  phase: 'train' | 'eval';
  round: number;
  step: number;
  steps: number;
  /** The codec this epoch's cut tensors travel in (the study's may change between rounds). */
  codec: Encoding;
  /** Mean loss so far this round, where this client computes the loss (U-shaped). */
  loss?: number;
}

export interface ParticipantEvents {
  onStudy?: (state: StudyStateMessage) => void;
  onProgress?: (progress: ParticipantProgress) => void;
  onRoundDone?: (summary: { phase: 'train' | 'eval'; round: number; steps: number; loss?: number }) => void;
  onError?: (error: RelayError) => void;
  /** A vertical party: how aligning its rows with the other parties goes. */
  onAlignment?: (status: AlignmentStatus) => void;
}

export interface ParticipantOptions {
  joinCode: string;
  /** The local data, already split into training and local validation samples (horizontal studies). */
  train: Dataset;
  val: Dataset;
  /**
   * In a vertical study: which party this participant is, and its rows keyed by patient id
   * (labels at the label holder). They are aligned with the other parties' before training,
   * and `train`/`val` are not used.
   */
  vertical?: { party: number; rows: Dataset; labelled: boolean };
  /**
   * Where the study has positions and this participant holds no rows of its own (extended
   * vanilla's intermediate participant, a multi-hop hop), or is a multi-hop data holder
   * (position 0, with `train` and `val`): the position it takes.
   */
  position?: number;
  client: { kind: 'browser' | 'node'; backend: string; label?: string };
  /** Saved from a previous join: rejoin as the same participant. */
  resume?: { participantId: string; resumeToken: string };
  /** The study key, where the study's hand-off is encrypted (the invite link's #key=...); never sent. */
  studyKey?: string;
  receiveTimeoutMs?: number;
  events?: ParticipantEvents;
}

export class JoinError extends Error {
  constructor(readonly error: RelayError) {
    super(error.message);
    this.name = 'JoinError';
  }
}

function toBytes(payload: Binary): Uint8Array {
  return payload instanceof Uint8Array ? payload : new Uint8Array(payload);
}

export class Participant {
  /** Everything this participant sent (up) and received (down), by kind. */
  readonly meter = new TrafficMeter();
  private study: StudyInfo | undefined;
  private plans: RolePlans | undefined;
  private readonly alignment: PartyAlignment | undefined;
  private role: ClientRole | undefined;
  private credentials: { participantId: string; resumeToken: string } | undefined;
  /** This epoch's links, by the other end: the server, or a member of the group. */
  private activeLinks = new Map<number | 'server', StreamLink>();
  private paused = false;
  /** The study's completed rounds, from the relay's state messages: what the segments carry. */
  private roundsDone = 0;
  /** Rounds behind the weights held, where the relay said (its best round's, handed over at the end); roundsDone otherwise. */
  private heldRounds: number | undefined;
  /** Large-batch SGD: the step waiting for the relay's average, failed at once if the connection drops. */
  private readonly awaitingAverage = new Set<(error: Error) => void>();
  /** Seals and opens hand-off weights, in a study whose hand-off is encrypted. */
  private cipher: HandoffCipher | undefined;
  /**
   * Encrypted hand-off: the relay knows weights by the digest of their sealed form, which it
   * can compute; this pairs the last sealed set this participant opened or made with the
   * digest of the weights inside, so that it can name the weights it holds as the relay does.
   */
  private sealedDigest: { plain: string; carried: string } | undefined;

  constructor(
    private readonly socket: ParticipantSocket,
    private readonly options: ParticipantOptions,
  ) {
    socket.on('study:state', (state) => {
      const parsed = StudyStateMessageSchema.safeParse(state);
      if (!parsed.success) return;
      if (parsed.data.studyId === this.study?.id) this.roundsDone = parsed.data.round;
      this.adoptRunningChanges(parsed.data);
      options.events?.onStudy?.(parsed.data);
    });
    socket.on('relay:error', (error) => options.events?.onError?.(error));
    if (options.vertical) {
      const record = (direction: 'up' | 'down', bytes: number): void => this.meter.record({ participantId: 'self', direction, kind: 'alignment', bytes });
      this.alignment = new PartyAlignment(socket, options.vertical.rows, () => this.study, options.events?.onAlignment, record);
    }
    // A dropped connection ends the step in progress at once rather than after the timeout.
    socket.onDisconnect(() => this.failLinks(new StepAbandonedError('the connection to the relay dropped')));
    socket.on('step:frame', (header, payload) => this.onFrame(header, payload));
    socket.on('epoch:start', (start, ack) => {
      this.runEpoch(start).then(ack, (error: unknown) => ack({ ok: false, error: { code: 'client-error', message: error instanceof Error ? error.message : String(error) } }));
    });
    socket.on('weights:apply', (header, bundles, ack) => {
      const parsed = WeightsHeaderSchema.safeParse(header);
      if (!parsed.success) return ack({ ok: false, error: { code: 'bad-message', message: 'could not load the weights: malformed weights header' } });
      this.applyWeights(bundles).then(
        () => {
          this.heldRounds = parsed.data.trainedRounds;
          ack({ ok: true });
        },
        (error: unknown) => ack({ ok: false, error: { code: 'bad-message', message: `could not load the weights: ${error instanceof Error ? error.message : String(error)}` } }),
      );
    });
    socket.on('weights:request', (header, ack) => {
      if (!WeightsHeaderSchema.safeParse(header).success) return ack({ ok: false, error: { code: 'bad-message', message: 'malformed weights header' } });
      this.currentWeights().then(
        (bundles) => ack({ ok: true, bundles }),
        (error: unknown) => ack({ ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } }),
      );
    });
  }

  get studyInfo(): StudyInfo | undefined {
    return this.study;
  }

  get identity(): { participantId: string; resumeToken: string } | undefined {
    return this.credentials;
  }

  get rolePlans(): RolePlans | undefined {
    return this.plans;
  }

  /** Says hello to the relay and builds the client segments from the study's configuration. */
  async join(): Promise<StudyInfo> {
    const { train, val, client, joinCode } = this.options;
    // A rejoin (reconnect, page reload) presents the identity from the first join.
    const resume = this.credentials ?? this.options.resume;
    // Only the key's check goes to the relay, which refuses a participant whose key is not the study's.
    const keyCheck = this.options.studyKey ? await studyKeyCheck(this.options.studyKey) : undefined;
    const reply = await new Promise<HelloReply>((resolve) => {
      this.socket.emit(
        'participant:hello',
        {
          protocolVersion: PROTOCOL_VERSION,
          joinCode,
          ...(resume ?? {}),
          ...(keyCheck ? { handoffKeyCheck: keyCheck } : {}),
          client,
          ...(this.position !== undefined ? { party: this.position } : {}),
          // A vertical party does not know its training rows before the alignment: it declares all it holds.
          data: this.options.vertical
            ? { trainCount: this.options.vertical.rows.samples.length, valCount: 0, classCounts: this.options.vertical.labelled ? classCounts(this.options.vertical.rows) : {} }
            : { trainCount: train.samples.length, valCount: val.samples.length, classCounts: classCounts(train) },
        },
        resolve,
      );
    });
    if (!reply.ok) throw new JoinError(reply.error);
    this.credentials = { participantId: reply.participantId, resumeToken: reply.resumeToken };
    this.study = reply.study;
    if (reply.study.config.handoffKeyCheck && this.options.studyKey) this.cipher ??= await handoffCipher(this.options.studyKey, reply.study.id);
    this.roundsDone = reply.study.round;
    if (!this.role) {
      const party = this.position ?? 0;
      this.plans = studyRolePlans(reply.study.config, () => party);
      this.role = createRole('client', this.plans.client(''), studyRoleOptions(reply.study.config));
    }
    return reply.study;
  }

  /**
   * This device's client segment(s) as tfjs model files, for the clinician to keep: the
   * model the study trained here, labelled with what it is (segmentMetadata). The weights
   * are copied synchronously first, so a step running meanwhile cannot tear the snapshot.
   */
  async exportClientSegments(weightsFile: (stem: string) => string = () => DEFAULT_WEIGHTS_FILE): Promise<SegmentFiles[]> {
    const { role, study } = this.requireRole();
    const method = studyMethod(study.config);
    if (!method.serverSegment) throw new Error(`saving the model of a ${method.title.toLowerCase()} study as model files is not available yet: the whole model stays in this participant while the study runs`);
    if (partiesStudy(study.config)) throw new Error(`saving a ${study.config.topology} party\u2019s encoder as model files is not available yet: its weights stay in this participant while the study runs`);
    const split = studySplit(study.config);
    const snapshot = role.segments.map((segment) => ({ plan: segment.plan, name: segment.model.name, weights: readWeights(segment.model) }));
    const digest = weightsDigest(snapshot.map((segment) => segment.weights));
    const files: SegmentFiles[] = [];
    for (const { plan, name, weights } of snapshot) {
      const metadata = segmentMetadata({ study, split, plan, trainedRounds: this.heldRounds ?? this.roundsDone, weightsDigest: digest });
      files.push(await segmentFilesFromWeights(plan, name, weights, metadata, weightsFile(segmentFileStem(metadata))));
    }
    return files;
  }

  /** The weights this device holds now, segment by segment (a copy). */
  /** Rounds of training behind the client weights held: the best round's where the relay handed those over at the end, the last round's otherwise. */
  trainedRounds(): number {
    return this.heldRounds ?? this.roundsDone;
  }

  clientWeights(): NamedWeight[][] {
    return this.requireRole().role.segments.map((segment) => readWeights(segment.model));
  }

  /** Finishes the current step, then declines further rounds until resumed. */
  pause(): void {
    this.paused = true;
    this.socket.emit('participant:status', { status: 'paused' });
  }

  resume(): void {
    this.paused = false;
    this.socket.emit('participant:status', { status: 'ready' });
  }

  /** Ends participation; the relay deletes what it stored about this participant. */
  withdraw(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.emit('participant:withdraw', (reply) => (reply.ok ? resolve() : reject(new Error(reply.error.message))));
    });
  }

  /** The party or chain position this participant takes, where the study has several. */
  private get position(): number | undefined {
    return this.options.vertical?.party ?? this.options.position;
  }

  private failLinks(error: Error): void {
    for (const link of this.activeLinks.values()) link.fail(error);
    for (const fail of this.awaitingAverage) fail(error);
  }

  dispose(): void {
    this.failLinks(new Error('participant disposed'));
    if (this.role) disposeRole(this.role);
    this.role = undefined;
  }

  /**
   * Only what may change while a study runs (schedule, codec) is taken from a state message:
   * the segments were built from the configuration at join and stay as they are.
   */
  private adoptRunningChanges(state: StudyStateMessage): void {
    const study = this.study;
    if (!study || !state.config || state.studyId !== study.id) return;
    this.study = { ...study, state: state.state, round: state.round, config: { ...study.config, schedule: state.config.schedule, codec: state.config.codec } };
  }

  private requireRole(): { role: ClientRole; plans: RolePlans; study: StudyInfo } {
    if (!this.role || !this.plans || !this.study) throw new Error('join the study first');
    return { role: this.role, plans: this.plans, study: this.study };
  }

  /** The rows an epoch of this phase runs over: the aligned ones for a vertical party. */
  private dataFor(phase: 'train' | 'eval'): Dataset {
    if (this.options.vertical === undefined && isIntermediate(this.requireRole().study.config, this.position)) return { classes: [], sampleShape: [], samples: [] };
    if (!this.alignment) return phase === 'train' ? this.options.train : this.options.val;
    const aligned = this.alignment.aligned;
    if (!aligned) throw new Error('the rows are not aligned with the other parties yet');
    return phase === 'train' ? aligned.train : aligned.val;
  }

  private onFrame(header: unknown, payload: Binary): void {
    const parsed = StepHeaderSchema.safeParse(header);
    const link = parsed.success ? this.activeLinks.get(parsed.data.peer ?? 'server') : undefined;
    if (!parsed.success || !link) {
      this.options.events?.onError?.({ code: 'bad-message', message: 'unexpected step frame from the relay', event: 'step:frame' });
      return;
    }
    const bytes = toBytes(payload);
    this.meter.record({ participantId: 'self', direction: 'down', kind: parsed.data.kind, bytes: bytes.byteLength });
    const refusal = link.deliver(parsed.data, bytes);
    if (refusal) this.options.events?.onError?.({ code: refusal.code, message: refusal.message, event: 'step:frame' });
  }

  private async runEpoch(start: unknown): Promise<EpochReply> {
    const parsed = EpochStartSchema.safeParse(start);
    if (!parsed.success) return { ok: false, error: { code: 'bad-message', message: 'malformed epoch:start' } };
    const { round, steps, phase, studyId } = parsed.data;
    if (this.paused) return { ok: false, error: { code: 'paused', message: 'this participant is paused' } };
    const { role, plans, study } = this.requireRole();
    const codec = parsed.data.codec ?? study.config.codec;
    const data = this.dataFor(phase);
    const { seed } = study.config;
    // The batch-order rule keys an epoch by its training group: the relay names it (the
    // parties of a vertical group share one), else the participant is its own group.
    const group = parsed.data.group ?? this.credentials?.participantId ?? '';
    // Where members feed each other, the relay says who feeds whom and where this one stands.
    const wiring = parsed.data.wiring;
    const stage: Stage | undefined = wiring ? wiring.stages[wiring.index] : { kind: 'data', feeds: 'server' };
    try {
      if (wiring) checkWiring(wiring);
      if (!stage) throw new Error(`member ${wiring?.index ?? '?'} is not in the group's wiring`);
    } catch (error) {
      return { ok: false, error: { code: 'bad-message', message: `malformed epoch:start: ${error instanceof Error ? error.message : String(error)}` } };
    }
    if ((stage.kind === 'hop') !== isIntermediate(study.config, this.position)) {
      return { ok: false, error: { code: 'bad-message', message: `the relay placed this participant as ${stage.kind === 'hop' ? 'an intermediate participant' : 'a data holder'}, but it joined as position ${String(this.position)}` } };
    }
    const method = studyMethod(study.config);
    const batches = this.epochBatches(phase, data.samples, { seed, group, round });
    if (batches.length === 0 && steps > 0 && stage.kind === 'data') return { ok: false, error: { code: 'no-data', message: `no ${phase} samples on this device` } };
    // The relay starts an epoch only after giving up on the previous one (its server side failed): that one ends now.
    this.failLinks(new StepAbandonedError('the relay started another epoch'));
    const links = new Map<number | 'server', StreamLink>();
    const linkTo = (peer: number | 'server'): StreamLink => {
      const link = new StreamLink({
        studyId,
        round,
        phase,
        encoding: codec,
        maxFrameBytes: 512 * 1024 * 1024,
        // A data holder streams its validation batches without waiting: an intermediate participant takes them as they come.
        ...(phase === 'eval' && stage.kind === 'hop' ? { maxStepsAhead: Math.max(1, steps - 1) } : {}),
        receiveTimeoutMs: this.options.receiveTimeoutMs ?? 120_000,
        sink: (header, payload) => this.socket.emit('step:frame', peer === 'server' ? header : { ...header, peer }, payload),
        meter: { meter: this.meter, participantId: 'self', direction: 'up' },
      });
      links.set(peer, link);
      return link;
    };
    this.activeLinks = links;
    const hooks = {
      stopReason: () => (this.paused ? 'paused' : undefined),
      afterStep: (step: number, _outcome: unknown, sofar: { loss: number | undefined }) => {
        const loss = sofar.loss;
        this.options.events?.onProgress?.({ phase, round, step: step + 1, steps, codec, ...(loss !== undefined ? { loss } : {}) });
      },
    };
    let tally;
    try {
      if (!method.serverSegment) {
        // A baseline: the whole model trains (or scores) here; only its gradients or weights leave.
        tally = await runWholeModelEpoch({
          segment: role.segments[0] as NonNullable<(typeof role.segments)[0]>,
          phase,
          key: { seed, group, round },
          ...(role.augmentation ? { augmentation: role.augmentation } : {}),
          batches,
          steps,
          sampleShape: data.sampleShape,
          numClasses: plans.numClasses,
          ...(phase === 'train' && method.syncsGradients ? { exchange: this.gradientExchange(studyId, round) } : {}),
          hooks,
        });
      } else if (stage.kind === 'hop') {
        tally = await runHopEpoch({ role, upstream: stage.from.map(linkTo), downstream: linkTo(stage.feeds), phase, round, steps, hooks });
      } else {
        const feed = linkTo(stage.feeds);
        // Labels never travel along a hop: a label holder feeding another member has its own line to the server.
        const holdsLabels = plans.holdsLabels('');
        const link = holdsLabels && stage.feeds !== 'server' ? routedLink({ activations: feed, gradients: feed, labels: linkTo('server') }) : feed;
        tally = await runClientEpoch({
          topology: plans.topology,
          role,
          link,
          key: { seed, group, round },
          phase,
          batches,
          steps,
          sampleShape: data.sampleShape,
          numClasses: plans.numClasses,
          ...(plans.taskClasses ? { taskClasses: plans.taskClasses } : {}),
          holdsLabels,
          hooks,
        });
      }
    } catch (error) {
      if (error instanceof EpochStoppedError) return { ok: false, error: { code: 'paused', message: `paused after ${error.stepsDone} of ${steps} steps` } };
      throw error;
    } finally {
      if (this.activeLinks === links) this.activeLinks = new Map();
    }
    const { loss, accuracy } = tally;
    this.options.events?.onRoundDone?.({ phase, round, steps, ...(loss !== undefined ? { loss } : {}) });
    if (phase === 'eval') {
      // Evaluation leaves the weights as they were: these are the weights just scored.
      const scored = { weightsDigest: this.heldDigest() };
      const metrics = tally.metrics(plans.numClasses);
      if (!metrics) return { ok: true, steps, ...scored };
      const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
      return {
        ok: true,
        steps,
        ...scored,
        metrics: { ...metrics, auc: finite(metrics.auc), sensitivity: finite(metrics.sensitivity), specificity: finite(metrics.specificity) },
      };
    }
    // A baseline's weights changed here alone: the relay learns which ones this client holds (an average it need not send again).
    const held = method.serverSegment ? {} : { weightsDigest: this.heldDigest() };
    return { ok: true, steps, ...(loss !== undefined ? { loss } : {}), ...(accuracy !== undefined ? { accuracy } : {}), ...held };
  }

  /** The batches of an epoch: split learning's phase batches, or a baseline's (federated averaging's local epochs, capped like a round). */
  private epochBatches<T>(phase: 'train' | 'eval', samples: readonly T[], key: { seed: number; group: string; round: number }): T[][] {
    const { config } = this.requireRole().study;
    const method = studyMethod(config);
    if (method.serverSegment) return phaseBatches(phase, samples, config.batchSize, key);
    if (phase === 'eval') return evaluationBatches(samples, config.batchSize);
    const localEpochs = method.localEpochs && 'localEpochs' in config ? (config.localEpochs ?? 1) : 1;
    return method.localEpochs ? localTrainingBatches(samples, config.batchSize, key, localEpochs, config.maxStepsPerRound) : trainingBatches(samples, config.batchSize, key).slice(0, config.maxStepsPerRound);
  }

  /** Large-batch SGD: each step's gradients go to the relay, and the average of every client's comes back. */
  private gradientExchange(studyId: string, round: number): GradientExchange {
    const timeoutMs = this.options.receiveTimeoutMs ?? 120_000;
    return (step, samples, gradients) =>
      new Promise<NamedWeight[]>((resolve, reject) => {
        const bundle = samples > 0 ? encodeWeights(gradients) : null;
        if (bundle) this.meter.record({ participantId: 'self', direction: 'up', kind: 'gradients', bytes: bundle.byteLength });
        const fail = (error: Error): void => {
          clearTimeout(timer);
          this.awaitingAverage.delete(fail);
          reject(error);
        };
        const timer = setTimeout(() => fail(new Error(`the relay sent no averaged gradient for step ${step} within ${timeoutMs} ms`)), timeoutMs);
        this.awaitingAverage.add(fail);
        this.socket.emit('gradients:sync', { studyId, round, step, samples }, bundle, (reply) => {
          clearTimeout(timer);
          this.awaitingAverage.delete(fail);
          if (!reply.ok) return reject(new Error(`the relay refused this step's gradients: ${reply.error.message}`));
          try {
            const bytes = toBytes(reply.bundle);
            this.meter.record({ participantId: 'self', direction: 'down', kind: 'gradients', bytes: bytes.byteLength });
            resolve(decodeWeights(bytes));
          } catch (error) {
            reject(new Error(`the relay's averaged gradient could not be read: ${error instanceof Error ? error.message : String(error)}`));
          }
        });
      });
  }

  /** Loads the weights the relay hands over (opened with the study key first where the hand-off is encrypted): all segments or none. */
  private async applyWeights(bundles: Binary[]): Promise<void> {
    const { role } = this.requireRole();
    if (bundles.length !== role.segments.length) throw new Error(`expected ${role.segments.length} weight bundles, got ${bundles.length}`);
    const weights = await Promise.all(
      bundles.map(async (bundle, i) => {
        const bytes = toBytes(bundle);
        this.meter.record({ participantId: 'self', direction: 'down', kind: 'weights', bytes: bytes.byteLength });
        return decodeWeights(this.cipher ? await this.cipher.open(bytes, i) : bytes);
      }),
    );
    role.segments.forEach((segment, i) => writeWeights(segment.model, weights[i] ?? []));
    if (this.cipher) this.sealedDigest = { plain: weightsDigest(weights), carried: weightsDigest(bundles.map((bundle) => sealedSegment(toBytes(bundle)))) };
  }

  /** The digest of the weights this participant holds, as the relay names them. */
  private heldDigest(): string {
    const plain = weightsDigest(this.requireRole().role.segments.map((segment) => readWeights(segment.model)));
    return this.sealedDigest?.plain === plain ? this.sealedDigest.carried : plain;
  }

  /** The weights to hand over, one bundle per segment (sealed with the study key where the hand-off is encrypted). */
  private async currentWeights(): Promise<Uint8Array[]> {
    const { role } = this.requireRole();
    // Read synchronously first, so a step running meanwhile cannot tear the set.
    const weights = role.segments.map((segment) => readWeights(segment.model));
    const { cipher } = this;
    const encoded = weights.map((segment) => encodeWeights(segment));
    const bundles = cipher ? await Promise.all(encoded.map((bundle, i) => cipher.seal(bundle, i))) : encoded;
    for (const bytes of bundles) this.meter.record({ participantId: 'self', direction: 'up', kind: 'weights', bytes: bytes.byteLength });
    if (cipher) this.sealedDigest = { plain: weightsDigest(weights), carried: weightsDigest(bundles.map((bundle) => sealedSegment(bundle))) };
    return bundles;
  }
}
