import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import type { RelayProcess } from './relay_process';

/** What a participant needs to rejoin as itself. */
export interface Identity {
  participantId: string;
  resumeToken: string;
}

/**
 * An honest headless participant holding demo shard `shard.index` of `shard.count`, joined
 * to the study (or rejoined as `resume`), with the identity the relay gave it.
 */
export async function demoParticipant(relay: RelayProcess, joinCode: string, shard: { index: number; count: number }, resume?: Identity): Promise<NodeParticipant & { identity: Identity }> {
  const joined = await connectNodeParticipant({ url: relay.url, joinCode, data: { source: 'demo', shard }, backend: 'wasm', label: `honest ${shard.index}`, ...(resume ? { resume } : {}) });
  const identity = joined.participant.identity;
  if (!identity) {
    joined.close();
    throw new Error('joined without an identity');
  }
  return { ...joined, identity };
}
