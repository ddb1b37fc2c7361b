import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { data, model, study as studyLib } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import type { RelayProcess } from '../apps/relay-server/src/testing/relay_process';
import { readWireLog } from '../apps/relay-server/src/testing/wire_log_reader';
import { collectPageErrors, createStudy, figureBytes, figureText, joinAndWaitForId, screenshot, startStudy, trainMetrics, valMetrics, waitUntilFinished } from './support';
import { useBrowserRelay } from './browser_relay';
import { auditParticipant, entriesByParticipant, type DeclaredTraffic } from './wire_audit';
import { idSpellings } from '../apps/relay-server/src/testing/id_spellings';

// Vertical split learning end to end: three hospitals hold different columns of overlapping
// patients. Two are clinicians in Chromium who pick their own CSV on the contribute page
// (one names its id column differently and says so on the page), the third is the Node
// client. They line their rows up by private set intersection through the real relay and
// train one model. The relay's wire log shows only the declared tensors, labels from the
// label holder alone, and opaque 32-byte elements while aligning; no patient id, plain or
// hashed, in anything any of them sent. The pages' traffic figures match the relay's record.

const ROUNDS = 5;
const BATCH = 16;
const PATIENTS = 240;

const patientId = (i: number): string => `P${String(i).padStart(4, '0')}`;

interface Tables {
  files: [string, string, string];
  /** Rows each party holds. */
  rows: [number, number, number];
  /** Patients all three hold. */
  common: number;
  ids: string[];
}

/**
 * Hospital A (the label holder) holds P0000-P0219 with the outcome; B holds P0010-P0239 under
 * an id column named "mrn"; C (the Node client) holds everyone, in reverse order. The outcome
 * depends on a column of each, so no party could learn it alone.
 */
async function hospitalTables(dir: string): Promise<Tables> {
  const rng = data.createRng(11);
  const rows = Array.from({ length: PATIENTS }, (_, i) => {
    const a = [rng.normal(), rng.normal(), rng.normal()];
    const b = [rng.normal(), rng.normal()];
    const c = [rng.normal(), rng.normal()];
    return { id: patientId(i), a, b, c, label: (a[0] ?? 0) + (b[0] ?? 0) + (c[0] ?? 0) > 0 ? 'yes' : 'no' };
  });
  const files: Tables['files'] = [path.join(dir, 'hospital-a.csv'), path.join(dir, 'hospital-b.csv'), path.join(dir, 'hospital-c.csv')];
  const a = rows.slice(0, 220);
  const b = rows.slice(10);
  const c = rows.slice().reverse();
  await writeFile(files[0], ['patient_id,a1,a2,a3,outcome', ...a.map((row) => `${row.id},${row.a.join(',')},${row.label}`)].join('\n'));
  await writeFile(files[1], ['mrn,b2,b1', ...b.map((row) => `${row.id},${row.b[1]},${row.b[0]}`)].join('\n'));
  await writeFile(files[2], ['patient_id,c1,c2', ...c.map((row) => `${row.id},${row.c.join(',')}`)].join('\n'));
  return { files, rows: [a.length, b.length, c.length], common: 210, ids: rows.map((row) => row.id) };
}

const studyConfig = {
  name: 'e2e vertical: three hospitals',
  topology: 'vertical',
  classes: ['no', 'yes'],
  schedule: 'round-robin',
  parties: [
    { name: 'Hospital A', input: { columns: ['a1', 'a2', 'a3'] } },
    { name: 'Hospital B', input: { columns: ['b1', 'b2'] } },
    { name: 'Hospital C', input: { columns: ['c1', 'c2'] } },
  ],
  labelHolder: 0,
  labelColumn: 'outcome',
  rounds: ROUNDS,
  batchSize: BATCH,
  learningRate: 0.003,
  minClients: 3,
};

/** What party `party` declares it sends: its encoder's output, labels if it holds them, its segment's weights, its rows' blinded ids. */
function declaredFor(studyId: string, party: number, rows: number): DeclaredTraffic {
  const config = studyLib.VerticalStudyConfigSchema.parse(studyConfig);
  const plans = studyLib.studyRolePlans(config, () => party);
  const [plan] = plans.client('');
  if (!plan) throw new Error(`party ${party} has no segment`);
  const built = model.buildLayersModel(plan.layers, plan.inputShape, { seed: config.seed, name: `declared_party${party}` });
  try {
    return {
      studyId,
      codec: config.codec,
      batchSize: BATCH,
      cutShape: plan.outputShape,
      sendsLabels: plans.holdsLabels(''),
      clientWeights: built.weights.map((weight) => ({ name: weight.originalName, shape: weight.shape.map((size) => size ?? 0) })),
      alignment: { rows },
    };
  } finally {
    built.dispose();
  }
}

/** Opens the join link, chooses the party and the table, and waits for the page to read it. */
async function pickTable(page: Page, relay: RelayProcess, joinCode: string, party: string, file: string): Promise<void> {
  await page.goto(`${relay.url}/join/${joinCode}`);
  await page.getByLabel('Your party', { exact: true }).selectOption({ label: party });
  await page.getByLabel('Patient table (CSV)', { exact: true }).setInputFiles(file);
}

describe('vertical split learning: two browsers and a Node client over the real relay', () => {
  const env = useBrowserRelay('vertical');

  it('aligns by PSI, trains on the common patients; only declared tensors and blinded ids cross, and the pages say so', { timeout: 600_000 }, async () => {
    const tables = await hospitalTables(env.workDir);
    const study = await createStudy(env.relay, studyConfig);
    const contexts: BrowserContext[] = await Promise.all([env.browser.newContext(), env.browser.newContext()]);
    let node: NodeParticipant | undefined;
    try {
      const [pageA, pageB] = (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
      const pageErrors = [pageA, pageB].map(collectPageErrors);

      // Hospital A: the label holder; its table is read with its labels.
      await pickTable(pageA, env.relay, study.joinCode, 'Hospital A: 3 columns, holds the labels', tables.files[0]);
      await expect.poll(() => figureText(pageA, 'Usable patient rows').catch(() => ''), { timeout: 30_000 }).toBe('220');
      expect(await figureText(pageA, 'Labels')).toMatch(/^no: \d+, yes: \d+$/);
      expect(await figureText(pageA, 'Feature columns used')).toBe('a1, a2, a3');

      // Hospital B: its id column is "mrn", which the page cannot know; it says what is missing, then reads the table once told.
      await pickTable(pageB, env.relay, study.joinCode, 'Hospital B: 2 columns', tables.files[1]);
      await expect.poll(async () => (await pageB.getByRole('alert').allInnerTexts()).join(' '), { timeout: 30_000 }).toMatch(/no id column "patient_id"/);
      await pageB.getByLabel('Patient id column', { exact: true }).selectOption('mrn');
      await expect.poll(() => figureText(pageB, 'Usable patient rows').catch(() => ''), { timeout: 30_000 }).toBe('230');
      expect(await pageB.getByRole('alert').count()).toBe(0);
      // Columns in the study's order, whatever the CSV's; no labels at B.
      expect(await figureText(pageB, 'Feature columns used')).toBe('b1, b2');
      expect(await figureText(pageB, 'Labels')).toMatch(/another party holds the labels/);

      // "What leaves this device": blinded ids, their count, activations; labels only at the label holder.
      expect(await figureBytes(pageA, 'Blinded patient ids')).toBe(220 * 32);
      expect(await figureBytes(pageB, 'Blinded patient ids')).toBe(230 * 32);
      expect(await pageA.getByLabel('Labels per training step', { exact: true }).count()).toBe(1);
      expect(await pageB.getByLabel('Labels per training step', { exact: true }).count()).toBe(0);
      await expect.poll(async () => (await pageB.getByRole('list', { name: 'Never leaves this device' }).innerText()).includes('Patient ids')).toBe(true);
      await screenshot(pageB, 'vertical-party-table');

      const browserIds = [await joinAndWaitForId(pageA), await joinAndWaitForId(pageB)];
      const nodeAligned: number[] = [];
      node = await connectNodeParticipant({
        url: env.relay.url,
        joinCode: study.joinCode,
        data: { source: tables.files[2], party: 2 },
        backend: 'wasm',
        label: 'hospital-c',
        events: { onAlignment: (status) => status.aligned !== undefined && nodeAligned.push(status.aligned) },
      });
      const nodeId = node.participant.identity?.participantId as string;
      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [pageA, pageB], 480_000);

      // Each party ended with exactly the 210 patients all three hold, and the pages say so.
      expect(nodeAligned).toEqual([tables.common]);
      expect(await figureText(pageA, 'Patients lined up')).toBe(`${tables.common} of your 220 patients are held by every party`);
      expect(await figureText(pageB, 'Patients lined up')).toBe(`${tables.common} of your 230 patients are held by every party`);
      // Saving a party's encoder is not offered (vertical export is not built yet), rather than failing when pressed.
      expect(await pageA.getByRole('button', { name: 'Download my model segment' }).count()).toBe(0);
      const val = await valMetrics(env.relay, study.id);
      const train = await trainMetrics(env.relay, study.id);
      console.info(`[e2e] vertical, 2 browsers + 1 Node client: val ${val.map((row) => `round ${row.round}: accuracy ${row.metrics.accuracy?.toFixed(3)}, auc ${row.metrics.auc?.toFixed(3)} (n=${row.metrics.count})`).join('; ')}`);
      expect(val.map((row) => row.round)).toEqual(Array.from({ length: ROUNDS }, (_, round) => round));
      for (const row of train) expect(row.metrics.completed, `groups that completed round ${row.round}`).toBe(1);
      // 20% of the common patients are validation, the same patients at every party.
      expect(val.at(-1)?.metrics.count).toBe(Math.round(tables.common * 0.2));
      expect(await figureText(pageA, 'Patients used')).toBe(`${tables.common - Math.round(tables.common * 0.2)} for training, ${Math.round(tables.common * 0.2)} for validation (the same patients at every party)`);
      // The outcome needs all three parties' columns: well above the majority class's 0.63 once
      // they train together (held by the last two rounds: one round's figure on 42 patients moves
      // by a few of them, and the batch order follows the random participant ids: 0.75 to 0.83
      // seen), and the AUC, which ranks every patient, holds the rest.
      const lastTwo = val.slice(-2).map((row) => row.metrics.accuracy ?? 0);
      expect((lastTwo[0] ?? 0) + (lastTwo[1] ?? 0)).toBeGreaterThan(2 * 0.72);
      expect(val.at(-1)?.metrics.auc ?? 0).toBeGreaterThan(0.9);

      // What crossed the wire into the relay from the three hospitals.
      const entries = await readWireLog(env.wireLog);
      const ids = [...browserIds, nodeId] as [string, string, string];
      const byParticipant = entriesByParticipant(entries, ids);
      const audits = ids.map((id, party) => auditParticipant(byParticipant.get(id) ?? [], declaredFor(study.id, party, tables.rows[party] as number)));
      audits.forEach((audit, party) => {
        expect(audit.problems, `wire problems of party ${party}`).toEqual([]);
        expect(audit.trainSteps, `training steps of party ${party}`).toBeGreaterThan(0);
        expect(audit.events).toEqual(expect.arrayContaining(['ack:align:start', 'ack:align:blind', 'ack:align:tags', 'ack:align:intersect']));
      });
      // Labels from the label holder only; every party took every step.
      expect(audits.map((audit) => audit.bytes.labels > 0)).toEqual([true, false, false]);
      expect(new Set(audits.map((audit) => audit.trainSteps)).size).toBe(1);
      // No patient id, plain or hashed, in anything the three sent (the blinded elements are logged byte for byte).
      const sent = JSON.stringify([...byParticipant.values()]);
      expect(sent).toMatch(/"hex":"[0-9a-f]{6720}/);
      for (const patient of tables.ids) for (const spelling of idSpellings(patient, study.id)) expect(sent.includes(spelling), `${patient} as ${spelling.slice(0, 16)}`).toBe(false);

      // Each page's "sent so far" figures are what the relay received from it.
      for (const [index, page] of [pageA, pageB].entries()) {
        const audit = audits[index] as (typeof audits)[number];
        await expect.poll(() => figureBytes(page, 'Sent so far: all kinds'), { timeout: 15_000, interval: 500 }).toBe(audit.bytes.activations + audit.bytes.labels + audit.bytes.weights + audit.bytes.alignment);
        expect(await figureBytes(page, 'Sent so far: alignment')).toBe(audit.bytes.alignment);
        expect(await figureBytes(page, 'Declared so far: activations')).toBe(audit.bytes.activations);
        expect(await figureBytes(page, 'Declared so far: labels')).toBe(audit.bytes.labels);
      }
      // The researcher's dashboard draws the three parties, the label holder marked, and the alignment.
      const dashboard = await contexts[0]?.newPage();
      if (!dashboard) throw new Error('no browser context for the dashboard');
      const dashboardErrors = collectPageErrors(dashboard);
      await dashboard.goto(`${env.relay.url}/dashboard/${study.id}`);
      const holds = dashboard.getByRole('group', { name: 'Who holds what' });
      for (const [party, name] of ['Hospital A', 'Hospital B', 'Hospital C'].entries()) {
        await expect.poll(() => holds.getByRole('region', { name: `${name} (party ${party})` }).count(), { timeout: 30_000 }).toBe(1);
      }
      expect(await holds.getByText('Holds the labels').count()).toBe(1);
      expect(await holds.getByRole('region', { name: 'Hospital A (party 0)' }).innerText()).toMatch(/Holds the labels/);
      expect(await holds.innerText()).toMatch(/Lining up the rows/);
      await screenshot(dashboard, 'vertical-dashboard');
      pageErrors.forEach((errors, i) => expect(errors, `errors in browser ${i}`).toEqual([]));
      expect(dashboardErrors).toEqual([]);
    } finally {
      node?.close();
      await Promise.all(contexts.map((context) => context.close()));
    }
  });
});
