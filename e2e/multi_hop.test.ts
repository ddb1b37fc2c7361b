import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { binariesIn, readWireLog, stepHeaderOf } from '../apps/relay-server/src/testing/wire_log_reader';
import { writeDemoFolder } from './demo_folder';
import { collectPageErrors, createStudy, joinAndWaitForId, pickFolder, screenshot, startStudy, trainMetrics, valMetrics, waitUntilFinished } from './support';
import { useBrowserRelay } from './browser_relay';

// Multi-hop split learning (PAPER.md Fig. 4c) end to end: a chain of two browsers and a Node
// client. A clinician in Chromium holds the images (the data holder), a second browser is hop 1
// and joins with no data, the Node client is hop 2; each runs its part of cnn-small and the
// relay runs the rest. Each page says which role it has and what leaves it; the relay's wire
// log shows every frame went where the chain says: cut outputs hop by hop, gradients back,
// labels from the data holder straight to the relay, nothing image-shaped to any hop.

const ROUNDS = 3;

describe('multi-hop: a chain of two browsers and a Node client over the real relay', () => {
  const env = useBrowserRelay('multi-hop');

  it('the data holder’s browser, hop 1’s browser and hop 2’s Node client complete a study; frames go only along the chain', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'images');
    await writeDemoFolder(folder, { count: 240 });
    const study = await createStudy(env.relay, {
      name: 'e2e multi-hop',
      topology: 'multi-hop',
      model: 'cnn-small',
      inputShape: [28, 28, 1],
      classes: ['normal', 'nodule'],
      schedule: 'round-robin',
      cuts: ['pool1', 'pool2', 'dense1'],
      rounds: ROUNDS,
      batchSize: 32,
      maxStepsPerRound: 6,
      minClients: 3,
      // Generated demo images: not augmented, as the relay's demo studies (studies/demo_studies.ts).
      augmentation: false,
    });
    const contexts: BrowserContext[] = await Promise.all([env.browser.newContext(), env.browser.newContext()]);
    let node: NodeParticipant | undefined;
    try {
      const [holderPage, hopPage] = (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
      const pageErrors = [holderPage, hopPage].map(collectPageErrors);

      // Hop 1 needs no data: it takes its place and sees what it will pass on.
      await hopPage.goto(`${env.relay.url}/join/${study.joinCode}`);
      await hopPage.getByLabel('Your place in the chain', { exact: true }).selectOption({ label: 'Hop 1 of 2 (no data needed)' });
      await expect.poll(() => hopPage.getByText('Your role: Hop 1 of 2', { exact: false }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
      // What leaves it: its layers' outputs on, the gradients at its input back; it holds no data.
      await hopPage.getByText(/Gradients at this device’s input, back to the participant/).first().waitFor({ timeout: 30_000 });
      await hopPage.getByText(/This device holds no patient data/).first().waitFor();
      expect(await hopPage.getByLabel('Image folder').count()).toBe(0);
      const hopId = await joinAndWaitForId(hopPage);

      // Hop 2 is a Node client, also without data.
      node = await connectNodeParticipant({ url: env.relay.url, joinCode: study.joinCode, data: { source: '', party: 2 }, backend: 'wasm', label: 'hop-2' });

      // The data holder picks its place, then its images.
      await holderPage.goto(`${env.relay.url}/join/${study.joinCode}`);
      await holderPage.getByLabel('Your place in the chain', { exact: true }).selectOption({ label: 'Data holder (with your images)' });
      const picked = await pickFolder(holderPage, folder);
      expect(picked.trainCount).toBeGreaterThan(150);
      const holderId = await joinAndWaitForId(holderPage);
      await screenshot(hopPage, 'multi-hop-hop1-joined');

      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [holderPage, hopPage], 400_000);
      await screenshot(holderPage, 'multi-hop-data-holder-finished');
      for (const errors of pageErrors) expect(errors).toEqual([]);

      const train = (await trainMetrics(env.relay, study.id)).filter((row) => row.metrics.completed !== undefined);
      expect(train).toHaveLength(ROUNDS);
      expect(train.at(-1)?.metrics.loss).toBeLessThan(train[0]?.metrics.loss ?? 0);
      const val = await valMetrics(env.relay, study.id);
      expect(val.at(-1)?.metrics.count).toBe(picked.valCount);

      // Along the chain, and nothing else: [data holder, hop 1, hop 2].
      const entries = await readWireLog(env.wireLog);
      const sent = (participant: string | undefined): string[] =>
        [
          ...new Set(
            entries
              .filter((entry) => entry.participant === participant)
              .flatMap((entry) => {
                const header = stepHeaderOf(entry);
                return header ? [`${header.kind} -> ${(entry.args[0] as { peer?: number }).peer ?? 'server'}`] : [];
              }),
          ),
        ].sort();
      expect(sent(holderId)).toEqual(['activations -> 1', 'labels -> server']);
      expect(sent(hopId)).toEqual(['activations -> 2', 'gradients -> 0']);
      expect(sent(node.participant.identity?.participantId)).toEqual(['activations -> server', 'gradients -> 1']);
      // The data holder's cut outputs are pool1's, [14, 14, 32]: no image-shaped tensor leaves it.
      for (const entry of entries.filter((item) => item.participant === holderId && stepHeaderOf(item)?.kind === 'activations')) {
        expect(binariesIn(entry.args)[0]?.shape?.slice(1)).toEqual([14, 14, 32]);
      }
      // Hop 2 received cut outputs and gradients, never labels.
      expect(Object.keys(node.participant.meter.snapshot().byKind).sort()).toEqual(['activations', 'gradients', 'weights']);
    } finally {
      node?.close();
      await Promise.all(contexts.map((context) => context.close()));
    }
  });
});
