import type { AlignmentParties } from './coordinator';
import type { PsiParticipant } from './psi_participant';

/**
 * The coordinator's parties with one more in front, held right here: the relay's own table
 * of labels where a vertical study's server holds them. It leads (party 0), the remote
 * parties follow in their order (party p is remote party p - 1).
 */
export function withLocalLeader(local: PsiParticipant, remote: AlignmentParties): AlignmentParties {
  const here = <T>(work: () => T): Promise<T> => Promise.resolve().then(work);
  return {
    count: remote.count + 1,
    start: (party) => (party === 0 ? here(() => local.start()) : remote.start(party - 1)),
    seal: (leader, keys) => (leader === 0 ? here(() => local.seal(keys)) : remote.seal(leader - 1, keys)),
    blind: (party, points) => (party === 0 ? here(() => local.blind(points)) : remote.blind(party - 1, points)),
    tags: (party, points, leaderKey, sealed) => (party === 0 ? here(() => local.tags(points, leaderKey, sealed)) : remote.tags(party - 1, points, leaderKey, sealed)),
    intersect: (party, tagSets) => (party === 0 ? here(() => local.intersect(tagSets).ids.length) : remote.intersect(party - 1, tagSets)),
  };
}
