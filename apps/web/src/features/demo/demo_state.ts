import type { BackendChoice, WorkerError, WorkerToMain } from '../../worker/messages';
import type { DemoStudy } from './demo_api';

// What the booth demo shows, as one reducer over the visitor's actions and the messages of
// the hospitals' workers: pure, so each transition is tested without a browser.

export const MIN_HOSPITALS = 2;
export const MAX_HOSPITALS = 16;
export const DEFAULT_HOSPITALS = 4;

/** Where a simulated hospital is, as its card says it. */
export type HospitalStage = 'queued' | 'starting' | 'preparing' | 'joining' | 'waiting' | 'training' | 'validating' | 'finished' | 'failed';

export interface HospitalView {
  /** 0-based; the card says "Hospital <index + 1>". */
  index: number;
  name: string;
  stage: HospitalStage;
  backend?: BackendChoice;
  trainCount?: number;
  valCount?: number;
  participantId?: string;
  /** The step under way or last done. */
  progress?: { phase: 'train' | 'eval'; round: number; step: number; steps: number };
  /** Training rounds this hospital completed. */
  roundsTrained: number;
  /** The latest mean training loss computed in this hospital's worker (U-shaped: it holds the loss). */
  localLoss?: { round: number; loss: number };
  /** The latest problem, shown on the card until the next step succeeds. */
  problem?: WorkerError;
}

export type DemoPhase = 'idle' | 'creating' | 'running' | 'failed';

export interface DemoState {
  phase: DemoPhase;
  /** Increments on every start and reset: messages of an older run's workers are ignored. */
  run: number;
  study?: DemoStudy;
  /** The study's round as the relay last reported it to any hospital. */
  studyRound: number;
  studyState?: 'open' | 'training' | 'paused' | 'finished';
  hospitals: HospitalView[];
  /** Why the demo could not start. */
  error?: WorkerError;
}

export type DemoAction =
  | { type: 'creating'; run: number; hospitals: number }
  | { type: 'created'; run: number; study: DemoStudy }
  | { type: 'create-failed'; run: number; error: WorkerError }
  | { type: 'hospital-started'; run: number; hospital: number }
  | { type: 'worker'; run: number; hospital: number; message: WorkerToMain }
  | { type: 'worker-failed'; run: number; hospital: number; error: WorkerError };

export function hospitalName(index: number): string {
  return `Hospital ${index + 1}`;
}

export function initialDemoState(): DemoState {
  return { phase: 'idle', run: 0, studyRound: 0, hospitals: [] };
}

/** Errors after which this hospital's worker takes no further part (the others carry on). */
const FATAL = new Set<WorkerError['code']>(['backend-failed', 'relay-unreachable', 'unknown-study', 'protocol-mismatch', 'wrong-state', 'no-usable-images', 'internal', 'bad-message']);

function onWorkerMessage(hospital: HospitalView, message: WorkerToMain): HospitalView {
  switch (message.type) {
    case 'backend':
      return { ...hospital, backend: message.backend };
    case 'study':
      return { ...hospital, stage: 'preparing' };
    case 'dataset':
      return { ...hospital, stage: 'joining', trainCount: message.trainCount, valCount: message.valCount };
    case 'joined':
      return { ...hospital, stage: 'waiting', participantId: message.credentials.participantId };
    case 'progress': {
      const { type: _type, loss, ...progress } = message;
      const localLoss = message.phase === 'train' && loss !== undefined ? { round: message.round, loss } : hospital.localLoss;
      const { problem: _problem, ...rest } = hospital;
      return { ...rest, stage: message.phase === 'train' ? 'training' : 'validating', progress, ...(localLoss ? { localLoss } : {}) };
    }
    case 'round-done': {
      if (message.phase !== 'train') return { ...hospital, stage: 'waiting' };
      const localLoss = message.loss !== undefined ? { round: message.round, loss: message.loss } : hospital.localLoss;
      return { ...hospital, stage: 'waiting', roundsTrained: hospital.roundsTrained + 1, ...(localLoss ? { localLoss } : {}) };
    }
    case 'study-state':
      return message.state === 'finished' ? { ...hospital, stage: 'finished' } : hospital;
    case 'error':
      return { ...hospital, problem: message.error, ...(FATAL.has(message.error.code) ? { stage: 'failed' as const } : {}) };
    case 'connection':
    case 'decode-progress':
    case 'traffic':
    case 'egress':
    case 'participation':
    case 'table':
    case 'alignment':
    case 'step-time':
      return hospital;
  }
}

function withHospital(state: DemoState, index: number, update: (hospital: HospitalView) => HospitalView): DemoState {
  const hospital = state.hospitals[index];
  if (!hospital) return state;
  const next = update(hospital);
  if (next === hospital) return state;
  const hospitals = state.hospitals.slice();
  hospitals[index] = next;
  return { ...state, hospitals };
}

export function demoReducer(state: DemoState, action: DemoAction): DemoState {
  switch (action.type) {
    case 'creating':
      return {
        phase: 'creating',
        run: action.run,
        studyRound: 0,
        hospitals: Array.from({ length: action.hospitals }, (_, index): HospitalView => ({ index, name: hospitalName(index), stage: 'queued', roundsTrained: 0 })),
      };
    case 'created':
      return action.run === state.run ? { ...state, phase: 'running', study: action.study, studyState: 'training' } : state;
    case 'create-failed':
      return action.run === state.run ? { ...initialDemoState(), run: state.run, phase: 'failed', error: action.error } : state;
    case 'hospital-started':
      return action.run === state.run ? withHospital(state, action.hospital, (hospital) => ({ ...hospital, stage: 'starting' })) : state;
    case 'worker': {
      if (action.run !== state.run) return state;
      const { message } = action;
      const next = withHospital(state, action.hospital, (hospital) => onWorkerMessage(hospital, message));
      if (message.type === 'study-state' && (message.round !== next.studyRound || message.state !== next.studyState)) {
        // Hospitals hear the same broadcast: the newest round wins.
        return { ...next, studyRound: Math.max(next.studyRound, message.round), studyState: message.state };
      }
      return next;
    }
    case 'worker-failed':
      return action.run === state.run ? withHospital(state, action.hospital, (hospital) => ({ ...hospital, stage: 'failed', problem: action.error })) : state;
  }
}

/** Hospitals that finished at least one training round. */
export function hospitalsTrained(state: DemoState): number {
  return state.hospitals.filter((hospital) => hospital.roundsTrained > 0).length;
}
