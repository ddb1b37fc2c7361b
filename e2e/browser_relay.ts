import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { startRelayProcess, type RelayProcess } from '../apps/relay-server/src/testing/relay_process';
import { builtWebApp, launchChromium, saveRelayLog } from './support';

/** A relay serving the built web app with a wire log, a Chromium, and a scratch folder, for one e2e test file. */
export interface BrowserRelay {
  relay: RelayProcess;
  browser: Browser;
  workDir: string;
  wireLog: string;
}

/**
 * Starts them before the file's tests (with the wasm backend its Node clients train on) and
 * stops them after, keeping the relay's log as `<name>-relay.log` among the artifacts. The
 * fields are filled once the tests run.
 */
export function useBrowserRelay(name: string, options: { relayArgs?: string[] } = {}): BrowserRelay {
  const env = {} as BrowserRelay;
  beforeAll(async () => {
    await backends.initBackend('wasm');
    env.workDir = await mkdtemp(path.join(os.tmpdir(), `e2e-${name}-`));
    env.wireLog = path.join(env.workDir, 'wire.jsonl');
    const webDir = await builtWebApp(env.workDir);
    env.relay = await startRelayProcess({ args: ['--wire-log', env.wireLog, '--web-dir', webDir, ...(options.relayArgs ?? [])] });
    env.browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.relay?.dispose();
    if (env.relay) await saveRelayLog(env.relay, `${name}-relay.log`);
    if (env.workDir) await rm(env.workDir, { recursive: true, force: true });
  });
  return env;
}
