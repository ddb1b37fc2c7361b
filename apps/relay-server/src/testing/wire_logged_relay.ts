import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { startRelayProcess, type RelayProcess } from './relay_process';

/** A relay process with a wire log, and a scratch folder for the test file's own files. */
export interface WireLoggedRelay {
  relay: RelayProcess;
  scratch: string;
  wireLog: string;
}

/**
 * Starts one relay with a wire log before the test file's tests (and the wasm backend its Node
 * clients train on), stops it and removes the scratch folder after. RELAY_TEST_LOG=1 prints
 * the relay's output. The fields are filled once the tests run.
 */
export function useWireLoggedRelay(prefix: string): WireLoggedRelay {
  const env = {} as WireLoggedRelay;
  beforeAll(async () => {
    await backends.initBackend('wasm');
    env.scratch = await mkdtemp(path.join(os.tmpdir(), prefix));
    env.wireLog = path.join(env.scratch, 'wire.jsonl');
    env.relay = await startRelayProcess({ args: ['--wire-log', env.wireLog] });
  });
  afterAll(async () => {
    if (process.env.RELAY_TEST_LOG) process.stdout.write(`${env.relay?.output() ?? ''}\n`);
    await env.relay?.dispose();
    if (env.scratch) await rm(env.scratch, { recursive: true, force: true });
  });
  return env;
}
