import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backends/select';
import { readWeights } from '../model/weights';
import { studyRoleOptions, studySplit } from '../study/model';
import { StudyConfigSchema, type StudyConfig } from '../study/config';
import { createRole, disposeRole } from '../segment/roles';
import { infer } from '../segment/segment';
import { chainSegments, checkRole, disposeChain, predictProbabilities } from './chain';
import { SegmentFilesError } from './errors';
import { SEGMENT_FORMAT, type SegmentMetadata } from './metadata';
import { parseSegmentModelJson } from './model_json';
import { loadSegment, type LoadedSegment, type SegmentFiles } from './segment_files';
import { roleSegmentFiles } from './study_segments';

// Segments leave as tfjs model files and come back computing exactly what the live
// segments compute; any set that would compute something else is refused by name.

function config(topology: 'vanilla' | 'u-shaped', extra: Partial<StudyConfig> = {}): StudyConfig {
  return StudyConfigSchema.parse({ name: `export ${topology}`, model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'nodule'], topology, schedule: 'splitfed-v2', seed: 7, ...extra });
}

/** Trains nothing: fresh roles with seed-derived weights are as good as trained ones for a format test. */
async function exportStudy(id: string, studyConfig: StudyConfig, trainedRounds = 3): Promise<{ files: SegmentFiles[]; reference: (x: tf.Tensor) => tf.Tensor }> {
  const split = studySplit(studyConfig);
  const client = createRole('client', split.client, studyRoleOptions(studyConfig));
  const server = createRole('server', split.server, studyRoleOptions(studyConfig));
  const study = { id, config: studyConfig };
  const files = [
    ...(await roleSegmentFiles({ study, role: 'client', weights: client.segments.map((segment) => readWeights(segment.model)), trainedRounds })),
    ...(await roleSegmentFiles({ study, role: 'server', weights: server.segments.map((segment) => readWeights(segment.model)), trainedRounds })),
  ];
  const bySegment = [...client.segments, ...server.segments].sort((a, b) => a.plan.index - b.plan.index);
  return {
    files,
    reference: (x) => {
      let h = x;
      for (const segment of bySegment) {
        const next = infer(segment, h);
        if (h !== x) h.dispose();
        h = next;
      }
      const probabilities = tf.softmax(h);
      h.dispose();
      disposeRole(client);
      disposeRole(server);
      return probabilities;
    },
  };
}

/** Through JSON text and fresh bytes, as files on disk or over HTTP would be. */
function load(files: SegmentFiles, source = `${files.metadata.role}-segment${files.metadata.index}`): Promise<LoadedSegment> {
  const json: unknown = JSON.parse(JSON.stringify(files.modelJson));
  return loadSegment(parseSegmentModelJson(json, source), [files.weightData.slice()], source);
}

function withMetadata(files: SegmentFiles, change: Partial<SegmentMetadata>): SegmentFiles {
  const metadata = { ...files.metadata, ...change };
  return { ...files, metadata, modelJson: { ...files.modelJson, userDefinedMetadata: metadata } };
}

async function refusal(run: () => unknown): Promise<SegmentFilesError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof SegmentFilesError) return error;
    throw error;
  }
  throw new Error('expected a SegmentFilesError');
}

const loaded: LoadedSegment[] = [];
async function loadAll(files: SegmentFiles[]): Promise<LoadedSegment[]> {
  const segments = await Promise.all(files.map((file) => load(file)));
  loaded.push(...segments);
  return segments;
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(() => {
  for (const segment of loaded) segment.model.dispose();
});

describe('exported segments', () => {
  it.each(['vanilla', 'u-shaped'] as const)('%s: load back and compute what the live segments compute, in input-to-logits order', async (topology) => {
    const { files, reference } = await exportStudy(`study-${topology}`, config(topology));
    expect(files.map((file) => [file.metadata.role, file.metadata.part, file.metadata.index])).toEqual(
      topology === 'vanilla'
        ? [['client', 'bottom', 0], ['server', 'head', 1]]
        : [['client', 'bottom', 0], ['client', 'head', 2], ['server', 'middle', 1]],
    );
    const first = files[0] as SegmentFiles;
    expect(first.modelJson.weightsManifest[0]?.paths).toEqual(['./weights.bin']);
    expect(first.metadata).toMatchObject({ format: SEGMENT_FORMAT, study: { id: `study-${topology}`, name: `export ${topology}` }, trainedRounds: 3, topology, classes: ['normal', 'nodule'], inputShape: [28, 28, 1] });
    expect(first.metadata.cuts).toHaveLength(topology === 'vanilla' ? 1 : 2);

    // Given in the wrong order on purpose: the chain orders by segment index.
    const chain = chainSegments((await loadAll(files)).reverse());
    expect(chain.segments.map((segment) => segment.metadata.index)).toEqual(topology === 'vanilla' ? [0, 1] : [0, 1, 2]);
    expect(chain.warnings).toEqual([]);
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 3);
    const expected = reference(x);
    const actual = predictProbabilities(chain, x);
    expect(actual.shape).toEqual([5, 2]);
    const gap = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0];
    expect(gap).toBeLessThan(1e-6);
    // Rounding the cut tensors as int8 moves the result a little, and only a little.
    const rounded = predictProbabilities(chain, x, 'int8');
    const roundedGap = tf.max(tf.abs(tf.sub(rounded, expected))).dataSync()[0] ?? 0;
    expect(roundedGap).toBeGreaterThan(0);
    expect(roundedGap).toBeLessThan(0.05);
    tf.dispose([x, expected, actual, rounded]);
  });

  it('refuses a missing U-shaped head, naming the flag that brings it', async () => {
    const { files } = await exportStudy('study-u', config('u-shaped'));
    const [bottom, , server] = await loadAll(files);
    const error = await refusal(() => chainSegments([bottom as LoadedSegment, server as LoadedSegment]));
    expect(error.code).toBe('missing-segment');
    expect(error.message).toMatch(/client head segment \(the U-shaped last layers\).*--client/);
  });

  it('refuses segments of two studies, a doubled segment and a segment given as the other role', async () => {
    const a = await loadAll((await exportStudy('study-a', config('vanilla'))).files);
    const b = await loadAll((await exportStudy('study-b', config('vanilla'))).files);
    expect((await refusal(() => chainSegments([a[0] as LoadedSegment, b[1] as LoadedSegment]))).code).toBe('different-studies');
    expect((await refusal(() => chainSegments([a[0] as LoadedSegment, a[0] as LoadedSegment, a[1] as LoadedSegment]))).code).toBe('duplicate-segment');
    const wrongRole = await refusal(() => checkRole(a[1] as LoadedSegment, 'client'));
    expect(wrongRole.code).toBe('wrong-role');
    expect(wrongRole.message).toMatch(/pass it with --server/);
  });

  it('refuses shapes that do not meet at the cut, and disagreeing class names', async () => {
    const early = (await exportStudy('study-cuts', config('vanilla', { cuts: ['conv1'] }))).files;
    const late = (await exportStudy('study-cuts', config('vanilla'))).files;
    const [earlyClient] = await loadAll(early);
    const [, lateServer] = await loadAll(late);
    const shapes = await refusal(() => chainSegments([earlyClient as LoadedSegment, lateServer as LoadedSegment]));
    expect(shapes.code).toBe('shape-mismatch');
    expect(shapes.message).toMatch(/do not meet at the cut/);

    const [client, server] = late;
    const renamed = await loadAll([withMetadata(server as SegmentFiles, { classes: ['healthy', 'nodule'] })]);
    const [plainClient] = await loadAll([client as SegmentFiles]);
    expect((await refusal(() => chainSegments([plainClient as LoadedSegment, ...renamed]))).code).toBe('class-mismatch');
    // Metadata edited to claim another input than the model has.
    const edited = await loadAll([withMetadata(server as SegmentFiles, { inputShape: [7, 7, 32] })]);
    expect((await refusal(() => chainSegments(edited))).code).toBe('shape-mismatch');
  });

  it('warns when the segments were exported after different rounds', async () => {
    const { files } = await exportStudy('study-rounds', config('vanilla'));
    const [client, server] = files as [SegmentFiles, SegmentFiles];
    const chain = chainSegments(await loadAll([withMetadata(client, { trainedRounds: 2 }), server]));
    expect(chain.trainedRounds).toBe(2);
    expect(chain.warnings[0]).toMatch(/different rounds/);
  });

  it('refuses a plain tfjs model, weight paths outside its folder and truncated weights', async () => {
    const { files } = await exportStudy('study-files', config('vanilla'));
    const server = files[1] as SegmentFiles;
    const plain = { ...server.modelJson, userDefinedMetadata: undefined };
    expect((await refusal(() => parseSegmentModelJson(plain, 'plain.json'))).code).toBe('not-a-segment');
    expect((await refusal(() => parseSegmentModelJson({ hello: 'world' }, 'x.json'))).code).toBe('not-a-model');
    for (const path of ['../weights.bin', '/etc/passwd', 'http://elsewhere/w.bin', 'sub/weights.bin']) {
      const escaping = { ...server.modelJson, weightsManifest: [{ ...server.modelJson.weightsManifest[0], paths: [path] }] };
      expect((await refusal(() => parseSegmentModelJson(escaping, 'model.json'))).code).toBe('not-a-model');
    }
    const parsed = parseSegmentModelJson(JSON.parse(JSON.stringify(server.modelJson)), 'model.json');
    const truncated = await refusal(() => loadSegment(parsed, [server.weightData.slice(0, server.weightData.byteLength - 4)], 'model.json'));
    expect(truncated.code).toBe('bad-weights');
    expect(truncated.message).toMatch(/truncated/);
  });

  it('disposes what it loaded', async () => {
    const { files } = await exportStudy('study-dispose', config('vanilla'));
    const before = tf.memory().numTensors;
    const chain = chainSegments(await Promise.all(files.map((file) => load(file))));
    disposeChain(chain);
    expect(tf.memory().numTensors).toBe(before);
  });
});
