import { alignParties, type AlignmentParties } from './coordinator';
import { PsiParticipant } from './psi_participant';
import type { PsiIntersection } from './psi_party';

/** Something a party sent during an alignment, as a relay between them would see it. */
export interface AlignmentMessage {
  from: number;
  what: 'public key' | 'sealed group key' | 'blinded ids' | 'tags';
  payload: readonly Uint8Array[];
}

/**
 * Aligns K parties' rows in one process (the simulator, tests): the coordinator's steps
 * over PsiParticipants, exactly as the relay runs them over sockets. Party 0 leads.
 * Returns each party's intersection: its own ids in the common order.
 */
export async function alignInProcess(partyIds: readonly (readonly string[])[], domain: string, onMessage: (message: AlignmentMessage) => void = () => undefined): Promise<PsiIntersection[]> {
  const participants = partyIds.map((ids) => new PsiParticipant(ids, domain));
  const at = (party: number): PsiParticipant => {
    const participant = participants[party];
    if (!participant) throw new Error(`no party ${party}`);
    return participant;
  };
  const parties: AlignmentParties = {
    count: participants.length,
    start: (party) => {
      const started = at(party).start();
      onMessage({ from: party, what: 'public key', payload: [started.publicKey] });
      onMessage({ from: party, what: 'blinded ids', payload: started.points });
      return Promise.resolve(started);
    },
    seal: (leader, keys) => {
      const sealed = at(leader).seal(keys);
      onMessage({ from: leader, what: 'sealed group key', payload: sealed });
      return Promise.resolve(sealed);
    },
    blind: (party, points) => {
      const blinded = at(party).blind(points);
      onMessage({ from: party, what: 'blinded ids', payload: blinded });
      return Promise.resolve(blinded);
    },
    tags: (party, points, leaderKey, sealed) => {
      const tags = at(party).tags(points, leaderKey, sealed);
      onMessage({ from: party, what: 'tags', payload: tags });
      return Promise.resolve(tags);
    },
    intersect: (party, tagSets) => Promise.resolve(at(party).intersect(tagSets).ids.length),
  };
  await alignParties(parties);
  return participants.map((participant) => participant.intersection as PsiIntersection);
}
