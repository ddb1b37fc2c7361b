import { describe, expect, it } from 'vitest';
import type { WorkerToMain } from '../../worker/messages';
import type { DemoStudy } from './demo_api';
import { demoReducer, hospitalsTrained, initialDemoState, type DemoAction, type DemoState } from './demo_state';

const study: DemoStudy = {
  studyId: 's1',
  joinCode: 'ABCD-1234',
  config: { name: 'Booth demo', model: 'cnn-small', topology: 'vanilla', schedule: 'round-robin', rounds: 10, batchSize: 32, minClients: 3 },
};

function run(actions: DemoAction[], from: DemoState = initialDemoState()): DemoState {
  return actions.reduce(demoReducer, from);
}

const worker = (hospital: number, message: WorkerToMain, runId = 1): DemoAction => ({ type: 'worker', run: runId, hospital, message });

describe('demoReducer', () => {
  const started = run([
    { type: 'creating', run: 1, hospitals: 3 },
    { type: 'created', run: 1, study },
  ]);

  it('lists one queued card per hospital, named for a visitor', () => {
    expect(started.phase).toBe('running');
    expect(started.hospitals.map((hospital) => [hospital.name, hospital.stage])).toEqual([
      ['Hospital 1', 'queued'],
      ['Hospital 2', 'queued'],
      ['Hospital 3', 'queued'],
    ]);
  });

  it("follows a hospital from start through training to a finished study", () => {
    const state = run(
      [
        { type: 'hospital-started', run: 1, hospital: 1 },
        worker(1, { type: 'backend', backend: { name: 'wasm', software: false, reason: 'no GPU' } }),
        worker(1, { type: 'dataset', classes: [], trainCount: 533, valCount: 134, skipped: [] }),
        worker(1, { type: 'joined', credentials: { participantId: 'p2', resumeToken: 'token-token-token-1' }, study: { id: 's1', name: 'x', state: 'training', round: 0, rounds: 10, model: 'cnn-small', topology: 'u-shaped', schedule: 'round-robin', codec: 'fp32', classes: ['normal', 'nodule'], inputShape: [28, 28, 1], batchSize: 32, validationFraction: 0.2, minClients: 2 } }),
        worker(1, { type: 'progress', phase: 'train', round: 0, step: 3, steps: 8, loss: 0.61 }),
      ],
      started,
    );
    const hospital = state.hospitals[1];
    expect(hospital).toMatchObject({ stage: 'training', backend: { name: 'wasm' }, trainCount: 533, valCount: 134, participantId: 'p2', progress: { step: 3, steps: 8 }, localLoss: { round: 0, loss: 0.61 } });
    const after = run(
      [
        worker(1, { type: 'round-done', phase: 'train', round: 0, steps: 8, loss: 0.55 }),
        worker(1, { type: 'study-state', state: 'training', round: 1, participants: 3 }),
        worker(2, { type: 'study-state', state: 'training', round: 1, participants: 3 }),
      ],
      state,
    );
    expect(after.hospitals[1]).toMatchObject({ stage: 'waiting', roundsTrained: 1, localLoss: { loss: 0.55 } });
    expect(after.studyRound).toBe(1);
    expect(hospitalsTrained(after)).toBe(1);
    expect(run([worker(0, { type: 'study-state', state: 'finished', round: 10, participants: 3 })], after).hospitals[0]?.stage).toBe('finished');
  });

  it('marks one hospital stopped on a fatal error, leaving the others', () => {
    const state = run([worker(2, { type: 'error', error: { code: 'backend-failed', message: 'no wasm' } })], started);
    expect(state.hospitals[2]).toMatchObject({ stage: 'failed', problem: { code: 'backend-failed' } });
    expect(state.hospitals[0]?.stage).toBe('queued');
    // A transient problem is shown, and cleared by the next step.
    const transient = run([worker(0, { type: 'error', error: { code: 'relay-error', message: 'out-of-order' } })], started);
    expect(transient.hospitals[0]).toMatchObject({ stage: 'queued', problem: { code: 'relay-error' } });
    expect(run([worker(0, { type: 'progress', phase: 'eval', round: 0, step: 1, steps: 2 })], transient).hospitals[0]?.problem).toBeUndefined();
  });

  it("ignores the messages of a previous run's workers and starts a reset with fresh cards", () => {
    const trained = run([worker(0, { type: 'round-done', phase: 'train', round: 0, steps: 8 })], started);
    const reset = run([{ type: 'creating', run: 2, hospitals: 2 }], trained);
    expect(reset.hospitals).toHaveLength(2);
    expect(reset.hospitals.every((hospital) => hospital.roundsTrained === 0 && hospital.stage === 'queued')).toBe(true);
    expect(run([worker(0, { type: 'round-done', phase: 'train', round: 0, steps: 8 }, 1), { type: 'created', run: 1, study }], reset)).toEqual(reset);
  });

  it('says why the demo could not start', () => {
    const failed = run([{ type: 'creating', run: 1, hospitals: 4 }, { type: 'create-failed', run: 1, error: { code: 'relay-error', message: 'demo off' } }]);
    expect(failed).toMatchObject({ phase: 'failed', hospitals: [], error: { message: 'demo off' } });
  });
});
