import { ephemeralKey, openGroupKey, sealGroupKey } from './group_key';
import { PsiParty, type PsiIntersection } from './psi_party';

/** Something a party sent during an alignment, as a relay between them would see it. */
export interface AlignmentMessage {
  from: number;
  what: 'public key' | 'sealed group key' | 'blinded ids' | 'tags';
  payload: readonly Uint8Array[];
}

/**
 * Aligns K parties' rows in one process (the simulator, tests): the same PSI steps a relay
 * forwards between participants, in the same order. Party 0 leads (draws the group key).
 * Returns each party's intersection: its own ids in the common order.
 */
export function alignInProcess(partyIds: readonly (readonly string[])[], domain: string, onMessage: (message: AlignmentMessage) => void = () => undefined): PsiIntersection[] {
  if (partyIds.length < 2) throw new Error(`aligning rows needs at least two parties, got ${partyIds.length}`);
  const parties = partyIds.map((ids) => new PsiParty(ids, domain));
  const keys = parties.map(() => ephemeralKey());
  keys.forEach((key, from) => onMessage({ from, what: 'public key', payload: [key.publicKey] }));
  const leader = keys[0];
  if (!leader) throw new Error('no leader');
  const { groupKey, sealed } = sealGroupKey(leader, keys.slice(1).map((key) => key.publicKey), domain);
  onMessage({ from: 0, what: 'sealed group key', payload: sealed });
  const groupKeys = [groupKey, ...keys.slice(1).map((key, i) => openGroupKey(key, leader.publicKey, sealed[i] as Uint8Array, domain))];
  const tagSets = parties.map((party, origin) => {
    let points = party.blindOwn();
    onMessage({ from: origin, what: 'blinded ids', payload: points });
    // Around the ring: every other party adds its secret, in turn.
    for (let step = 1; step < parties.length; step++) {
      const next = (origin + step) % parties.length;
      points = (parties[next] as PsiParty).blindFor(points);
      onMessage({ from: next, what: 'blinded ids', payload: points });
    }
    const tags = party.tags(points, groupKeys[origin] as Uint8Array);
    onMessage({ from: origin, what: 'tags', payload: tags });
    return tags;
  });
  return parties.map((party) => party.intersect(tagSets));
}
