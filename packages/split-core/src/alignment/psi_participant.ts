import { ephemeralKey, openGroupKey, sealGroupKey, type EphemeralKey } from './group_key';
import { PsiError, PsiParty, type PsiIntersection } from './psi_party';

/**
 * One party's side of an alignment, step by step as a coordinator asks for them (the
 * relay over the network, or alignParties in process): its PSI state, its ephemeral key and,
 * once opened, the group key. `domain` binds everything to one study.
 */
export class PsiParticipant {
  private readonly psi: PsiParty;
  private readonly key: EphemeralKey = ephemeralKey();
  private result: PsiIntersection | undefined;
  /** Drawn by the leader, opened by the others from their sealed copy. */
  private groupKey: Uint8Array | undefined;

  constructor(
    ids: readonly string[],
    private readonly domain: string,
  ) {
    this.psi = new PsiParty(ids, domain);
  }

  get size(): number {
    return this.psi.size;
  }

  /** The rows every party holds, in the common order, once the alignment is done. */
  get intersection(): PsiIntersection | undefined {
    return this.result;
  }

  /** Step 1: the public key to publish and this party's blinded ids. */
  start(): { publicKey: Uint8Array; points: Uint8Array[] } {
    return { publicKey: this.key.publicKey, points: this.psi.blindOwn() };
  }

  /** As the leader: the group key, sealed for each other party's public key (in order). */
  seal(memberPublicKeys: readonly Uint8Array[]): Uint8Array[] {
    const { groupKey, sealed } = sealGroupKey(this.key, memberPublicKeys, this.domain);
    this.groupKey = groupKey;
    return sealed;
  }

  /** Step 2: another party's points, blinded with this party's secret. */
  blind(points: readonly Uint8Array[]): Uint8Array[] {
    return this.psi.blindFor(points);
  }

  /** Step 3: this party's points under every secret, keyed with the group key (opened from `sealed` unless leading). */
  tags(points: readonly Uint8Array[], leaderPublicKey: Uint8Array, sealed: Uint8Array | undefined): Uint8Array[] {
    if (sealed) this.groupKey = openGroupKey(this.key, leaderPublicKey, sealed, this.domain);
    if (!this.groupKey) throw new PsiError('no group key: the leader seals it, every other party receives a sealed copy');
    return this.psi.tags(points, this.groupKey);
  }

  /** Step 4: every party's tags -> this party's rows held by all, in the common order. */
  intersect(tagSets: readonly (readonly Uint8Array[])[]): PsiIntersection {
    this.result = this.psi.intersect(tagSets);
    return this.result;
  }
}
