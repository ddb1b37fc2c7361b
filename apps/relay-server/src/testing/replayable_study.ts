import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { protocol } from '@splitlearn/split-core';
import { demoParticipant, type Identity } from './demo_participant';
import { api, startRelayProcess, type RelayProcess } from './relay_process';

/**
 * A data folder in which a study exists and its demo participants have joined once. Runs
 * started from copies of it see the same study, participant ids and join order (round-robin
 * takes clients in join order; batch order is keyed by participant id), so two runs of one
 * seeded study can be compared figure for figure.
 */
export interface ReplayableStudy {
  study: { id: string; joinCode: string };
  /** The participants, in join order, to rejoin as (participant `k` holds demo shard k of n). */
  identities: Identity[];
  /** A fresh copy of the prepared folder. */
  copy(): Promise<string>;
  /** A relay on `dataDir` (a copy), with the folder's researcher token. */
  start(dataDir: string): Promise<RelayProcess>;
  /** Stops every relay started here and removes every folder. */
  dispose(): Promise<void>;
}

export async function replayableStudy(config: protocol.HorizontalStudyConfigInput, options: { participants?: number; prepare?: (relay: RelayProcess) => Promise<void> } = {}): Promise<ReplayableStudy> {
  const count = options.participants ?? 2;
  const folders: string[] = [];
  const relays: RelayProcess[] = [];
  const folder = async (): Promise<string> => {
    const made = await mkdtemp(path.join(os.tmpdir(), 'relay-replay-'));
    folders.push(made);
    return made;
  };
  const original = await folder();
  const setup = await startRelayProcess({ dataDir: original });
  relays.push(setup);
  const { token } = setup;
  const study = await api<{ id: string; joinCode: string }>(setup, 'POST', '/api/studies', config);
  await options.prepare?.(setup);
  const identities: Identity[] = [];
  for (let index = 0; index < count; index++) {
    const joined = await demoParticipant(setup, study.joinCode, { index, count });
    identities.push(joined.identity);
    joined.close();
  }
  await setup.stop();
  return {
    study,
    identities,
    copy: async () => {
      const made = await folder();
      await cp(original, made, { recursive: true });
      return made;
    },
    start: async (dataDir) => {
      const relay = await startRelayProcess({ dataDir });
      relays.push(relay);
      relay.token = token;
      return relay;
    },
    dispose: async () => {
      await Promise.all(relays.map((relay) => relay.stop()));
      await Promise.all(folders.map((made) => rm(made, { recursive: true, force: true })));
    },
  };
}
