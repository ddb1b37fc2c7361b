import { describe, expect, it } from 'vitest';
import { parseMainToWorker, parseWorkerToMain, type StudySummary, type WorkerToMain } from './messages';

describe('main -> worker messages', () => {
  it('accepts each well-formed command', () => {
    for (const message of [
      { type: 'lookup', joinCode: 'ABCD-1234' },
      { type: 'prepare', images: [{ path: 'd/normal/a.png', label: 'normal', file: new Blob(['x']) }] },
      { type: 'join' },
      { type: 'join', resume: { participantId: 'p1', resumeToken: 'token-token-token' } },
      { type: 'join', label: 'Hospital 3' },
      { type: 'prepare-demo', hospital: 0, hospitals: 4 },
      { type: 'prepare-demo', hospital: 15, hospitals: 16 },
      { type: 'prepare-party-images', party: 1, csv: new Blob(['patient_id,file']), csvName: 'imaging/mapping.csv', images: [{ path: 'imaging/scans/a.png', file: new Blob(['x']) }] },
      { type: 'prepare-party-images', party: 0, csv: new Blob(['mrn,file']), csvName: 'mapping.csv', images: [], idColumn: 'mrn' },
      { type: 'pause' },
      { type: 'resume' },
      { type: 'leave' },
      { type: 'withdraw' },
    ]) {
      expect(parseMainToWorker(message)).toMatchObject({ ok: true, message });
    }
  });

  it('refuses unknown types, missing fields and non-file payloads, saying why', () => {
    expect(parseMainToWorker({ type: 'train-now' }).ok).toBe(false);
    expect(parseMainToWorker({ type: 'lookup' }).ok).toBe(false);
    expect(parseMainToWorker({ type: 'lookup', joinCode: '   ' }).ok).toBe(false);
    expect(parseMainToWorker({ type: 'prepare', images: [{ path: 'a.png', label: 'x', file: 'pixels' }] }).ok).toBe(false);
    expect(parseMainToWorker(null).ok).toBe(false);
    expect(parseMainToWorker({ type: 'prepare-demo', hospital: 4, hospitals: 4 }).ok).toBe(false);
    expect(parseMainToWorker({ type: 'prepare-demo', hospital: -1, hospitals: 4 }).ok).toBe(false);
    expect(parseMainToWorker({ type: 'prepare-demo', hospital: 0, hospitals: 0 }).ok).toBe(false);
    const partyImages = { type: 'prepare-party-images', party: 0, csv: new Blob(['patient_id,file']), csvName: 'mapping.csv', images: [{ path: 'scans/a.png', file: new Blob(['x']) }] };
    expect(parseMainToWorker(partyImages).ok).toBe(true);
    expect(parseMainToWorker({ ...partyImages, csv: 'patient_id,file' }).ok).toBe(false);
    expect(parseMainToWorker({ ...partyImages, csvName: '' }).ok).toBe(false);
    expect(parseMainToWorker({ ...partyImages, party: -1 }).ok).toBe(false);
    expect(parseMainToWorker({ ...partyImages, images: [{ path: '', file: new Blob(['x']) }] }).ok).toBe(false);
    expect(parseMainToWorker({ ...partyImages, images: [{ path: 'a.png', file: 'pixels' }] }).ok).toBe(false);
    expect(parseMainToWorker({ ...partyImages, idColumn: '  ' }).ok).toBe(false);
    const result = parseMainToWorker({ type: 'join', resume: { participantId: '' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/resume/);
  });
});

describe('worker -> main messages', () => {
  const study = {
    id: 's1',
    name: 'Pneumonia',
    state: 'open',
    round: 0,
    rounds: 10,
    model: 'cnn-small',
    topology: 'vanilla',
    schedule: 'round-robin',
    codec: 'fp16',
    classes: ['normal', 'pneumonia'],
    inputShape: [28, 28, 1],
    batchSize: 32,
    validationFraction: 0.2,
    minClients: 2,
  } satisfies StudySummary;

  it('accepts progress, traffic and study messages', () => {
    const messages: WorkerToMain[] = [
      { type: 'progress', phase: 'train', round: 2, step: 3, steps: 10, loss: 0.4 },
      {
        type: 'traffic',
        traffic: {
          measured: { up: { bytes: 10, messages: 1 }, down: { bytes: 5, messages: 1 }, byKind: { activations: { up: { bytes: 10, messages: 1 }, down: { bytes: 0, messages: 0 } } } },
          declared: { activations: 10, labels: 0, gradients: 0 },
        },
      },
      {
        type: 'study',
        study,
        egress: { topology: 'vanilla', codec: 'fp16', batchSize: 32, train: [], eval: [], weights: [{ segment: 0, tensors: 2, values: 80, bytes: 400 }], neverLeaves: ['Your images'] },
      },
      { type: 'error', error: { code: 'relay-unreachable', message: 'no answer' } },
    ];
    for (const message of messages) expect(parseWorkerToMain(message)).toEqual({ ok: true, message });
  });

  it('refuses malformed messages: unknown error codes, negative counts, bad states', () => {
    expect(parseWorkerToMain({ type: 'error', error: { code: 'kaboom', message: 'x' } }).ok).toBe(false);
    expect(parseWorkerToMain({ type: 'progress', phase: 'train', round: 0, step: -1, steps: 1 }).ok).toBe(false);
    expect(parseWorkerToMain({ type: 'study-state', state: 'exploded', round: 0, participants: 1 }).ok).toBe(false);
    expect(parseWorkerToMain({ type: 'study', study: { ...study, topology: 'vertical' }, egress: {} }).ok).toBe(false);
  });

  it('an image party’s preview carries its file column, image shape and file count', () => {
    const table = { party: 0, fileName: 'imaging/mapping.csv', header: ['patient_id', 'file'], idColumn: 'patient_id', columns: [], rows: 2, labelled: false, classCounts: {}, skipped: [] };
    const message = { type: 'table', table: { ...table, image: { fileColumn: 'file', shape: [8, 8, 1], files: 3 } } };
    expect(parseWorkerToMain(message)).toEqual({ ok: true, message });
    expect(parseWorkerToMain({ type: 'table', table: { ...table, image: { fileColumn: 'file', shape: [8, 8, 1], files: -1 } } }).ok).toBe(false);
    expect(parseWorkerToMain({ type: 'table', table: { ...table, image: { shape: [8, 8, 1], files: 3 } } }).ok).toBe(false);
  });
});
