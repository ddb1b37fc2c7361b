import type { StepTiming } from '../../lib/eta';
import type { Alignment, BackendChoice, ClassPreview, Egress, FileNote, Skipped, StudySummary, TablePreview, Traffic, WorkerError, WorkerToMain } from '../../worker/messages';
import type { FoundClass } from './files/found_classes';

// Everything the Contribute page shows, as one reducer over the user's actions and the
// worker's messages: pure, so each transition is tested without a browser.

export interface PickedSummary {
  labelSource: 'folders' | 'csv';
  imageCount: number;
  /** Files a CSV may list by SOP Instance UID: labelled (or skipped) once the worker has read their DICOM header. */
  byUidCount?: number;
  found: FoundClass[];
  /** Files skipped before decoding (not an image, no label), with reasons. */
  skipped: Skipped[];
  csvProblems: string[];
  csvRowsWithoutFile: string[];
}

export interface DatasetPreview {
  classes: ClassPreview[];
  trainCount: number;
  valCount: number;
  /** Skipped in the worker: unknown class, undecodable. */
  skipped: Skipped[];
  /** Used with a remark (a multi-frame DICOM's first frame). */
  notes?: FileNote[];
  /** SOP Instance UIDs the CSV lists that none of the files read has. */
  uidsWithoutFile?: string[];
}

export type Participation = 'none' | 'joining' | 'active' | 'paused' | 'left' | 'withdrawn';
export type Connection = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ProgressView {
  phase: 'train' | 'eval';
  round: number;
  step: number;
  steps: number;
  loss?: number;
  timing: StepTiming;
}

export interface ContributeState {
  /** What the join-code field holds. */
  joinCode: string;
  /** The code the study was last looked up with: the saved identity is kept under it. */
  studyCode: string;
  /** The study key (from the invite link's #key=, or typed), for a study whose hand-off is encrypted. */
  studyKey: string;
  /** Whether `studyKey` opens this study's hand-off: undefined until checked, null when it does, else why not. */
  studyKeyProblem?: string | null;
  /** A training step of this study's client layers, timed on the engine running. */
  stepTime?: { engine: BackendChoice['name']; ms: number; batchSize: number };
  backend?: BackendChoice;
  lookingUp: boolean;
  study?: StudySummary;
  egress?: Egress;
  picked?: PickedSummary;
  decode?: { done: number; total: number };
  dataset?: DatasetPreview;
  /** A vertical party: the table (or an image party's mapping CSV and images) it chose, being read (`table` absent) or read. */
  tableChoice?: { party: number; fileName: string; images?: boolean };
  table?: TablePreview;
  /** A vertical party: how lining its rows up with the other parties' goes. */
  alignment?: Alignment;
  /** A study with positions: the one this device takes (a multi-hop chain's, an extended study's intermediate participant). */
  position?: number;
  connection: Connection;
  participation: Participation;
  participantId?: string;
  studyState?: { state: StudySummary['state']; round: number; participants: number; message?: string };
  progress?: ProgressView;
  lastRound?: { phase: 'train' | 'eval'; round: number; steps: number; loss?: number };
  /** Latest mean training loss this device computed (U-shaped only), kept through validation. */
  trainLoss?: { round: number; loss: number };
  traffic?: Traffic;
  errors: (WorkerError & { id: number })[];
  nextErrorId: number;
}

export type ContributeAction =
  | { type: 'join-code-changed'; joinCode: string }
  | { type: 'study-key-changed'; studyKey: string }
  /** Another engine was asked for: none is ready until the worker says which runs. */
  | { type: 'engine-requested' }
  | { type: 'study-key-checked'; studyKey: string; problem: string | null }
  | { type: 'lookup-started'; joinCode: string }
  | { type: 'files-picked'; picked: PickedSummary }
  | { type: 'table-picked'; party: number; fileName: string; images?: boolean }
  | { type: 'position-picked'; position: number }
  | { type: 'join-started' }
  | { type: 'error-dismissed'; id: number }
  | { type: 'page-error'; error: WorkerError }
  | { type: 'worker'; message: WorkerToMain; at: number };

export function initialContributeState(joinCode: string, studyKey = ''): ContributeState {
  return { joinCode, studyCode: joinCode.trim(), studyKey, lookingUp: false, connection: 'idle', participation: 'none', errors: [], nextErrorId: 1 };
}

/** Errors a new attempt at the same thing makes obsolete. */
const LOOKUP_ERRORS = new Set<WorkerError['code']>(['relay-unreachable', 'unknown-study', 'protocol-mismatch', 'wrong-state']);
const DATA_ERRORS = new Set<WorkerError['code']>(['no-usable-images', 'unusable-table']);
const CONNECTION_ERRORS = new Set<WorkerError['code']>(['connection-lost']);

function withoutErrors(state: ContributeState, codes: ReadonlySet<WorkerError['code']>): ContributeState['errors'] {
  return state.errors.filter((error) => !codes.has(error.code));
}

function addError(state: ContributeState, error: WorkerError): ContributeState {
  // The same failure twice in a row (a flapping connection) is shown once, refreshed.
  const errors = state.errors.filter((existing) => !(existing.code === error.code && existing.message === error.message));
  return { ...state, errors: [...errors, { ...error, id: state.nextErrorId }].slice(-5), nextErrorId: state.nextErrorId + 1 };
}

function onProgress(state: ContributeState, message: Extract<WorkerToMain, { type: 'progress' }>, at: number): ContributeState {
  const previous = state.progress;
  const samePass = previous !== undefined && previous.phase === message.phase && previous.round === message.round && message.step > previous.step;
  const timing: StepTiming = samePass
    ? { ...previous.timing, step: message.step, at, steps: message.steps }
    : { firstStep: message.step, firstAt: at, step: message.step, at, steps: message.steps };
  const { type: _type, ...progress } = message;
  const trainLoss = message.phase === 'train' && message.loss !== undefined ? { round: message.round, loss: message.loss } : state.trainLoss;
  return { ...state, progress: { ...progress, timing }, ...(trainLoss ? { trainLoss } : {}) };
}

function onWorkerMessage(state: ContributeState, message: WorkerToMain, at: number): ContributeState {
  switch (message.type) {
    case 'backend':
      return { ...state, backend: message.backend };
    case 'study':
      return { ...state, lookingUp: false, study: message.study, egress: message.egress, errors: withoutErrors(state, LOOKUP_ERRORS) };
    case 'decode-progress':
      return { ...state, decode: { done: message.done, total: message.total } };
    case 'dataset': {
      const { type: _type, ...dataset } = message;
      return { ...state, dataset };
    }
    case 'connection':
      // Back online: the "connection lost" notice has done its job.
      return { ...state, connection: message.state, ...(message.state === 'connected' ? { errors: withoutErrors(state, CONNECTION_ERRORS) } : {}) };
    case 'joined':
      return { ...state, participantId: message.credentials.participantId, study: message.study, errors: withoutErrors(state, LOOKUP_ERRORS) };
    case 'study-state': {
      const { type: _type, ...studyState } = message;
      return { ...state, studyState };
    }
    case 'progress':
      return onProgress(state, message, at);
    case 'round-done': {
      const { type: _type, ...lastRound } = message;
      const trainLoss = message.phase === 'train' && message.loss !== undefined ? { round: message.round, loss: message.loss } : state.trainLoss;
      return { ...state, lastRound, ...(trainLoss ? { trainLoss } : {}) };
    }
    case 'table':
      return { ...state, table: message.table };
    case 'alignment':
      return { ...state, alignment: message.alignment };
    case 'traffic':
      return { ...state, traffic: message.traffic };
    case 'step-time': {
      const { type: _type, ...stepTime } = message;
      return { ...state, stepTime };
    }
    case 'egress':
      return { ...state, egress: message.egress };
    case 'participation':
      return { ...state, participation: message.status };
    case 'error': {
      const failedJoin = state.participation === 'joining';
      return { ...addError(state, message.error), lookingUp: false, ...(failedJoin ? { participation: 'none' as const } : {}) };
    }
  }
}

export function contributeReducer(state: ContributeState, action: ContributeAction): ContributeState {
  switch (action.type) {
    case 'join-code-changed':
      return { ...state, joinCode: action.joinCode };
    case 'study-key-changed': {
      const { studyKeyProblem: _unchecked, ...rest } = state;
      return { ...rest, studyKey: action.studyKey };
    }
    case 'engine-requested': {
      const { backend: _previous, stepTime: _timed, ...rest } = state;
      return rest;
    }
    case 'study-key-checked':
      // A check of a key since replaced says nothing about the current one.
      return action.studyKey === state.studyKey ? { ...state, studyKeyProblem: action.problem } : state;
    case 'lookup-started':
      return { ...state, studyCode: action.joinCode.trim(), lookingUp: true, errors: withoutErrors(state, LOOKUP_ERRORS) };
    case 'files-picked': {
      const { dataset: _dataset, decode: _decode, ...rest } = state;
      return { ...rest, picked: action.picked, errors: withoutErrors(state, DATA_ERRORS) };
    }
    case 'table-picked': {
      // A new table (or party, or image folder) replaces the last one, its decoding progress and the egress stated for it.
      const { table: _table, egress: _egress, alignment: _alignment, decode: _decode, ...rest } = state;
      return { ...rest, tableChoice: { party: action.party, fileName: action.fileName, ...(action.images ? { images: true } : {}) }, errors: withoutErrors(state, DATA_ERRORS) };
    }
    case 'position-picked': {
      // Another position states another egress; a party's table chosen before no longer applies.
      const { egress: _egress, tableChoice: _tableChoice, table: _table, ...rest } = state;
      return { ...rest, position: action.position };
    }
    case 'join-started':
      return { ...state, participation: 'joining', errors: withoutErrors(state, LOOKUP_ERRORS) };
    case 'error-dismissed':
      return { ...state, errors: state.errors.filter((error) => error.id !== action.id) };
    case 'page-error':
      return addError(state, action.error);
    case 'worker':
      return onWorkerMessage(state, action.message, action.at);
  }
}

/** Every skipped file, from the scan and from the worker, in path order. */
export function allSkipped(state: ContributeState): Skipped[] {
  return [...(state.picked?.skipped ?? []), ...(state.dataset?.skipped ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether the Join button can do anything yet, and if not, why (shown next to it). */
export function joinBlocker(state: ContributeState): string | undefined {
  if (!state.backend) return 'Preparing the training engine…';
  if (!state.study) return 'Look up the study with your join code first.';
  if (state.study.handoffKeyCheck !== undefined && state.studyKeyProblem !== null) return state.studyKeyProblem ?? 'Checking the study key…';
  const positions = state.study.positions;
  if (positions && state.position !== undefined && positions[state.position]?.intermediate) {
    if (!state.egress) return 'Working out what this device will send…';
    if (state.participation === 'joining') return 'Joining…';
    return undefined;
  }
  if (positions && !state.study.vertical && state.position === undefined) return 'Choose your place in the chain first.';
  if (state.study.vertical) {
    if (!state.tableChoice) return 'Choose your party and your table first.';
    if (!state.table) return state.tableChoice.images ? 'Reading your images…' : 'Reading your table…';
    if (state.table.problem !== undefined || state.table.rows === 0) return 'Your table cannot be used yet (see above).';
    if (!state.egress) return 'Working out what this device will send…';
    if (state.participation === 'joining') return 'Joining…';
    return undefined;
  }
  if (!state.picked) return 'Choose your images first.';
  if (!state.dataset) return 'Checking your images…';
  if (state.dataset.trainCount === 0) return 'None of your images can be used yet.';
  if (state.participation === 'joining') return 'Joining…';
  return undefined;
}

export function isParticipating(state: ContributeState): boolean {
  return state.participation === 'active' || state.participation === 'paused';
}

/**
 * The study's state in a participant's words. An open study waits for the researcher to
 * press start once enough participants have joined, not for more participants; a training
 * study with too few ready participants waits for more.
 */
export function describeStudyState(studyState: NonNullable<ContributeState['studyState']>, study: Pick<StudySummary, 'minClients'> | undefined): string {
  const needed = study?.minClients;
  const short = needed !== undefined && studyState.participants < needed;
  const base =
    studyState.state === 'open'
      ? short
        ? `Waiting for participants (${studyState.participants} of ${needed} have joined)`
        : 'Waiting for the study to start'
      : studyState.state === 'training'
        ? short
          ? `Waiting for participants (${studyState.participants} of ${needed} connected)`
          : 'Training'
        : studyState.state === 'paused'
          ? 'Paused by the researcher'
          : 'Finished';
  return studyState.message ? `${base}: ${studyState.message}` : base;
}
