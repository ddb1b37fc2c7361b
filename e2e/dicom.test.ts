import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { backends, data, model } from '@splitlearn/split-core';
import { connectNodeParticipant } from '@splitlearn/split-core/node';
import { dicomDirFile, dicomImageFile, PATIENT, type SyntaxName } from '../packages/split-core/src/dicom/testing/dicom_writer';
import { readWireLog } from '../apps/relay-server/src/testing/wire_log_reader';
import { writeDemoFolder } from './demo_folder';
import { collectPageErrors, createStudy, joinAndWaitForId, PNEUMONIA_CLASSES, pickFolder, pneumoniaTrainDir, relativeDistance, screenshot, startStudy, valMetrics, waitUntilFinished } from './support';
import { useBrowserRelay } from './browser_relay';

// DICOM as hospitals export it, in the browser (issue 16): a clinician picks a folder of
// DICOM files (no extensions, mixed transfer syntaxes, a DICOMDIR, one truncated file); the
// training worker reads them with split-core's DICOM reader and trains. Its pixels are the
// ones the same pictures give as PNGs: a page given the PNGs and a page given the DICOM files
// train single-client, full-batch studies (same seed) to the same client segment, and so does
// the Node client given the DICOM folder (the same file, the same values in both). The wire
// log shows that no header value (name, id, dates, UIDs) left the DICOM page. A flat export
// (no class folders) is labelled by a CSV keyed by SOP Instance UID, read in the worker. And
// chest X-rays (PneumoniaMNIST, when the shared data is there) exported as DICOM in every
// transfer syntax the reader takes, lossy and 12-bit ones included, train a study.

const env = useBrowserRelay('dicom');
const xrayDir = pneumoniaTrainDir('e2e/dicom.test.ts');
/** Every syntax the reader decodes, lossy ones included. */
const ALL_SYNTAXES: SyntaxName[] = ['implicit', 'explicit', 'rle', 'jpegBaseline', 'jpegLossless', 'jpegLosslessSv1', 'jpegLs', 'jpegLsNear', 'jpeg2000Lossless', 'jpeg2000'];
/** Chest X-rays per class: enough that three short rounds separate the classes. */
const XRAYS_PER_CLASS = 120;
const XRAY_AUC_BAR = 0.8;
const ROUNDS = 2;
const COUNT = 36;
/** Lossless syntaxes only, so the DICOM pixels equal the PNG's exactly. */
const SYNTAXES: SyntaxName[] = ['explicit', 'implicit', 'rle', 'jpegLosslessSv1', 'jpegLs', 'jpeg2000Lossless'];
const MULTI_FRAME = 4;

/** The demo images `writeDemoFolder` writes as PNGs, as 8-bit DICOM windowed so stored v shows as v / 255; returns their SOP Instance UIDs. */
async function writeDicomFolder(dir: string): Promise<string[]> {
  const uids: string[] = [];
  for (let index = 0; index < COUNT; index++) {
    const sample = data.generateDemoSample({ seed: 1, split: 'train', index });
    const stored = Array.from(sample.values, (value) => Math.round(255 * Math.min(Math.max(value, 0), 1)));
    const uid = `2.25.${900000 + index}`;
    uids.push(uid);
    const folder = path.join(dir, data.DEMO_CLASSES[sample.label] as string);
    await mkdir(folder, { recursive: true });
    const syntax = SYNTAXES[index % SYNTAXES.length] as SyntaxName;
    // One multi-frame file: its first frame is the picture.
    const frames = index === MULTI_FRAME ? [stored, stored.map((value) => 255 - value)] : [stored];
    await writeFile(path.join(folder, `IM${String(index).padStart(4, '0')}`), await dicomImageFile({ rows: 28, columns: 28, frames, bitsAllocated: 8, windows: [{ center: 128, width: 256 }], syntax, sopInstanceUid: uid }));
  }
  await writeFile(path.join(dir, 'DICOMDIR'), dicomDirFile());
  const whole = await dicomImageFile({ rows: 28, columns: 28, frames: [new Array<number>(784).fill(7)], bitsAllocated: 8, syntax: 'explicit' });
  await writeFile(path.join(dir, 'nodule', 'IM9999'), whole.subarray(0, whole.length - 200));
  return uids;
}

/** Everything on the wire from one participant, checked for header values in its events and (as hex) its binary attachments. */
async function expectNoHeaderValueSent(participant: string, values: readonly string[]): Promise<void> {
  const sent = (await readWireLog(env.wireLog)).filter((entry) => entry.participant === participant);
  expect(sent.some((entry) => entry.event === 'step:frame')).toBe(true);
  const text = JSON.stringify(sent);
  const hex = (value: string): string => Buffer.from(value, 'latin1').toString('hex');
  for (const value of values) {
    expect(text.includes(value), `"${value}" on the wire`).toBe(false);
    expect(text.includes(hex(value)), `"${value}" (as bytes) on the wire`).toBe(false);
  }
}

async function checkpointedClient(studyId: string, round = ROUNDS): Promise<model.NamedWeight[]> {
  const bytes = await readFile(path.join(env.relay.dataDir, 'checkpoints', studyId, `round-${round}`, 'client-segment0.bin'));
  return model.decodeWeights(new Uint8Array(bytes));
}

describe('a clinician’s DICOM export in the browser', () => {
  it('trains as the same pictures do as PNGs and as the Node client reading the same files, skips the DICOMDIR and the truncated file with the reason, and no header value leaves the page', { timeout: 600_000 }, async () => {
    const pngs = path.join(env.workDir, 'png');
    const dicoms = path.join(env.workDir, 'dicom');
    await writeDemoFolder(pngs, { count: COUNT });
    const uids = await writeDicomFolder(dicoms);
    const config = { topology: 'vanilla', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'nodule'], schedule: 'round-robin', optimizer: 'sgd', learningRate: 0.05, rounds: ROUNDS, batchSize: 32, maxStepsPerRound: 1, minClients: 1, seed: 11, augmentation: false };
    const runs: { studyId: string; participant: string; folder: string }[] = [];
    for (const folder of [pngs, dicoms]) {
      const study = await createStudy(env.relay, { ...config, name: `from ${path.basename(folder)}` });
      const context = await env.browser.newContext();
      try {
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        await page.goto(`${env.relay.url}/join/${study.joinCode}`);
        const picked = await pickFolder(page, folder);
        // One batch holds every training image: the step is the same whatever order they come in.
        expect(picked.trainCount + picked.valCount).toBe(COUNT);
        if (folder === dicoms) {
          await page.getByText(/a DICOMDIR \(the index of a DICOM folder\), not an image/).first().waitFor({ timeout: 30_000 });
          await page.getByText(/truncated or damaged DICOM file/).first().waitFor({ timeout: 30_000 });
          // The preview shows the windowed images (drawn from what the worker decoded), not broken <img>s.
          await page.getByRole('img', { name: /^normal: IM\d{4} \(as the model sees it\)$/ }).first().waitFor();
          expect(await page.getByRole('img', { name: /\(as the model sees it\)$/ }).count()).toBe(8);
          const drawn = await page.getByRole('img', { name: /^nodule: IM\d{4}/ }).first().evaluate((canvas) => {
            const pixels = (canvas as HTMLCanvasElement).getContext('2d')?.getImageData(0, 0, 28, 28).data ?? new Uint8ClampedArray();
            return new Set(Array.from(pixels).filter((_, i) => i % 4 === 0)).size;
          });
          expect(drawn).toBeGreaterThan(10);
          // The multi-frame file is used, and the page says with which frame.
          await page.getByText(/Used with a remark \(1\)/).click();
          await page.getByLabel('Files used with a remark').getByText(/DICOM with 2 frames: the first is used/).waitFor();
          // The page says the headers stay here.
          await page.getByLabel('Never leaves this device').getByText(/DICOM headers \(patient names, ids, dates, UIDs\)/).waitFor();
          await screenshot(page, 'dicom-picked');
        }
        const participant = await joinAndWaitForId(page);
        await startStudy(env.relay, study.id);
        await waitUntilFinished(env.relay, study.id, [page], 400_000);
        expect(errors).toEqual([]);
        runs.push({ studyId: study.id, participant, folder });
      } finally {
        await context.close();
      }
    }
    // The Node client (npm run client) reads the same DICOM folder with the same split-core reader.
    await backends.initBackend('wasm');
    const nodeStudy = await createStudy(env.relay, { ...config, name: 'from dicom, in Node' });
    const node = await connectNodeParticipant({ url: env.relay.url, joinCode: nodeStudy.joinCode, data: { source: dicoms }, label: 'node', backend: 'wasm' });
    try {
      expect(node.data.train.samples.length + node.data.val.samples.length).toBe(COUNT);
      await startStudy(env.relay, nodeStudy.id);
      await waitUntilFinished(env.relay, nodeStudy.id, [], 400_000);
    } finally {
      node.close();
    }

    const [fromPng, fromDicom] = await Promise.all(runs.map((run) => checkpointedClient(run.studyId)));
    expect(fromDicom?.map((weight) => weight.name)).toEqual(fromPng?.map((weight) => weight.name));
    // The same inputs up to float rounding (PNG: luma of equal R, G, B over 255; DICOM: the window's v / 255).
    for (const [i, weight] of (fromPng ?? []).entries()) expect(relativeDistance(weight, fromDicom?.[i]), weight.name).toBeLessThan(1e-5);
    // The browser's worker and Node decoded every file to the same values: the same training, within the engines' float differences.
    const fromNode = await checkpointedClient(nodeStudy.id);
    const nodeDistance = Math.max(...(fromDicom ?? []).map((weight, i) => relativeDistance(weight, fromNode[i])));
    console.info(`[e2e] DICOM in the browser vs in Node: client weights after ${ROUNDS} rounds differ by ${nodeDistance.toExponential(2)} (relative)`);
    expect(nodeDistance).toBeLessThan(1e-5);

    // And the images trained it: the last step moved the weights far beyond that tolerance.
    const before = await checkpointedClient(runs[1]?.studyId ?? '', ROUNDS - 1);
    expect(Math.max(...(fromDicom ?? []).map((weight, i) => relativeDistance(weight, before[i])))).toBeGreaterThan(1e-3);

    // Nothing the DICOM page sent holds a header value, in any event or attachment.
    await expectNoHeaderValueSent(runs[1]?.participant ?? '', [...Object.values(PATIENT), ...uids]);
  });

  it.skipIf(xrayDir === undefined)('trains on chest X-rays exported as DICOM in every transfer syntax (12-bit, lossy ones too), skipping the DICOMDIR and a corrupt file', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'xray-export');
    const uids: string[] = [];
    let written = 0;
    for (const name of PNEUMONIA_CLASSES) {
      const files = (await readdir(path.join(xrayDir as string, name))).filter((file) => file.endsWith('.png')).sort().slice(0, XRAYS_PER_CLASS);
      await mkdir(path.join(folder, name), { recursive: true });
      for (const file of files) {
        const png = PNG.sync.read(await readFile(path.join(xrayDir as string, name, file)));
        const gray = Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4] as number);
        const syntax = ALL_SYNTAXES[written % ALL_SYNTAXES.length] as SyntaxName;
        // 12 bits in 16, as CR and DX exports store them, windowed over the full range; baseline JPEG carries 8.
        const twelveBit = syntax !== 'jpegBaseline';
        const stored = twelveBit ? gray.map((value) => value * 16) : gray;
        const uid = `2.25.${500000 + written}`;
        uids.push(uid);
        const bytes = await dicomImageFile({ rows: png.height, columns: png.width, frames: [stored], bitsAllocated: twelveBit ? 16 : 8, bitsStored: twelveBit ? 12 : 8, windows: [twelveBit ? { center: 2048, width: 4096 } : { center: 128, width: 256 }], syntax, sopInstanceUid: uid });
        await writeFile(path.join(folder, name, `IM${String(written).padStart(5, '0')}`), bytes);
        written += 1;
      }
    }
    await writeFile(path.join(folder, 'DICOMDIR'), dicomDirFile());
    const corrupt = await dicomImageFile({ rows: 28, columns: 28, frames: [new Array<number>(784).fill(900)], bitsAllocated: 16, bitsStored: 12, syntax: 'jpeg2000' });
    await writeFile(path.join(folder, 'pneumonia', 'IM99999'), corrupt.subarray(0, corrupt.length - 120));

    const config = { topology: 'vanilla', model: 'cnn-small', inputShape: [28, 28, 1], classes: [...PNEUMONIA_CLASSES], schedule: 'round-robin', learningRate: 0.001, rounds: 4, batchSize: 32, minClients: 1, seed: 5 };
    const study = await createStudy(env.relay, { ...config, name: 'chest X-rays from DICOM' });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${env.relay.url}/join/${study.joinCode}`);
      const picked = await pickFolder(page, folder);
      expect(picked.trainCount + picked.valCount).toBe(written);
      const skipped = page.getByLabel('Skipped files');
      await skipped.getByText(/a DICOMDIR \(the index of a DICOM folder\), not an image/).waitFor();
      await skipped.getByText('pneumonia/IM99999').waitFor();
      expect(await skipped.getByRole('listitem').count()).toBe(2);
      await screenshot(page, 'dicom-xrays');
      const participant = await joinAndWaitForId(page);
      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [page], 400_000);
      expect(errors).toEqual([]);
      const val = await valMetrics(env.relay, study.id);
      const last = val.at(-1)?.metrics;
      console.info(`[e2e] chest X-rays from DICOM: validation ${val.map((row) => `round ${row.round} AUC ${row.metrics.auc?.toFixed(3)} accuracy ${row.metrics.accuracy?.toFixed(3)}`).join('; ')}`);
      expect(last?.count).toBe(picked.valCount);
      // The pixels the X-rays carried, through every codec, taught the model to tell the classes apart.
      expect(last?.auc ?? 0, JSON.stringify(val.map((row) => row.metrics.auc))).toBeGreaterThan(XRAY_AUC_BAR);
      await expectNoHeaderValueSent(participant, [...Object.values(PATIENT), ...uids]);
    } finally {
      await context.close();
    }
  });

  it('labels a flat export from a CSV keyed by SOP Instance UID, read on the device: unlisted files and unmatched rows are named, no UID leaves', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'flat', 'export');
    await mkdir(folder, { recursive: true });
    const rows: string[] = [];
    const expected = { normal: 0, nodule: 0 };
    const uids: string[] = [];
    for (let index = 0; index < COUNT; index++) {
      const sample = data.generateDemoSample({ seed: 1, split: 'train', index });
      const stored = Array.from(sample.values, (value) => Math.round(255 * Math.min(Math.max(value, 0), 1)));
      const uid = `2.25.${700000 + index}`;
      uids.push(uid);
      const syntax = SYNTAXES[index % SYNTAXES.length] as SyntaxName;
      await writeFile(path.join(folder, `IM${String(index).padStart(4, '0')}`), await dicomImageFile({ rows: 28, columns: 28, frames: [stored], bitsAllocated: 8, windows: [{ center: 128, width: 256 }], syntax, sopInstanceUid: uid }));
      // The last file is not in the CSV: skipped, with the reason.
      if (index === COUNT - 1) continue;
      const label = data.DEMO_CLASSES[sample.label] as 'normal' | 'nodule';
      expected[label] += 1;
      rows.push(`${uid},${label.toUpperCase()}`);
    }
    // A row for an image that is not in the folder.
    rows.push('2.25.799999,normal');
    await writeFile(path.join(folder, 'labels.csv'), `SOPInstanceUID,label\n${rows.join('\n')}\n`);

    const config = { topology: 'vanilla', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'nodule'], schedule: 'round-robin', optimizer: 'sgd', learningRate: 0.05, rounds: 2, batchSize: 16, minClients: 1, seed: 12, augmentation: false };
    const study = await createStudy(env.relay, { ...config, name: 'labelled by UID' });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${env.relay.url}/join/${study.joinCode}`);
      const picked = await pickFolder(page, folder);
      expect(picked.trainCount + picked.valCount).toBe(COUNT - 1);
      await page.getByText(`${COUNT} files to label from the CSV by SOP Instance UID, once read on this device.`).waitFor();
      // Each class counted as the CSV says (its labels in capitals: matched to the study's classes as folder names are).
      const table = page.getByRole('table', { name: 'Images per study class' });
      for (const [name, count] of Object.entries(expected)) await expect.poll(() => table.getByRole('row', { name: new RegExp(`^${name} ${count} `) }).count()).toBe(1);
      await page.getByLabel('Skipped files').getByText(`IM${String(COUNT - 1).padStart(4, '0')}`).waitFor();
      await page.getByLabel('Skipped files').getByText(/not listed in the CSV, by path, file name or SOP Instance UID/).waitFor();
      await page.getByText('1 CSV row names a SOP Instance UID that none of the chosen files has').waitFor();
      await screenshot(page, 'dicom-uid-csv');
      const participant = await joinAndWaitForId(page);
      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [page], 400_000);
      expect(errors).toEqual([]);
      // The relay scored the validation images with the CSV's labels: as many nodules as the page kept.
      const keptNodules = Number((await table.getByRole('row', { name: /^nodule / }).getByRole('cell').last().innerText()).replace(/,/g, ''));
      const last = (await valMetrics(env.relay, study.id)).at(-1)?.metrics;
      expect(last?.count).toBe(picked.valCount);
      expect(keptNodules).toBeGreaterThan(0);
      expect(last?.thresholds?.positives).toBe(keptNodules);
      await expectNoHeaderValueSent(participant, [...Object.values(PATIENT), ...uids]);
    } finally {
      await context.close();
    }
  });
});
