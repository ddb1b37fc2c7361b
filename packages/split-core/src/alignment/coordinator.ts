import { POINT_BYTES, PsiError, TAG_BYTES } from './psi_party';

// The order of an alignment's steps across K parties, written once: the relay runs it over
// its participants' sockets, alignInProcess over PsiParticipants in one process. The
// coordinator forwards blinded points, sealed keys and tags; it can count them, and nothing
// more (no id, no unkeyed hash, and tags it cannot match without the group key).

/** What the coordinator asks of the parties (party 0 leads: it seals the group key). */
export interface AlignmentParties {
  readonly count: number;
  start(party: number): Promise<{ publicKey: Uint8Array; points: Uint8Array[] }>;
  seal(leader: number, memberPublicKeys: Uint8Array[]): Promise<Uint8Array[]>;
  blind(party: number, points: Uint8Array[]): Promise<Uint8Array[]>;
  tags(party: number, points: Uint8Array[], leaderPublicKey: Uint8Array, sealed: Uint8Array | undefined): Promise<Uint8Array[]>;
  /** Hands every party's tags to `party`; resolves to the size of its intersection. */
  intersect(party: number, tagSets: Uint8Array[][]): Promise<number>;
}

export interface AlignmentProgress {
  step: 'keys' | 'blinding' | 'tags' | 'intersection';
  done: number;
  total: number;
}

/** What the coordinator learns: set sizes, and the intersection size each party reports. */
export interface AlignmentOutcome {
  sizes: number[];
  intersection: number;
}

function checkSizes(items: readonly Uint8Array[], bytes: number, what: string): void {
  const wrong = items.findIndex((item) => item.length !== bytes);
  if (wrong >= 0) throw new PsiError(`${what}: item ${wrong} has ${items[wrong]?.length} bytes, not ${bytes}`);
}

export async function alignParties(parties: AlignmentParties, onProgress: (progress: AlignmentProgress) => void = () => undefined): Promise<AlignmentOutcome> {
  const count = parties.count;
  if (count < 2) throw new PsiError(`aligning rows needs at least two parties, got ${count}`);
  const started = await Promise.all(Array.from({ length: count }, (_, party) => parties.start(party)));
  started.forEach(({ publicKey, points }, party) => {
    checkSizes([publicKey], POINT_BYTES, `party ${party}'s public key`);
    checkSizes(points, POINT_BYTES, `party ${party}'s blinded ids`);
  });
  onProgress({ step: 'keys', done: count, total: count });
  const leaderKey = (started[0] as { publicKey: Uint8Array }).publicKey;
  const sealed = await parties.seal(
    0,
    started.slice(1).map((party) => party.publicKey),
  );
  if (sealed.length !== count - 1) throw new PsiError(`the leader sealed ${sealed.length} group keys for ${count - 1} parties`);
  // Around the ring: each party's points pass through every other party's secret, in turn.
  let blinded = 0;
  const fully = await Promise.all(
    started.map(async ({ points }, origin) => {
      let current = points;
      for (let step = 1; step < count; step++) {
        const next = await parties.blind((origin + step) % count, current);
        if (next.length !== current.length) throw new PsiError(`party ${(origin + step) % count} returned ${next.length} blinded ids for ${current.length}`);
        checkSizes(next, POINT_BYTES, `party ${(origin + step) % count}'s blinding`);
        current = next;
        onProgress({ step: 'blinding', done: ++blinded, total: count * (count - 1) });
      }
      return current;
    }),
  );
  const tagSets = await Promise.all(fully.map((points, party) => parties.tags(party, points, leaderKey, party === 0 ? undefined : sealed[party - 1])));
  tagSets.forEach((tags, party) => checkSizes(tags, TAG_BYTES, `party ${party}'s tags`));
  onProgress({ step: 'tags', done: count, total: count });
  const sizes = await Promise.all(Array.from({ length: count }, (_, party) => parties.intersect(party, tagSets)));
  if (new Set(sizes).size !== 1) throw new PsiError(`the parties found intersections of different sizes (${sizes.join(', ')}): the alignment is not consistent`);
  onProgress({ step: 'intersection', done: count, total: count });
  return { sizes: started.map(({ points }) => points.length), intersection: sizes[0] ?? 0 };
}
