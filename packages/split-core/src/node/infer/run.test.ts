import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentFilesError } from '../../artifacts/errors';
import { roleSegmentFiles } from '../../artifacts/study_segments';
import { initBackend } from '../../backends/select';
import { batchToTensors } from '../../data/batches';
import { generateDemoSample } from '../../data/demo';
import { evaluateClassification } from '../../metrics/classification';
import { readWeights } from '../../model/weights';
import { studyRoleOptions, studySplit } from '../../study/model';
import { StudyConfigSchema } from '../../study/config';
import { createRole, disposeRole, type ClientRole, type ServerRole } from '../../segment/roles';
import { infer, type Segment } from '../../segment/segment';
import { loadLocalData } from '../client/local_data';
import { readImageFolder } from '../data/image_folder';
import { writeSegmentFiles } from '../segment_files';
import { parseInferArgs, UsageError, type InferArgs } from './args';
import { runInfer } from './run';

// The inference command on files as the exports write them: it must score a folder of
// images exactly as the live segments would, report the files it skipped, and refuse
// folders and segments that do not fit the study.

const config = StudyConfigSchema.parse({ name: 'infer test', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'nodule'], topology: 'vanilla', schedule: 'round-robin', batchSize: 8, seed: 5 });
const split = studySplit(config);
let client: ClientRole;
let server: ServerRole;
let root: string;
let images: string;

function grayPng(values: Float32Array, size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  values.forEach((value, i) => png.data.set([Math.round(value * 255), Math.round(value * 255), Math.round(value * 255), 255], i * 4));
  return PNG.sync.write(png, { colorType: 0 });
}

function args(extra: Partial<InferArgs>): InferArgs {
  return { client: [path.join(root, 'client')], server: [path.join(root, 'server')], data: images, shard: [], cutCodec: 'study', backend: 'wasm', json: false, ...extra };
}

beforeAll(async () => {
  await initBackend('wasm');
  client = createRole('client', split.client, studyRoleOptions(config));
  server = createRole('server', split.server, studyRoleOptions(config));
  root = await mkdtemp(path.join(tmpdir(), 'infer-'));
  const study = { id: 'study-infer', config };
  const [clientFiles] = await roleSegmentFiles({ study, role: 'client', weights: client.segments.map((segment) => readWeights(segment.model)), trainedRounds: 4 });
  const [serverFiles] = await roleSegmentFiles({ study, role: 'server', weights: server.segments.map((segment) => readWeights(segment.model)), trainedRounds: 4 });
  if (!clientFiles || !serverFiles) throw new Error('one segment per role expected');
  // The layouts the exports write: --export DIR nests per segment, npm run export does not.
  await writeSegmentFiles(path.join(root, 'client', 'client-segment0'), clientFiles);
  await writeSegmentFiles(path.join(root, 'server'), serverFiles);

  images = path.join(root, 'images');
  for (let index = 0; index < 21; index++) {
    const sample = generateDemoSample({ seed: 11, split: 'val', index });
    const folder = path.join(images, sample.label === 0 ? 'Normal' : 'nodule');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `${index}.png`), grayPng(sample.values, 28));
  }
  await writeFile(path.join(images, 'nodule', 'broken.png'), 'not a png');
  await writeFile(path.join(images, '.DS_Store'), '');
});

afterAll(async () => {
  disposeRole(client);
  disposeRole(server);
  await rm(root, { recursive: true, force: true });
});

describe('npm run infer', () => {
  it('scores a folder exactly as the live segments do, and reports skipped files', async () => {
    const result = await runInfer(args({}));
    const read = await readImageFolder(images, { sampleShape: [28, 28, 1], classes: config.classes });
    const tensors = batchToTensors(read.dataset.samples, [28, 28, 1], 2);
    const activations = infer(client.segments[0] as Segment, tensors.x);
    const logits = infer(server.segments[0] as Segment, activations);
    const probabilities = tf.softmax(logits);
    const expected = evaluateClassification(probabilities.dataSync(), tensors.labels.dataSync(), 2);
    tf.dispose([tensors.x, tensors.labels, activations, logits, probabilities]);

    expect(result.metrics.count).toBe(21);
    expect(result.metrics.confusion).toEqual(expected.confusion);
    expect(result.metrics.accuracy).toBe(expected.accuracy);
    expect(result.metrics.loss).toBeCloseTo(expected.loss, 5);
    expect(result.skipped.map((file) => file.path)).toEqual(['.DS_Store', 'nodule/broken.png']);
    expect(result).toMatchObject({ study: { id: 'study-infer', name: 'infer test' }, trainedRounds: 4, classes: ['normal', 'nodule'], cutCodec: 'fp32', warnings: [] });
    expect(result.segments.map((segment) => [segment.role, segment.part])).toEqual([['client', 'bottom'], ['server', 'head']]);
  });

  it('takes the labels from --labels instead of the folders: every label swapped, the confusion matrix swaps its rows', async () => {
    const plain = await runInfer(args({}));
    const rows = ['file,label'];
    for (const [folder, swapped] of [['Normal', 'nodule'], ['nodule', 'normal']] as const) {
      for (const name of await readdir(path.join(images, folder))) rows.push(`${folder}/${name},${swapped}`);
    }
    const csv = path.join(root, 'swapped.csv');
    await writeFile(csv, rows.join('\n'));
    const result = await runInfer(args({ labels: csv }));
    expect(result.metrics.count).toBe(plain.metrics.count);
    expect(result.metrics.confusion).toEqual([...plain.metrics.confusion].reverse());
    expect(result.skipped.map((file) => [file.path, file.reason.slice(0, 25)])).toEqual([['.DS_Store', 'hidden file or folder'], ['nodule/broken.png', 'not a PNG, JPEG or DICOM ']]);
    expect(() => parseInferArgs(['--client', 'a', '--server', 's', '--data', 'demo', '--labels', csv])).toThrow(/--labels labels a folder of images/);
  });

  it('scores the validation images a demo client kept, as the client split them', async () => {
    const result = await runInfer(args({ data: 'demo', shard: [{ index: 1, count: 4 }] }));
    const local = await loadLocalData({ id: 'study-infer', config, state: 'finished', round: 4 }, { source: 'demo', shard: { index: 1, count: 4 } });
    expect(result.metrics.count).toBe(local.val.samples.length);
    expect(result.data).toBe('demo validation images of client(s) 2/4');
  });

  it('refuses class folders the study does not have, and segments given as the wrong role', async () => {
    const stray = path.join(root, 'stray');
    await mkdir(path.join(stray, 'normal'), { recursive: true });
    await mkdir(path.join(stray, 'pneumonia'), { recursive: true });
    await expect(runInfer(args({ data: stray }))).rejects.toThrow(/not classes of this study: pneumonia \(the study's classes: normal, nodule\)/);
    const swapped = runInfer(args({ client: [path.join(root, 'server')], server: [path.join(root, 'client')] }));
    await expect(swapped).rejects.toBeInstanceOf(SegmentFilesError);
    await expect(runInfer(args({ client: [path.join(root, 'server')], server: [path.join(root, 'client')] }))).rejects.toThrow(/pass it with --server/);
    await expect(runInfer(args({ server: [path.join(root, 'nowhere')] }))).rejects.toThrow(/does not exist/);
  });
});

describe('infer flags', () => {
  it('parses repeated segments and shards, and explains what is missing', () => {
    const parsed = parseInferArgs(['--client', 'a', '--client', 'b', '--server', 's', '--data', 'demo', '--shard', '1/2', '--shard', '2/2', '--json']);
    expect(parsed).toMatchObject({ client: ['a', 'b'], server: ['s'], shard: [{ index: 0, count: 2 }, { index: 1, count: 2 }], cutCodec: 'study', json: true });
    expect(parseInferArgs(['--help'])).toBeUndefined();
    expect(() => parseInferArgs(['--client', 'a', '--data', 'x'])).toThrow(/--server is required/);
    expect(() => parseInferArgs(['--client', 'a', '--server', 's', '--data', 'x', '--shard', '1/2'])).toThrow(/--shard only goes with --data demo/);
    expect(() => parseInferArgs(['--client', 'a', '--server', 's', '--data', 'demo', '--shard', '3/2'])).toThrow(UsageError);
  });
});
