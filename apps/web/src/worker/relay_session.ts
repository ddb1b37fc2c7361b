import { network, type artifacts, type data, type protocol } from '@splitlearn/split-core';
import { io, type Socket } from 'socket.io-client';
import type { Traffic, WorkerError, WorkerToMain } from './messages';
import type { PreparedData } from './prepare_dataset';
import { describeFailure, fromRelayError } from './relay_errors';
import { toStudySummary } from './study_summary';
import { addDeclared, batchSizeAt, declaredStepBytes, describeEgress, noDeclaredBytes, type DeclaredBytes, type EgressInput } from '../lib/egress/what_leaves';

// One participation in one study: the socket.io connection (same origin, WebSocket only:
// the relay is served from the page's origin, and long-polling would add a second path for
// the binary frames) and split-core's Participant, which trains whenever the relay asks.
// This module only wires their events to the page.

type Post = (message: WorkerToMain) => void;
type Credentials = { participantId: string; resumeToken: string };
type RelaySocket = Socket<protocol.ServerToClientEvents, protocol.ClientToServerEvents>;

const NO_ROWS: data.Dataset = { classes: [], sampleShape: [], samples: [] };

/** How often measured traffic is re-read: weight transfers happen between steps, outside progress events. */
const TRAFFIC_POLL_MS = 1000;

/** What this device trains on: its prepared images, or (a vertical party) its table's rows to be aligned first. */
export type SessionData =
  /** `position`: where the study has positions, the one this device takes (a multi-hop data holder's). */
  | { kind: 'images'; prepared: PreparedData; position?: number }
  | { kind: 'table'; party: number; rows: data.Dataset; labelled: boolean }
  /** An intermediate participant (extended vanilla's, a multi-hop hop): no data of its own. */
  | { kind: 'intermediate'; position: number };

export interface RelaySessionOptions {
  joinCode: string;
  origin: string;
  data: SessionData;
  backend: string;
  egress: EgressInput;
  post: Post;
  /** Names this participant on the researcher's dashboard. */
  label?: string;
  /** The study key, where the study's hand-off is encrypted. */
  studyKey?: string;
}

export class RelaySession {
  private socket: RelaySocket | undefined;
  private participant: network.Participant | undefined;
  /** The options the participant was created with. */
  private participantOptions: network.ParticipantOptions | undefined;
  private declared: DeclaredBytes = noDeclaredBytes();
  /** The codec the "what leaves" panel states; the study's may change between rounds. */
  private statedCodec: EgressInput['codec'] | undefined;
  private lastTraffic = '';
  private trafficTimer: ReturnType<typeof setInterval> | undefined;
  private ended = false;
  /** Samples per phase: the prepared images', or a vertical party's once its rows are aligned. */
  private sampleCounts: { train: number; val: number };

  constructor(private readonly options: RelaySessionOptions) {
    const source = options.data;
    this.sampleCounts = source.kind === 'images' ? { train: source.prepared.train.samples.length, val: source.prepared.val.samples.length } : { train: 0, val: 0 };
  }

  /** Connects and joins; resolves false (after posting why) when the study could not be joined. */
  async start(resume: Credentials | undefined): Promise<boolean> {
    const { post, origin } = this.options;
    post({ type: 'connection', state: 'connecting' });
    const socket: RelaySocket = io(origin, { transports: ['websocket'], reconnectionDelayMax: 10_000 });
    this.socket = socket;
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', () => resolve(false));
    });
    if (!connected) {
      socket.disconnect();
      this.fail({ code: 'relay-unreachable', message: `could not open a WebSocket to ${origin}` });
      return false;
    }
    post({ type: 'connection', state: 'connected' });
    const source = this.options.data;
    // A vertical party's training and validation rows exist once aligned; the participant makes them.
    const none = (rows: data.Dataset): data.Dataset => ({ ...rows, samples: [] });
    this.participantOptions = {
      joinCode: this.options.joinCode,
      ...(source.kind === 'images'
        ? { train: source.prepared.train, val: source.prepared.val, ...(source.position !== undefined ? { position: source.position } : {}) }
        : source.kind === 'intermediate'
          ? { train: NO_ROWS, val: NO_ROWS, position: source.position }
          : { train: none(source.rows), val: none(source.rows), vertical: { party: source.party, rows: source.rows, labelled: source.labelled } }),
      client: { kind: 'browser', backend: this.options.backend, ...(this.options.label !== undefined ? { label: this.options.label } : {}) },
      ...(resume ? { resume } : {}),
      ...(this.options.studyKey ? { studyKey: this.options.studyKey } : {}),
      events: {
        onStudy: (state) => post({ type: 'study-state', state: state.state, round: state.round, participants: state.participants, ...(state.message !== undefined ? { message: state.message } : {}) }),
        onProgress: (progress) => this.onProgress(progress),
        onRoundDone: (summary) => {
          post({ type: 'round-done', ...summary });
          this.postTraffic();
        },
        onError: (error) => post({ type: 'error', error: fromRelayError(error) }),
        onAlignment: (status) => {
          if (status.train !== undefined && status.val !== undefined) this.sampleCounts = { train: status.train, val: status.val };
          post({ type: 'alignment', alignment: status });
        },
      },
    };
    this.participant = new network.Participant(network.participantSocket(socket), this.participantOptions);
    if (!(await this.join())) return false;
    socket.on('disconnect', (reason) => {
      if (this.ended || reason === 'io client disconnect') return;
      post({ type: 'connection', state: 'reconnecting' });
      post({ type: 'error', error: { code: 'connection-lost', message: `disconnected (${reason}); reconnecting` } });
    });
    // socket.io reconnects by itself; the relay sees a new socket, so say hello again as the same participant.
    socket.io.on('reconnect', () => {
      post({ type: 'connection', state: 'connected' });
      void this.join();
    });
    this.trafficTimer = setInterval(() => this.postTraffic(), TRAFFIC_POLL_MS);
    return true;
  }

  pause(): void {
    this.participant?.pause();
    this.options.post({ type: 'participation', status: 'paused' });
  }

  resume(): void {
    this.participant?.resume();
    this.options.post({ type: 'participation', status: 'active' });
  }

  /** Stops contributing and disconnects; the saved identity lets the clinician come back later. */
  leave(): void {
    this.end();
    this.options.post({ type: 'participation', status: 'left' });
  }

  /** Ends participation for good: the relay deletes what it stored about this participant. */
  async withdraw(): Promise<void> {
    const participant = this.participant;
    if (!participant) return;
    try {
      await participant.withdraw();
    } catch (error) {
      this.options.post({ type: 'error', error: { code: 'withdraw-failed', message: describeFailure(error) } });
      return;
    }
    this.end();
    this.options.post({ type: 'participation', status: 'withdrawn' });
  }

  /** This device's trained client segment(s) as tfjs model files; undefined before joining. */
  exportSegments(weightsFile: (stem: string) => string): Promise<artifacts.SegmentFiles[]> | undefined {
    return this.participant?.exportClientSegments(weightsFile);
  }

  private async join(): Promise<boolean> {
    const { participant, participantOptions } = this;
    if (!participant || !participantOptions) return false;
    let study: protocol.StudyInfo;
    try {
      study = await participant.join();
    } catch (error) {
      this.fail(error instanceof network.JoinError ? fromRelayError(error.error) : { code: 'internal', message: describeFailure(error) });
      return false;
    }
    const identity = participant.identity;
    if (!identity) return false;
    this.options.post({ type: 'joined', credentials: identity, study: toStudySummary(study) });
    this.options.post({ type: 'participation', status: 'active' });
    this.postTraffic();
    return true;
  }

  private onProgress(progress: network.ParticipantProgress): void {
    const { egress } = this.options;
    const samples = this.sampleCounts[progress.phase === 'train' ? 'train' : 'val'];
    const batch = batchSizeAt(samples, egress.batchSize, progress.step - 1);
    // The researcher may change the codec between rounds: declare in the one this step used.
    this.declared = addDeclared(this.declared, declaredStepBytes({ ...egress, codec: progress.codec }, progress.phase, batch));
    if (progress.codec !== (this.statedCodec ?? egress.codec)) {
      this.statedCodec = progress.codec;
      this.options.post({ type: 'egress', egress: describeEgress({ ...egress, codec: progress.codec }) });
    }
    this.options.post({ type: 'progress', ...progress });
    this.postTraffic();
  }

  private postTraffic(): void {
    const participant = this.participant;
    if (!participant) return;
    const snapshot = participant.meter.snapshot();
    const byKind: Traffic['measured']['byKind'] = {};
    for (const [kind, tally] of Object.entries(snapshot.byKind)) byKind[kind] = { up: tally.up, down: tally.down };
    const traffic: Traffic = { measured: { up: snapshot.up, down: snapshot.down, byKind }, declared: { ...this.declared } };
    const serialized = JSON.stringify(traffic);
    if (serialized === this.lastTraffic) return;
    this.lastTraffic = serialized;
    this.options.post({ type: 'traffic', traffic });
  }

  private fail(error: WorkerError): void {
    this.end();
    this.options.post({ type: 'error', error });
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.trafficTimer !== undefined) clearInterval(this.trafficTimer);
    this.postTraffic();
    this.participant?.dispose();
    this.socket?.disconnect();
    this.options.post({ type: 'connection', state: 'closed' });
  }
}
