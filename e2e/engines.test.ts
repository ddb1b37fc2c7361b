import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { model } from '@splitlearn/split-core';
import { writeDemoFolder } from './demo_folder';
import { collectPageErrors, createStudy, figureText, joinAndWaitForId, pickFolder, relativeDistance, screenshot, startStudy, valMetrics, waitUntilFinished } from './support';
import { useBrowserRelay } from './browser_relay';

// The WebGL engine, proven (issue 14): a clinician can choose the engine on the contribute
// page, and a page forced onto WebGL (SwiftShader here: software, but the same shaders a
// graphics card runs) trains the same client segment a WebAssembly page does. Each trains
// its own single-client study on the same 36 images, full-batch SGD (one batch of all the
// training images a round, so batch order plays no part), same seed: after three steps the
// client segments the relay checkpointed agree within 1e-3 relative, variable by variable.
// A U-shaped study with a WebGL client completes too. The WebAssembly page runs on threads
// (tfjs's threaded build, started by the worker), so the agreement covers that build as well.

const env = useBrowserRelay('engines');
const ROUNDS = 3;
const TOLERANCE = 1e-3;

/**
 * Opens the join link, picks the engine and waits until the page has run a timed test step on
 * the engine it ends up with: the one chosen, or WebAssembly when the chosen one failed its
 * test step (then the page must say so). Returns the engine the page names.
 */
async function openWithEngine(page: Page, joinCode: string, engine: string): Promise<string> {
  await page.goto(`${env.relay.url}/join/${joinCode}`);
  await page.getByLabel('Training engine to use').selectOption({ label: engine });
  const wanted = engine.split(' ')[0] as string;
  await page.waitForFunction(
    (name) => {
      const text = document.body.innerText;
      return /\d ms per batch of 32 images/.test(text) && (text.includes(`You chose ${name}`) || text.includes(`${name} failed a test training step`));
    },
    wanted,
    { timeout: 120_000 },
  );
  const running = await figureText(page, 'Training engine');
  if (!running.startsWith(wanted)) {
    expect(running).toMatch(/^WebAssembly/);
    expect(await figureText(page, 'Why this engine')).toMatch(new RegExp(`^${wanted} failed a test training step in this browser \\(.+\\), so WebAssembly runs instead\\.$`));
  }
  return running;
}

/** The client segment a study's last checkpoint holds. */
async function checkpointedClient(studyId: string, round = ROUNDS): Promise<model.NamedWeight[]> {
  const bytes = await readFile(path.join(env.relay.dataDir, 'checkpoints', studyId, `round-${round}`, 'client-segment0.bin'));
  return model.decodeWeights(new Uint8Array(bytes));
}

describe('choosing the engine: WebGL trains what WebAssembly trains', () => {
  it('a WebGL page and a WebAssembly page end their full-batch studies on the same client segment', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'images');
    await writeDemoFolder(folder, { count: 36 });
    const config = { topology: 'vanilla', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'nodule'], schedule: 'round-robin', optimizer: 'sgd', learningRate: 0.05, rounds: ROUNDS, batchSize: 32, maxStepsPerRound: 1, minClients: 1, seed: 11, augmentation: false };
    const runs: { studyId: string; engine: string }[] = [];
    for (const engine of ['WebAssembly (processor)', 'WebGL (graphics card)']) {
      const study = await createStudy(env.relay, { ...config, name: `engine ${engine}` });
      const context = await env.browser.newContext();
      try {
        const page = await context.newPage();
        const errors = collectPageErrors(page);
        const running = await openWithEngine(page, study.joinCode, engine);
        expect(running).toMatch(new RegExp(`^${engine.split(' ')[0] ?? ''}`));
        if (engine.startsWith('WebAssembly')) {
          // The contribute page is cross-origin isolated: WebAssembly trains on the machine's cores (up to 4).
          const threads = Math.min(4, availableParallelism());
          expect(running).toBe(threads > 1 ? `WebAssembly on ${threads} processor cores` : 'WebAssembly on the processor');
          expect(await figureText(page, 'Details')).toContain(`SIMD, ${threads} thread(s)`);
        }
        const picked = await pickFolder(page, folder);
        // One batch holds every training image: the step is the same whatever order they come in.
        expect(picked.trainCount).toBeLessThanOrEqual(32);
        await joinAndWaitForId(page);
        await startStudy(env.relay, study.id);
        await waitUntilFinished(env.relay, study.id, [page], 400_000);
        expect(errors).toEqual([]);
        runs.push({ studyId: study.id, engine });
      } finally {
        await context.close();
      }
    }
    const [wasm, ...gpus] = await Promise.all(runs.map((run) => checkpointedClient(run.studyId)));
    for (const [g, trained] of gpus.entries()) {
      expect(trained.map((weight) => weight.name)).toEqual(wasm?.map((weight) => weight.name));
      for (const [i, weight] of (wasm ?? []).entries()) {
        const other = trained[i];
        if (!other) throw new Error(`no ${weight.name} from the ${runs[g + 1]?.engine ?? '?'} run`);
        expect(relativeDistance(weight, other), `${runs[g + 1]?.engine ?? '?'}: ${weight.name}`).toBeLessThan(TOLERANCE);
      }
    }
    // The steps moved the weights well beyond the tolerance: the agreement is of training, not of the seeded start.
    const first = await checkpointedClient(runs[0]?.studyId ?? '', 1);
    expect(Math.max(...(wasm ?? []).map((weight, i) => relativeDistance(first[i] as model.NamedWeight, weight)))).toBeGreaterThan(10 * TOLERANCE);
  });

  it('a U-shaped study with a WebGL client completes end to end', { timeout: 600_000 }, async () => {
    const folder = path.join(env.workDir, 'u-images');
    await writeDemoFolder(folder, { count: 96 });
    // With augmentation: the training worker transforms each batch on WebGL before its layers run.
    const augmentation = { shift: 0.1, rotation: 10, zoom: 0.1, brightness: 0.1, contrast: 0.1 };
    const study = await createStudy(env.relay, { name: 'u-shaped on WebGL', topology: 'u-shaped', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'nodule'], schedule: 'round-robin', rounds: 2, batchSize: 32, maxStepsPerRound: 2, minClients: 1, augmentation });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      expect(await openWithEngine(page, study.joinCode, 'WebGL (graphics card)')).toMatch(/^WebGL/);
      await pickFolder(page, folder);
      await joinAndWaitForId(page);
      // "What leaves this device" says the augmentation happens here and changes nothing that leaves.
      await page.getByText(/the augmented images stay here like the originals/).first().waitFor({ state: 'attached', timeout: 30_000 });
      await startStudy(env.relay, study.id);
      await waitUntilFinished(env.relay, study.id, [page], 400_000);
      await screenshot(page, 'engines-u-shaped-webgl');
      expect(errors).toEqual([]);
      // The client scores U-shaped validation itself (it holds the head and the labels), on WebGL.
      const val = await valMetrics(env.relay, study.id);
      expect(val.map((row) => row.round)).toEqual([0, 1]);
      expect(val.at(-1)?.metrics.count).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
