import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { binariesIn, readWireLog } from '../apps/relay-server/src/testing/wire_log_reader';
import { writeDemoFolder } from './demo_folder';
import { collectPageErrors, createStudy, joinAndWaitForId, pickFolder, screenshot, startStudy, valMetrics, waitUntilFinished } from './support';
import { useBrowserRelay } from './browser_relay';

// A baseline over the network with a browser in it (issue: both baselines also through the
// relay, Node clients and browsers): a clinician's Chromium page and a Node client train a
// large-batch SGD study together, their gradients meeting at the relay at every step. The
// page says which method the study uses and what leaves the device before joining; the
// wire log shows the browser sent whole-model gradient bundles (and at most the model once a
// round), never a step frame, an image or a label.

const ROUNDS = 2;

describe('large-batch SGD with a browser and a Node client over the real relay', () => {
  const env = useBrowserRelay('baselines');

  it('the browser and the Node client step together; only gradient bundles leave the browser', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'images');
    await writeDemoFolder(folder, { count: 160 });
    const study = await createStudy(env.relay, {
      name: 'e2e large-batch SGD',
      method: 'lbsgd',
      topology: 'vanilla',
      model: 'cnn-small',
      inputShape: [28, 28, 1],
      classes: ['normal', 'nodule'],
      schedule: 'round-robin',
      optimizer: 'sgd',
      learningRate: 0.05,
      rounds: ROUNDS,
      batchSize: 32,
      maxStepsPerRound: 4,
      minClients: 2,
      // Generated demo images: not augmented, as the relay's demo studies (studies/demo_studies.ts).
      augmentation: false,
    });
    const context: BrowserContext = await env.browser.newContext();
    let node: NodeParticipant | undefined;
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${env.relay.url}/join/${study.joinCode}`);
      const picked = await pickFolder(page, folder);
      // Before joining: the method, in words, and what each step sends.
      await page.getByText(/This study trains by/).first().waitFor({ timeout: 30_000 });
      await page.getByText('Large-batch synchronous SGD (baseline)', { exact: false }).first().waitFor();
      await page.getByText(/Gradients of the whole model’s weights on this batch/).first().waitFor();
      await page.getByText(/Labels: the loss is computed on this device/).first().waitFor();
      // The study's privacy settings, in plain words, before joining.
      await page.getByLabel('This study’s privacy settings').getByText(/gradients reach the relay in the clear/).waitFor();
      const browserId = await joinAndWaitForId(page);
      node = await connectNodeParticipant({ url: env.relay.url, joinCode: study.joinCode, data: { source: 'demo', shard: { index: 1, count: 8 } }, backend: 'wasm', label: 'node' });

      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [page], 400_000);
      await screenshot(page, 'baselines-lbsgd-finished');
      expect(errors).toEqual([]);

      const val = await valMetrics(env.relay, study.id);
      expect(val.map((row) => row.round)).toEqual([0, 1]);
      expect(val.at(-1)?.metrics.count).toBe(picked.valCount + node.data.val.samples.length);

      const entries = (await readWireLog(env.wireLog)).filter((entry) => entry.participant === browserId);
      expect(entries.some((entry) => entry.event === 'step:frame')).toBe(false);
      const syncs = entries.filter((entry) => entry.event === 'gradients:sync');
      // A gradient bundle at each of its steps (4 a round), of the whole model's variables.
      expect(syncs.length).toBe(ROUNDS * 4);
      for (const entry of syncs) {
        const [bundle] = binariesIn(entry.args);
        expect(bundle?.binary).toBe('bundle');
        expect(bundle?.tensors?.map((tensor) => tensor.name)).toContain('logits/kernel');
      }
      for (const payload of entries.flatMap((entry) => binariesIn(entry.args))) expect(payload.binary).toBe('bundle');
    } finally {
      node?.close();
      await context.close();
    }
  });
});
