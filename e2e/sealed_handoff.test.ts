import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { privacy } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { binariesIn, readWireLog } from '../apps/relay-server/src/testing/wire_log_reader';
import { writeDemoFolder } from './demo_folder';
import { collectPageErrors, createStudy, joinAndWaitForId, pickFolder, screenshot, startStudy, valMetrics, waitUntilFinished } from './support';
import { useBrowserRelay } from './browser_relay';

// Encrypted hand-off with a browser in it (issue 13): the clinician opens the invite link with
// the study key in its fragment; the page checks the key against the study before anything is
// sent, seals its client segment with WebCrypto AES-GCM when the relay asks for the hand-off
// and opens what the Node client sealed with Node's webcrypto. The relay's wire log holds no
// hand-off it could read, and never the key. A page opened without the key asks for it and
// will not join until it has the study's.

const ROUNDS = 2;

describe('end-to-end encrypted hand-off between a browser and a Node client', () => {
  const env = useBrowserRelay('sealed-handoff');

  it('the page joins by the invite link’s key, hands off sealed, and opens the Node client’s hand-off', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'images');
    await writeDemoFolder(folder, { count: 160 });
    const key = privacy.generateStudyKey();
    const study = await createStudy(env.relay, {
      name: 'e2e sealed hand-off',
      topology: 'vanilla',
      model: 'cnn-small',
      inputShape: [28, 28, 1],
      classes: ['normal', 'nodule'],
      schedule: 'round-robin',
      rounds: ROUNDS,
      batchSize: 32,
      maxStepsPerRound: 4,
      minClients: 2,
      // Generated demo images: not augmented, as the relay's demo studies (studies/demo_studies.ts).
      augmentation: false,
      handoffKeyCheck: await privacy.studyKeyCheck(key),
    });
    const context: BrowserContext = await env.browser.newContext();
    let node: NodeParticipant | undefined;
    try {
      // Without the key: the page asks for it and holds the join back, saying why.
      const keyless = await context.newPage();
      await keyless.goto(`${env.relay.url}/join/${study.joinCode}`);
      await keyless.getByLabel('Study key').waitFor({ timeout: 30_000 });
      await keyless.getByText(/none was given: open the researcher’s full invite link/).first().waitFor();
      await keyless.getByLabel('Study key').fill(privacy.generateStudyKey());
      await keyless.getByText(/this study key is not the study’s/).first().waitFor();
      expect(await keyless.getByRole('button', { name: 'Join and start contributing' }).isDisabled()).toBe(true);
      await keyless.close();

      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${env.relay.url}/join/${study.joinCode}#key=${key}`);
      await page.getByText('The key is this study’s.').waitFor({ timeout: 30_000 });
      await page.getByLabel('This study’s privacy settings').getByText(/end-to-end encrypted with the study key \(AES-GCM\)/).waitFor();
      await pickFolder(page, folder);
      const browserId = await joinAndWaitForId(page);
      node = await connectNodeParticipant({ url: env.relay.url, joinCode: study.joinCode, data: { source: 'demo', shard: { index: 1, count: 8 } }, backend: 'wasm', label: 'node', studyKey: key });

      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [page], 400_000);
      await screenshot(page, 'sealed-handoff-finished');
      expect(errors).toEqual([]);
      // Every round validated with the hand-off both ways: nothing failed to open.
      expect((await valMetrics(env.relay, study.id)).map((row) => row.round)).toEqual([0, 1]);

      const handoffs = (await readWireLog(env.wireLog)).filter((entry) => entry.event === 'ack:weights:request');
      const fromBrowser = handoffs.filter((entry) => entry.participant === browserId).flatMap((entry) => binariesIn(entry.args));
      const fromNode = handoffs.filter((entry) => entry.participant === node?.participant.identity?.participantId).flatMap((entry) => binariesIn(entry.args));
      expect(fromBrowser.length).toBeGreaterThan(0);
      expect(fromNode.length).toBeGreaterThan(0);
      for (const payload of [...fromBrowser, ...fromNode]) expect(payload.binary).toBe('unknown');
      expect(await readFile(env.wireLog, 'utf8')).not.toContain(key);
      expect(env.relay.output()).not.toContain(key);
    } finally {
      node?.close();
      await context.close();
    }
  });
});
