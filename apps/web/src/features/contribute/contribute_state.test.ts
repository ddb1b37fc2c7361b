import { describe, expect, it } from 'vitest';
import type { StudySummary, WorkerToMain } from '../../worker/messages';
import { allSkipped, contributeReducer, describeStudyState, initialContributeState, joinBlocker, type ContributeState } from './contribute_state';

const study: StudySummary = {
  id: 's1',
  name: 'Pneumonia',
  state: 'open',
  round: 0,
  rounds: 5,
  model: 'cnn-small',
  topology: 'vanilla',
  schedule: 'round-robin',
  codec: 'fp32',
  classes: ['normal', 'pneumonia'],
  inputShape: [28, 28, 1],
  batchSize: 32,
  validationFraction: 0.2,
  minClients: 3,
};

function apply(state: ContributeState, ...messages: WorkerToMain[]): ContributeState {
  return messages.reduce((current, message, i) => contributeReducer(current, { type: 'worker', message, at: 1000 * (i + 1) }), state);
}

describe('contributeReducer', () => {
  it('walks from lookup to a joinable state, telling what is missing at each stage', () => {
    let state = initialContributeState('CODE');
    expect(joinBlocker(state)).toMatch(/training engine/);
    state = apply(state, { type: 'backend', backend: { name: 'wasm', software: true, reason: 'auto' } });
    expect(joinBlocker(state)).toMatch(/join code/);
    state = contributeReducer(state, { type: 'lookup-started', joinCode: ' CODE ' });
    expect(state.studyCode).toBe('CODE');
    state = apply(state, { type: 'study', study, egress: { topology: 'vanilla', codec: 'fp32', batchSize: 32, train: [], eval: [], weights: [], neverLeaves: [] } });
    expect(state.lookingUp).toBe(false);
    expect(joinBlocker(state)).toMatch(/Choose your images/);
    state = contributeReducer(state, {
      type: 'files-picked',
      picked: { labelSource: 'folders', imageCount: 3, found: [], skipped: [{ path: 'z.txt', reason: 'not a PNG, JPEG or DICOM image' }], csvProblems: [], csvRowsWithoutFile: [] },
    });
    expect(joinBlocker(state)).toMatch(/Checking/);
    state = apply(state, { type: 'dataset', classes: [], trainCount: 2, valCount: 1, skipped: [{ path: 'a/bad.png', reason: 'could not be decoded' }] });
    expect(joinBlocker(state)).toBeUndefined();
    expect(allSkipped(state).map((entry) => entry.path)).toEqual(['a/bad.png', 'z.txt']);
  });

  it('shows the step time measured on the engine running, and forgets it when another engine is asked for', () => {
    let state = apply(initialContributeState('CODE'), { type: 'backend', backend: { name: 'wasm', software: true, reason: 'auto', preference: 'auto' } }, { type: 'step-time', engine: 'wasm', ms: 84.2, batchSize: 32 });
    expect(state.stepTime).toEqual({ engine: 'wasm', ms: 84.2, batchSize: 32 });
    state = contributeReducer(state, { type: 'engine-requested' });
    expect(state.stepTime).toBeUndefined();
    expect(joinBlocker(state)).toMatch(/training engine/);
  });

  it('holds the join back until the study key is checked and is this study’s, whatever key was typed last', () => {
    const sealed = { ...study, handoffKeyCheck: 'A'.repeat(22) };
    let state = apply(initialContributeState('CODE', 'first-key'), { type: 'backend', backend: { name: 'wasm', software: true, reason: 'auto' } }, { type: 'study', study: sealed, egress: { topology: 'vanilla', codec: 'fp32', batchSize: 32, train: [], eval: [], weights: [], neverLeaves: [] } });
    expect(state.studyKey).toBe('first-key');
    expect(joinBlocker(state)).toBe('Checking the study key…');
    state = contributeReducer(state, { type: 'study-key-checked', studyKey: 'first-key', problem: 'this study key is not the study’s' });
    expect(joinBlocker(state)).toBe('this study key is not the study’s');
    state = contributeReducer(state, { type: 'study-key-changed', studyKey: 'second-key' });
    expect(joinBlocker(state)).toBe('Checking the study key…');
    // The first key's check, arriving late, says nothing about the second.
    state = contributeReducer(state, { type: 'study-key-checked', studyKey: 'first-key', problem: null });
    expect(joinBlocker(state)).toBe('Checking the study key…');
    state = contributeReducer(state, { type: 'study-key-checked', studyKey: 'second-key', problem: null });
    expect(joinBlocker(state)).toMatch(/Choose your images/);
  });

  it('states the new codec in "what leaves" when the researcher switches it mid-study', () => {
    const fp32 = { topology: 'vanilla' as const, codec: 'fp32' as const, batchSize: 32, train: [], eval: [], weights: [], neverLeaves: [] };
    let state = apply(initialContributeState('CODE'), { type: 'study', study, egress: fp32 });
    expect(state.egress?.codec).toBe('fp32');
    state = apply(state, { type: 'egress', egress: { ...fp32, codec: 'fp16' } });
    expect(state.egress?.codec).toBe('fp16');
    expect(state.study).toEqual(study);
  });

  it('drops a failed lookup error on retry and returns to "not joined" when joining fails', () => {
    let state = apply(initialContributeState('X'), { type: 'error', error: { code: 'relay-unreachable', message: 'down' } });
    expect(state.errors).toHaveLength(1);
    state = contributeReducer(state, { type: 'lookup-started', joinCode: 'X' });
    expect(state.errors).toEqual([]);
    state = contributeReducer(state, { type: 'join-started' });
    state = apply(state, { type: 'error', error: { code: 'unknown-study', message: 'revoked' } });
    expect(state.participation).toBe('none');
    expect(state.errors.map((error) => error.code)).toEqual(['unknown-study']);
    state = contributeReducer(state, { type: 'error-dismissed', id: state.errors[0]?.id ?? -1 });
    expect(state.errors).toEqual([]);
  });

  it('clears the connection-lost notice once reconnected', () => {
    const state = apply(
      initialContributeState(''),
      { type: 'connection', state: 'reconnecting' },
      { type: 'error', error: { code: 'connection-lost', message: 'transport close' } },
      { type: 'connection', state: 'connected' },
    );
    expect(state.errors).toEqual([]);
    expect(state.connection).toBe('connected');
  });

  it('shows a repeated error once', () => {
    const error: WorkerToMain = { type: 'error', error: { code: 'connection-lost', message: 'gone' } };
    expect(apply(initialContributeState(''), error, error).errors).toHaveLength(1);
  });

  it('times steps within one pass and restarts timing for a new round or phase', () => {
    let state = apply(
      initialContributeState(''),
      { type: 'progress', phase: 'train', round: 1, step: 1, steps: 10 },
      { type: 'progress', phase: 'train', round: 1, step: 2, steps: 10, loss: 0.5 },
    );
    expect(state.progress?.timing).toEqual({ firstStep: 1, firstAt: 1000, step: 2, at: 2000, steps: 10 });
    expect(state.progress?.loss).toBe(0.5);
    state = apply(state, { type: 'progress', phase: 'eval', round: 1, step: 1, steps: 3 });
    expect(state.progress?.timing.firstStep).toBe(1);
    expect(state.progress?.phase).toBe('eval');
  });

  it('keeps the last training loss through validation', () => {
    const state = apply(
      initialContributeState(''),
      { type: 'progress', phase: 'train', round: 2, step: 5, steps: 5, loss: 0.25 },
      { type: 'round-done', phase: 'train', round: 2, steps: 5, loss: 0.3 },
      { type: 'progress', phase: 'eval', round: 2, step: 1, steps: 2 },
      { type: 'round-done', phase: 'eval', round: 2, steps: 2 },
    );
    expect(state.trainLoss).toEqual({ round: 2, loss: 0.3 });
  });

  it('forgets the previous dataset when new files are picked', () => {
    let state = apply(initialContributeState(''), { type: 'dataset', classes: [], trainCount: 5, valCount: 1, skipped: [] });
    state = contributeReducer(state, { type: 'files-picked', picked: { labelSource: 'csv', imageCount: 0, found: [], skipped: [], csvProblems: [], csvRowsWithoutFile: [] } });
    expect(state.dataset).toBeUndefined();
  });
});

describe('describeStudyState', () => {
  it('says what an open study waits for: more participants, then the researcher pressing start', () => {
    expect(describeStudyState({ state: 'open', round: 0, participants: 2 }, study)).toBe('Waiting for participants (2 of 3 have joined)');
    expect(describeStudyState({ state: 'open', round: 0, participants: 3 }, study)).toBe('Waiting for the study to start');
    expect(describeStudyState({ state: 'open', round: 0, participants: 5 }, study)).toBe('Waiting for the study to start');
  });

  it('tells a training study short of participants from one that trains, and keeps the relay message', () => {
    expect(describeStudyState({ state: 'training', round: 1, participants: 1 }, study)).toBe('Waiting for participants (1 of 3 connected)');
    expect(describeStudyState({ state: 'training', round: 1, participants: 3 }, study)).toBe('Training');
    expect(describeStudyState({ state: 'paused', round: 1, participants: 3 }, study)).toBe('Paused by the researcher');
    expect(describeStudyState({ state: 'finished', round: 5, participants: 0, message: 'all rounds done' }, study)).toBe('Finished: all rounds done');
  });

  it('a vertical party: needs its table read without problems before joining, and a new table drops the last one’s egress', () => {
    const vertical: StudySummary = {
      ...study,
      topology: 'vertical',
      model: 'mlp-head',
      inputShape: [],
      vertical: { parties: [{ name: 'A', columns: ['a1'] }, { name: 'B', columns: ['b1'] }], labelHolder: 0, idColumn: 'patient_id', labelColumn: 'outcome' },
    };
    let state = apply(initialContributeState('CODE'), { type: 'backend', backend: { name: 'wasm', software: true, reason: 'auto' } }, { type: 'study', study: vertical });
    expect(state.egress).toBeUndefined();
    expect(joinBlocker(state)).toMatch(/party and your table/);
    state = contributeReducer(state, { type: 'table-picked', party: 1, fileName: 'b.csv' });
    expect(joinBlocker(state)).toMatch(/Reading your table/);
    const table = { party: 1, fileName: 'b.csv', header: ['mrn', 'b1'], idColumn: 'patient_id', columns: [], rows: 0, labelled: false, classCounts: {}, skipped: [] };
    state = apply(state, { type: 'table', table: { ...table, problem: 'there is no id column "patient_id"' } }, { type: 'error', error: { code: 'unusable-table', message: 'b.csv: no id column' } });
    expect(joinBlocker(state)).toMatch(/cannot be used/);
    // Choosing the id column again clears the table's error and waits for the new reading.
    state = contributeReducer(state, { type: 'table-picked', party: 1, fileName: 'b.csv' });
    expect(state.errors).toEqual([]);
    expect(state.table).toBeUndefined();
    state = apply(state, { type: 'table', table: { ...table, idColumn: 'mrn', columns: ['b1'], rows: 230 } });
    expect(joinBlocker(state)).toMatch(/what this device will send/);
    const egress = { topology: 'vertical' as const, codec: 'fp32' as const, batchSize: 32, train: [], eval: [], weights: [], alignment: { rows: 230, blindedIdBytes: 230 * 32, tagBytes: 230 * 32, items: [] }, neverLeaves: [] };
    state = apply(state, { type: 'egress', egress });
    expect(joinBlocker(state)).toBeUndefined();
    state = apply(state, { type: 'alignment', alignment: { step: 'aligned', rows: 230, aligned: 210, train: 168, val: 42 } });
    expect(state.alignment?.aligned).toBe(210);
    state = contributeReducer(state, { type: 'table-picked', party: 0, fileName: 'a.csv' });
    expect([state.egress, state.alignment, state.table]).toEqual([undefined, undefined, undefined]);
  });

  it('an image party: its images are decoded with progress, and choosing again starts the count afresh', () => {
    const vertical: StudySummary = {
      ...study,
      topology: 'vertical',
      model: 'mlp-head',
      inputShape: [],
      vertical: { parties: [{ name: 'Imaging', image: [8, 8, 1] }, { name: 'Labs', columns: ['crp'] }], labelHolder: 0, idColumn: 'patient_id', labelColumn: 'outcome' },
    };
    let state = apply(initialContributeState('CODE'), { type: 'backend', backend: { name: 'wasm', software: true, reason: 'auto' } }, { type: 'study', study: vertical });
    state = contributeReducer(state, { type: 'table-picked', party: 0, fileName: 'imaging/mapping.csv', images: true });
    expect(joinBlocker(state)).toMatch(/Reading your images/);
    state = apply(state, { type: 'decode-progress', done: 25, total: 120 });
    expect(state.decode).toEqual({ done: 25, total: 120 });
    const table = { party: 0, fileName: 'imaging/mapping.csv', header: ['patient_id', 'file'], idColumn: 'patient_id', columns: [], rows: 118, labelled: true, classCounts: { no: 60, yes: 58 }, skipped: [], image: { fileColumn: 'file', shape: [8, 8, 1], files: 121 } };
    state = apply(state, { type: 'decode-progress', done: 120, total: 120 }, { type: 'table', table });
    expect(state.table?.image?.shape).toEqual([8, 8, 1]);
    expect(joinBlocker(state)).toMatch(/what this device will send/);
    state = contributeReducer(state, { type: 'table-picked', party: 0, fileName: 'imaging/mapping.csv', images: true });
    expect([state.decode, state.table]).toEqual([undefined, undefined]);
    expect(joinBlocker(state)).toMatch(/Reading your images/);
  });

  it('a study with positions: a place must be chosen; a hop joins without data once its egress is known, a data holder needs its images', () => {
    const chain: StudySummary = {
      ...study,
      topology: 'multi-hop',
      positions: [
        { name: 'Data holder', intermediate: false },
        { name: 'Hop 1 of 1', intermediate: true },
      ],
    };
    let state = apply(initialContributeState('CODE'), { type: 'backend', backend: { name: 'wasm', software: true, reason: 'auto' } }, { type: 'study', study: chain });
    expect(joinBlocker(state)).toMatch(/Choose your place in the chain/);
    state = contributeReducer(state, { type: 'position-picked', position: 1 });
    expect(joinBlocker(state)).toMatch(/Working out what this device will send/);
    state = apply(state, { type: 'egress', egress: { topology: 'multi-hop', codec: 'fp32', batchSize: 32, train: [], eval: [], weights: [], neverLeaves: [], data: 'none', role: 'Hop 1 of 1' } });
    expect(joinBlocker(state)).toBeUndefined();
    state = contributeReducer(state, { type: 'position-picked', position: 0 });
    expect(state.egress).toBeUndefined();
    expect(joinBlocker(state)).toMatch(/Choose your images/);
  });
});
