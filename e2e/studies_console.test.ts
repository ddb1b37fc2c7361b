import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { backends, privacy } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, waitFor } from '../apps/relay-server/src/testing/relay_process';
import { readWireLog, stepHeaderOf, WireBinarySchema } from '../apps/relay-server/src/testing/wire_log_reader';
// The form's own reading of a datetime-local value (the browser shares this process's time zone).
import { localDateTime } from '../apps/web/src/features/studies/new_study/study_draft';
import { useBrowserRelay } from './browser_relay';
import { writeDemoFolder } from './demo_folder';
import { collectPageErrors, joinAndWaitForId, pickFolder, screenshot } from './support';

// The researcher's console (issue 17), as a new researcher uses it: sign in with the relay's
// token, create a U-shaped SplitFed V2 study through the form (an invalid cut first, refused
// at the field; then a batch over the relay's message limit, refused by the relay at the
// field), copy the invite link, let a browser and a Node client join through it, start the
// study, watch a round arrive (the list follows the relay live), stop it, save its server
// segment, revoke the code (the old one is refused), and duplicate it. The costs shown before
// launch are the relay's: the bytes its wire log records for a client's first training step,
// the FLOPs its metrics (the dashboard's chart) report.

// A small message limit, so that a batch size the form cannot judge is refused by the relay itself.
const MAX_MESSAGE_MB = 2;
const env = useBrowserRelay('studies', { relayArgs: ['--max-message-mb', String(MAX_MESSAGE_MB)] });

async function bytesFact(page: Page, label: string): Promise<number> {
  return Number(await page.getByLabel(label, { exact: true }).getAttribute('data-bytes'));
}

/** The row of the studies table for this study. */
function studyRow(page: Page, name: string) {
  return page.getByRole('table', { name: 'Studies' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

describe('the researcher’s console', () => {
  it('creates, invites, runs, stops, revokes and duplicates a study from the browser', { timeout: 600_000 }, async () => {
    await backends.initBackend('wasm');
    const images = path.join(env.workDir, 'images');
    await writeDemoFolder(images, { count: 60 });
    const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const clients: NodeParticipant[] = [];
    try {
      const existing = (await api<{ studies: unknown[] }>(env.relay, 'GET', '/api/studies')).studies.length;
      const consolePage = await context.newPage();
      const errors = collectPageErrors(consolePage);
      await consolePage.goto(`${env.relay.url}/studies`);
      // A wrong token is explained, and the sign-in comes back.
      await consolePage.getByLabel('Researcher token').fill('not-the-token');
      await consolePage.getByRole('button', { name: 'Use token' }).click();
      await consolePage.getByRole('alert').getByText(/needs the researcher token/).waitFor();
      await consolePage.getByLabel('Researcher token').fill(env.relay.token);
      await consolePage.getByRole('button', { name: 'Use token' }).click();
      await consolePage.getByRole('heading', { name: 'Your studies' }).waitFor();
      // The list follows the relay's feed, not a timer.
      await consolePage.getByText('Live: the list follows the relay.').waitFor();

      // The form: a U-shaped SplitFed V2 study, its cuts first in the wrong order.
      const form = consolePage.getByRole('form', { name: 'New study' });
      await form.getByLabel('Study name').fill('console u-shaped');
      await form.getByLabel('Classes').fill('normal, nodule');
      await form.getByLabel('Topology').selectOption('u-shaped');
      await form.getByLabel('Cut after layer', { exact: true }).selectOption('dense1');
      await form.getByLabel('Second cut after layer').selectOption('pool1');
      // Refused at the field before anything is sent, with split-core's reason.
      const cutProblem = form.getByRole('alert').filter({ hasText: /cuts must be in increasing order/ });
      await cutProblem.waitFor();
      await form.getByRole('button', { name: 'Create study' }).click();
      expect((await api<{ studies: unknown[] }>(env.relay, 'GET', '/api/studies')).studies).toHaveLength(existing);
      await form.getByLabel('Cut after layer', { exact: true }).selectOption('pool1');
      await form.getByLabel('Second cut after layer').selectOption('dense1');
      await cutProblem.waitFor({ state: 'detached' });
      await form.getByLabel('Schedule', { exact: true }).selectOption('splitfed-v2');
      // A batch whose cut activations exceed the relay's message limit: only the relay knows its
      // limit, and its refusal is shown at the field it concerns.
      await form.getByLabel('Batch size').fill('1024');
      await form.getByRole('button', { name: 'Create study' }).click();
      await form.getByRole('alert').filter({ hasText: new RegExp(`over the relay's ${MAX_MESSAGE_MB} MiB limit: lower batchSize`) }).waitFor();
      expect(await form.getByLabel('Batch size').getAttribute('aria-invalid')).toBe('true');
      // The browser logs the refusal (400); nothing else may go wrong on this page.
      const refusals = errors.length;
      expect(errors.every((error) => error.includes('400'))).toBe(true);
      expect((await api<{ studies: unknown[] }>(env.relay, 'GET', '/api/studies')).studies).toHaveLength(existing);
      await form.getByLabel('Batch size').fill('16');
      await form.getByLabel('Rounds', { exact: true }).fill('50');
      await form.getByLabel('Steps per round').fill('2');
      await form.getByLabel('Minimum clients').fill('2');
      // Two participants at most, and an invitation that ends in a week (the browser's local time).
      await form.getByLabel('Participant limit').fill('2');
      const inviteEnds = localDateTime(Date.now() + 7 * 24 * 3600 * 1000);
      await form.getByLabel('Invitation ends').fill(inviteEnds);
      // The cost before launch.
      const upPerStep = await bytesFact(consolePage, 'Sent by each client per training step');
      expect(upPerStep).toBeGreaterThan(0);
      expect(await bytesFact(consolePage, 'Sent by each client per round')).toBe(2 * upPerStep);
      const flopsText = async (label: string): Promise<number> => Number(/\(([\d,]+)\)/.exec(await consolePage.getByLabel(label, { exact: true }).innerText())?.[1]?.replace(/,/g, ''));
      const clientFlops = await flopsText('Client FLOPs per training sample');
      const serverFlops = await flopsText('Relay FLOPs per training sample');
      // U-shaped: the statement each clinician will read sends no labels.
      const leaves = consolePage.getByRole('region', { name: 'What leaves each participant’s device' });
      await leaves.getByText(/Cut-layer activations/).first().waitFor();
      expect(await leaves.getByText('Labels (class numbers) of the batch').count()).toBe(0);
      // A privacy setting, and the statement each clinician will read says so.
      await form.getByText('Training recipe and privacy settings').click();
      await form.getByLabel('NoPeek weight').fill('0.5');
      await leaves.getByText(/NoPeek is on \(weight 0\.5\)/).waitFor();
      await screenshot(consolePage, 'console-new-study');
      await form.getByRole('button', { name: 'Create study' }).click();

      // The invitation, copied.
      await consolePage.getByRole('heading', { name: 'Invite to “console u-shaped”' }).waitFor();
      const link = await consolePage.getByLabel('Join link', { exact: true }).inputValue();
      const code = await consolePage.getByLabel('Join code', { exact: true }).inputValue();
      expect(link).toBe(`${env.relay.url}/join/${code}`);
      await consolePage.getByRole('button', { name: 'Copy link' }).click();
      await consolePage.getByText('Copied.').first().waitFor();
      expect(await consolePage.evaluate(() => navigator.clipboard.readText())).toBe(link);
      await consolePage.getByRole('img', { name: /^QR code of the join link/ }).waitFor();
      const created = (await api<{ studies: { id: string; name: string; config: Record<string, unknown> }[] }>(env.relay, 'GET', '/api/studies')).studies.find((study) => study.name === 'console u-shaped');
      expect(created?.config).toMatchObject({ topology: 'u-shaped', schedule: 'splitfed-v2', cuts: ['pool1', 'dense1'], batchSize: 16, rounds: 50, maxStepsPerRound: 2, minClients: 2, noPeek: 0.5, maxParticipants: 2, inviteExpiresAt: new Date(inviteEnds).getTime() });
      await consolePage.getByText('Up to 2 participants.').waitFor();
      const studyId = created?.id ?? '';

      // A clinician's browser follows the link; a Node client joins with the code.
      const clinician = await context.newPage();
      await clinician.goto(link);
      await pickFolder(clinician, images);
      const browserParticipant = await joinAndWaitForId(clinician);
      clients.push(await connectNodeParticipant({ url: env.relay.url, joinCode: code, data: { source: 'demo', shard: { index: 1, count: 4 } }, label: 'node', backend: 'wasm' }));
      const row = studyRow(consolePage, 'console u-shaped');
      await expect.poll(async () => row.getByRole('cell').nth(2).innerText(), { timeout: 30_000 }).toBe('2');
      // The study's participant limit, at the relay: a third is refused.
      await expect(connectNodeParticipant({ url: env.relay.url, joinCode: code, data: { source: 'demo', shard: { index: 3, count: 4 } }, label: 'third', backend: 'wasm' })).rejects.toThrow(/has its 2 participants and takes no more/);

      // Start from the console and watch a round arrive.
      await row.getByRole('button', { name: 'Start' }).click();
      await expect.poll(async () => row.getByRole('cell').nth(0).innerText(), { timeout: 60_000 }).not.toBe('open');
      await expect.poll(async () => row.getByRole('cell').nth(1).innerText().then((text) => /^([1-9]\d*) of 50$/.test(text)), { timeout: 300_000 }).toBe(true);

      // What the relay recorded for the first training step of the browser, and the round's FLOPs.
      const firstStep = (await readWireLog(env.wireLog)).filter((entry) => entry.participant === browserParticipant && entry.event === 'step:frame').filter((entry) => {
        const header = stepHeaderOf(entry);
        return header?.phase === 'train' && header.round === 0 && header.step === 0;
      });
      const sent = firstStep.reduce((sum, entry) => sum + entry.args.flatMap((arg) => { const binary = WireBinarySchema.safeParse(arg); return binary.success ? [binary.data.bytes] : []; }).reduce((a, b) => a + b, 0), 0);
      expect(sent).toBe(upPerStep);
      await waitFor('round 0 in the metrics', async () => ((await api<{ metrics: { round: number; phase: string; participantId: string | null }[] }>(env.relay, 'GET', `/api/studies/${studyId}/metrics`)).metrics.some((m) => m.round === 0 && m.phase === 'train' && m.participantId === null) ? true : undefined), 120_000, 500);
      const train = (await api<{ metrics: { round: number; phase: string; participantId: string | null; metrics: { samples?: number; clientFlops?: number; serverFlops?: number } }[] }>(env.relay, 'GET', `/api/studies/${studyId}/metrics`)).metrics.find((m) => m.round === 0 && m.phase === 'train' && m.participantId === null)?.metrics;
      expect((train?.clientFlops ?? 0) / (train?.samples ?? 1)).toBe(clientFlops);
      expect((train?.serverFlops ?? 0) / (train?.samples ?? 1)).toBe(serverFlops);

      // Stop it (confirmed), long before its 50 rounds.
      await row.getByRole('button', { name: 'Stop…' }).click();
      await consolePage.getByRole('button', { name: 'Stop the study' }).click();
      await expect.poll(async () => row.getByRole('cell').nth(0).innerText(), { timeout: 120_000 }).toBe('finished');

      // The trained server segment, saved from the console: the relay's export, byte for byte.
      const downloads: Download[] = [];
      consolePage.on('download', (download) => downloads.push(download));
      await row.getByRole('button', { name: 'Server segment' }).click();
      await consolePage.getByRole('status').getByText(/^Saved console-u-shaped-server-segment-model\.json and /).waitFor();
      await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(2);
      const savedModel = downloads.find((download) => download.suggestedFilename() === 'console-u-shaped-server-segment-model.json');
      const savedJson = JSON.parse(await readFile((await savedModel?.path()) ?? '', 'utf8')) as { weightsManifest: { paths: string[] }[] };
      const exported = await api<{ weightsManifest: { paths: string[] }[] }>(env.relay, 'GET', `/api/studies/${studyId}/export/server/model.json`);
      const exportedPaths = exported.weightsManifest.flatMap((group) => group.paths);
      expect(savedJson.weightsManifest.flatMap((group) => group.paths)).toEqual(exportedPaths.map((file) => `./console-u-shaped-server-segment-${file.replace(/^\.\//, '')}`));
      for (const file of exportedPaths) {
        const name = file.replace(/^\.\//, '');
        const saved = downloads.find((download) => download.suggestedFilename() === `console-u-shaped-server-segment-${name}`);
        const relayBytes = await fetch(`${env.relay.url}/api/studies/${studyId}/export/server/${name}`, { headers: { Authorization: `Bearer ${env.relay.token}` } }).then((response) => response.arrayBuffer());
        expect(Buffer.compare(await readFile((await saved?.path()) ?? ''), Buffer.from(relayBytes)), `saved ${name}`).toBe(0);
      }
      await row.getByRole('button', { name: 'Invite' }).click();
      await consolePage.getByRole('button', { name: 'Revoke code and issue a new one…' }).isDisabled().then((disabled) => expect(disabled).toBe(true));
      // A finished study takes nobody: its code is refused either way. Revoking is for a study that runs: make one by duplicating this one.
      await row.getByRole('button', { name: 'Duplicate' }).click();
      await expect.poll(() => form.getByLabel('Study name').inputValue()).toBe('console u-shaped (copy)');
      expect(await form.getByLabel('Topology').inputValue()).toBe('u-shaped');
      expect(await form.getByLabel('Cut after layer', { exact: true }).inputValue()).toBe('pool1');
      expect(await form.getByLabel('Schedule', { exact: true }).inputValue()).toBe('splitfed-v2');
      expect(await form.getByLabel('NoPeek weight').inputValue()).toBe('0.5');
      await form.getByRole('button', { name: 'Create study' }).click();
      await consolePage.getByRole('heading', { name: 'Invite to “console u-shaped (copy)”' }).waitFor();
      const oldCode = await consolePage.getByLabel('Join code', { exact: true }).inputValue();
      await consolePage.getByRole('button', { name: 'Revoke code and issue a new one…' }).click();
      await consolePage.getByRole('button', { name: 'Revoke and issue a new code' }).click();
      await expect.poll(() => consolePage.getByLabel('Join code', { exact: true }).inputValue(), { timeout: 15_000 }).not.toBe(oldCode);
      const newCode = await consolePage.getByLabel('Join code', { exact: true }).inputValue();
      await expect(connectNodeParticipant({ url: env.relay.url, joinCode: oldCode, data: { source: 'demo', shard: { index: 2, count: 4 } }, label: 'late', backend: 'wasm' })).rejects.toThrow(/no study has this join code \(or it was revoked\)/);
      clients.push(await connectNodeParticipant({ url: env.relay.url, joinCode: newCode, data: { source: 'demo', shard: { index: 2, count: 4 } }, label: 'late', backend: 'wasm' }));
      await screenshot(consolePage, 'console-after');
      expect(errors.slice(refusals)).toEqual([]);
    } finally {
      for (const client of clients) client.close();
      await context.close();
    }
  });

  it('creates a multi-hop chain, a vertical study with parties and a sealed study with its own recipe from the form, each position’s cost and statement shown', { timeout: 300_000 }, async () => {
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${env.relay.url}/studies`);
      await page.getByLabel('Researcher token').fill(env.relay.token);
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByText('Live: the list follows the relay.').waitFor();
      const form = page.getByRole('form', { name: 'New study' });
      const created = async (name: string): Promise<Record<string, unknown> | undefined> =>
        (await api<{ studies: { name: string; config: Record<string, unknown> }[] }>(env.relay, 'GET', '/api/studies')).studies.find((study) => study.name === name)?.config;

      // A chain of two participants before the relay, cut where the researcher says.
      await form.getByLabel('Study name').fill('console chain');
      await form.getByLabel('Topology').selectOption('multi-hop');
      expect(await form.getByLabel('Schedule', { exact: true }).inputValue()).toBe('round-robin');
      await form.getByLabel('Participants before the relay').fill('2');
      await form.getByLabel('Cut after layer', { exact: true }).selectOption('pool1');
      await form.getByLabel('Second cut after layer').selectOption('dense1');
      // Each position's cost and statement: the hop holds no patient data and sends activations on, gradients back.
      await page.getByRole('definition').and(page.getByLabel('Position', { exact: true })).first().waitFor();
      await page.getByRole('region', { name: 'What leaves each participant’s device: Data holder' }).getByText('Labels (class numbers) of the batch').first().waitFor();
      const hop = page.getByRole('region', { name: 'What leaves each participant’s device: Hop 1 of 1' });
      await hop.getByText(/This device holds no patient data/).first().waitFor();
      await hop.getByText(/Gradients at this device’s input/).first().waitFor();
      await screenshot(page, 'console-multi-hop');
      await form.getByRole('button', { name: 'Create study' }).click();
      await page.getByRole('heading', { name: 'Invite to “console chain”' }).waitFor();
      expect(await created('console chain')).toMatchObject({ topology: 'multi-hop', schedule: 'round-robin', cuts: ['pool1', 'dense1'] });

      // Two parties about the same patients: a table and an image; a party without columns is refused first, by name.
      await form.getByLabel('Study name').fill('console vertical');
      await form.getByLabel('Topology').selectOption('vertical');
      await form.getByLabel('Party 1 name').fill('Labs');
      await form.getByLabel('Party 2 name').fill('Radiology');
      await form.getByLabel('Party 2 holds').selectOption('image');
      await form.getByLabel('Party 2 image shape').fill('28, 28, 1');
      await form.getByRole('button', { name: 'Create study' }).click();
      await form.getByRole('group', { name: 'Parties' }).getByRole('alert').filter({ hasText: /^Party 1: / }).waitFor();
      await form.getByLabel('Party 1 columns').fill('age, tumour_size, marker');
      await form.getByLabel('Labels held by').selectOption({ label: 'Labs' });
      // The label holder alone sends labels; the image party's statement says its images stay.
      await page.getByRole('region', { name: 'What leaves each participant’s device: Labs' }).getByText('Labels (class numbers) of the batch').first().waitFor();
      const radiology = page.getByRole('region', { name: 'What leaves each participant’s device: Radiology' });
      await radiology.getByText(/Your images/).first().waitFor();
      expect(await radiology.getByText('Labels (class numbers) of the batch').count()).toBe(0);
      await screenshot(page, 'console-vertical');
      await form.getByRole('button', { name: 'Create study' }).click();
      await page.getByRole('heading', { name: 'Invite to “console vertical”' }).waitFor();
      expect(await created('console vertical')).toMatchObject({
        topology: 'vertical',
        labelHolder: 0,
        parties: [
          { name: 'Labs', input: { columns: ['age', 'tumour_size', 'marker'] } },
          { name: 'Radiology', input: { image: [28, 28, 1] } },
        ],
      });

      // A sealed round-robin study with its own augmentation bounds and class weights: the study
      // key is made in this browser and travels only in the link's fragment.
      await form.getByLabel('Study name').fill('console sealed');
      await form.getByLabel('Topology').selectOption('vanilla');
      await form.getByText('Training recipe and privacy settings').click();
      await form.getByLabel('Augmentation').selectOption('custom');
      await form.getByLabel('Largest rotation').fill('5');
      await form.getByLabel('Class weights').fill('2, 1');
      await form.getByLabel('Seal the hand-off end to end').check();
      await form.getByRole('button', { name: 'Create study' }).click();
      await page.getByRole('heading', { name: 'Invite to “console sealed”' }).waitFor();
      const sealedLink = await page.getByLabel('Join link', { exact: true }).inputValue();
      const key = /#key=([A-Za-z0-9_-]{43})$/.exec(sealedLink)?.[1] ?? '';
      expect(await page.getByLabel('Study key', { exact: true }).inputValue()).toBe(key);
      const sealed = await created('console sealed');
      expect(sealed).toMatchObject({ topology: 'vanilla', schedule: 'round-robin', classWeights: [2, 1], augmentation: { rotation: 5, shift: 0.1, flip: false }, handoffKeyCheck: await privacy.studyKeyCheck(key) });
      expect(JSON.stringify(sealed)).not.toContain(key);
      expect(env.relay.output()).not.toContain(key);
      // A Node client with the key from the link joins; one without it is refused.
      const code = await page.getByLabel('Join code', { exact: true }).inputValue();
      const join = (studyKey?: string) => connectNodeParticipant({ url: env.relay.url, joinCode: code, data: { source: 'demo', shard: { index: 0, count: 4 } }, label: 'sealed', backend: 'wasm', ...(studyKey ? { studyKey } : {}) });
      await expect(join()).rejects.toThrow(/end-to-end encrypted with a study key, and none was given/);
      (await join(key)).close();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
