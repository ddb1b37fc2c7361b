import { describe, expect, it } from 'vitest';
import { alignParties, type AlignmentParties } from './coordinator';
import { PsiParticipant } from './psi_participant';
import { withLocalLeader } from './local_leader';

// The relay's own table of labels takes part in an alignment as the leading party, in
// front of the participants it reaches over sockets: every party, local or remote, ends
// with exactly the ids all hold.

function remoteParties(participants: PsiParticipant[]): AlignmentParties {
  const at = (party: number): PsiParticipant => participants[party] as PsiParticipant;
  return {
    count: participants.length,
    start: (party) => Promise.resolve(at(party).start()),
    seal: (leader, keys) => Promise.resolve(at(leader).seal(keys)),
    blind: (party, points) => Promise.resolve(at(party).blind(points)),
    tags: (party, points, key, sealed) => Promise.resolve(at(party).tags(points, key, sealed)),
    intersect: (party, tagSets) => Promise.resolve(at(party).intersect(tagSets).ids.length),
  };
}

describe('withLocalLeader', () => {
  it('aligns a local table in front of remote parties: each ends with the common ids, in one order', async () => {
    const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `P${from + i}`);
    const server = new PsiParticipant(ids(0, 50), 'study-x');
    const a = new PsiParticipant(ids(10, 60), 'study-x');
    const b = new PsiParticipant(ids(5, 45).reverse(), 'study-x');
    const outcome = await alignParties(withLocalLeader(server, remoteParties([a, b])));
    expect(outcome).toEqual({ sizes: [50, 50, 40], intersection: 35 });
    const common = server.intersection?.ids;
    expect(common).toHaveLength(35);
    expect(new Set(common)).toEqual(new Set(ids(10, 45)));
    expect(a.intersection?.ids).toEqual(common);
    expect(b.intersection?.ids).toEqual(common);
  });
});
