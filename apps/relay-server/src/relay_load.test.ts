import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { runLoad } from './testing/load_run';
import { startRelayProcess, type RelayProcess } from './testing/relay_process';

// The load benchmark's small version (bench/load.ts runs 200 clients for five minutes): many
// clients on one relay in SplitFed V2, with a dashboard watching. No timings asserted here:
// that every client's steps count, nothing errs, and the dashboard keeps up with every round.

const CLIENTS = 24;
let relay: RelayProcess;

beforeAll(async () => {
  await backends.initBackend('wasm');
  relay = await startRelayProcess();
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
});

describe('many clients on one relay', () => {
  it(`trains ${CLIENTS} clients in SplitFed V2 for three rounds, every one contributing, the dashboard told of each round`, { timeout: 600_000 }, async () => {
    const report = await runLoad({ relay, clients: CLIENTS, rounds: 3, seconds: 480, sampleEveryMs: 500 });
    expect(report.errors).toEqual([]);
    expect(report.rounds).toBeGreaterThanOrEqual(3);
    expect(report.contributors).toBe(CLIENTS);
    expect(report.dashboardLatency.updates).toBeGreaterThan(report.rounds);
    expect(relay.child.exitCode).toBeNull();
    expect(relay.output()).not.toMatch(/"level":"error"|study loop stopped/);
  });
});
