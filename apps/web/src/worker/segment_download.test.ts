import { beforeAll, describe, expect, it } from 'vitest';
import { artifacts, backends, model, protocol, study } from '@splitlearn/split-core';
import { parseExportedSegments, parseMainToWorker } from './messages';
import { downloadPrefix, downloadWeightsFile, segmentDownloads } from './segment_download';

// "Download my model segment": the files the page saves must load back as the study's
// segments, the .json naming the weights file saved beside it.

const config = protocol.StudyConfigSchema.parse({ name: 'download', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'u-shaped', schedule: 'splitfed-v2' });

beforeAll(async () => {
  await backends.initBackend('cpu');
});

describe('segment downloads', () => {
  it('names each segment as a .json and its weights file, which the .json points at', async () => {
    const prefix = downloadPrefix('3f2a9c1e-7b7d-4c55-9a1b-000000000000');
    expect(prefix).toBe('splitnn-3f2a9c1e-');
    const split = study.studySplit(config);
    const client = split.client.map((plan) => model.buildLayersModel(plan.layers, plan.inputShape, { seed: 1, name: `client_segment${plan.index}` }));
    const files = await artifacts.roleSegmentFiles({
      study: { id: 'study-1', config },
      role: 'client',
      weights: client.map((segment) => model.readWeights(segment)),
      trainedRounds: 5,
      weightsFile: downloadWeightsFile(prefix),
    });
    client.forEach((segment) => segment.dispose());

    const reply = segmentDownloads(prefix, files);
    expect(reply.trainedRounds).toBe(5);
    expect(reply.files.map((file) => file.name)).toEqual([
      'splitnn-3f2a9c1e-client-segment0.json',
      'splitnn-3f2a9c1e-client-segment0.weights.bin',
      'splitnn-3f2a9c1e-client-segment2.json',
      'splitnn-3f2a9c1e-client-segment2.weights.bin',
    ]);
    const parsed = parseExportedSegments(reply);
    expect(parsed.ok).toBe(true);
    for (const index of [0, 2]) {
      const json = reply.files[index] as { bytes: ArrayBuffer };
      const weights = reply.files[index + 1] as { name: string; bytes: ArrayBuffer };
      const segment = artifacts.parseSegmentModelJson(JSON.parse(new TextDecoder().decode(json.bytes)), 'download.json');
      expect(segment.weightFiles).toEqual([weights.name]);
      expect(segment.weightBytes).toBe(weights.bytes.byteLength);
      expect(segment.metadata).toMatchObject({ role: 'client', trainedRounds: 5, classes: ['normal', 'pneumonia'] });
    }
  });

  it('is asked for with a typed request and answered with a checked reply', () => {
    expect(parseMainToWorker({ type: 'export-segments' }).ok).toBe(true);
    expect(parseExportedSegments({ ok: false, error: { code: 'wrong-state', message: 'join first' } }).ok).toBe(true);
    const file = { name: 'a.json', bytes: new ArrayBuffer(4) };
    expect(parseExportedSegments({ ok: true, trainedRounds: 1, files: [file, { ...file, name: '../escape.bin' }] }).ok).toBe(false);
    expect(parseExportedSegments({ ok: true, trainedRounds: 1, files: [file, { ...file, bytes: 'weights' }] }).ok).toBe(false);
    expect(parseExportedSegments({ ok: true, trainedRounds: 1, files: [file] }).ok).toBe(false);
  });
});
