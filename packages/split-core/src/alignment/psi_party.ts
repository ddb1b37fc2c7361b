import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { randomScalar } from './group_key';
import { POINT_BYTES, TAG_BYTES } from './sizes';

export { POINT_BYTES, TAG_BYTES };

// One party's side of a Diffie-Hellman private set intersection (Meadows 1986; Huberman et
// al. 1999) over ristretto255, for K parties relayed by a server that must learn nothing but
// set sizes:
//   1. Each party hashes its ids onto the group (RFC 9380 hash-to-curve, domain-separated by
//      the study) and raises them to its secret scalar: H(id)^a. Only these leave it, in a
//      secret random order. No id and no plain hash of an id ever does.
//   2. Each other party raises them to its own secret in turn (the order kept), so every
//      party ends with its ids under all K secrets, H(id)^(a1...aK): equal across parties for
//      the same id, unlinkable to the id without every secret.
//   3. Each party keys those points with the group key the relay does not hold (an HMAC tag),
//      shuffles the tags and shares them; every party then knows which of its own ids all
//      parties hold, and nothing about the others' ids. (With K > 2 a party also sees the
//      sizes of intersections among other parties' sets.)
// The common rows are ordered by tag, so every party lines its rows up the same way without
// anyone naming an id.

const Point = ristretto255.Point;

export class PsiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PsiError';
  }
}

/** Secret random permutation of 0..n-1 (Fisher-Yates on fresh random bytes). */
function secretPermutation(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = randomBytes(4 * Math.max(1, n));
  const view = new DataView(random.buffer, random.byteOffset, random.byteLength);
  for (let i = n - 1; i > 0; i--) {
    const j = view.getUint32(4 * i, true) % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

function decodePoint(bytes: Uint8Array, what: string): ReturnType<typeof Point.fromBytes> {
  if (bytes.length !== POINT_BYTES) throw new PsiError(`${what}: a blinded id is ${POINT_BYTES} bytes, got ${bytes.length}`);
  try {
    const point = Point.fromBytes(bytes);
    if (point.is0()) throw new PsiError(`${what}: the identity element is not a blinded id`);
    return point;
  } catch (error) {
    if (error instanceof PsiError) throw error;
    throw new PsiError(`${what}: not a ristretto255 point (${error instanceof Error ? error.message : String(error)})`);
  }
}

export interface PsiIntersection {
  /** This party's ids held by every party, in the common order (by tag). */
  ids: string[];
  /** The tags of those rows, in the same order: the same list at every party. */
  tags: string[];
}

export class PsiParty {
  private readonly secret = randomScalar();
  private readonly ids: string[];
  /** ids[order[k]] is the id whose blinded point was sent k-th. */
  private readonly order: number[];
  private readonly dst: Uint8Array;
  private ownTags: Map<string, string> | undefined;

  /**
   * @param ids this party's row ids (patient ids); duplicates are refused, since rows could not be aligned.
   * @param domain separates this alignment's hashes from any other's (the study id).
   */
  constructor(ids: readonly string[], domain: string) {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const id of ids) (seen.has(id) ? duplicates : seen).add(id);
    if (duplicates.size > 0) throw new PsiError(`${duplicates.size} id(s) appear more than once (first: ${[...duplicates][0] ?? ''}): each row needs its own id to be aligned`);
    if (ids.length === 0) throw new PsiError('no ids to align');
    this.ids = [...ids];
    this.order = secretPermutation(ids.length);
    this.dst = utf8ToBytes(`splitnn-psi-v1:${domain}`);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Step 1: this party's ids, hashed onto the group and blinded with its secret, in a secret order. */
  blindOwn(): Uint8Array[] {
    return this.order.map((index) => ristretto255_hasher.hashToCurve(utf8ToBytes(this.ids[index] as string), { DST: this.dst }).multiply(this.secret).toBytes());
  }

  /** Step 2: another party's blinded points, blinded again with this party's secret, in the same order. */
  blindFor(points: readonly Uint8Array[]): Uint8Array[] {
    return points.map((bytes, i) => decodePoint(bytes, `blinded id ${i}`).multiply(this.secret).toBytes());
  }

  /**
   * Step 3: this party's own points under every party's secret (what step 2 returned after
   * the last party), keyed with the group key: its tags, shuffled, to share.
   */
  tags(fullyBlinded: readonly Uint8Array[], groupKey: Uint8Array): Uint8Array[] {
    if (fullyBlinded.length !== this.ids.length) throw new PsiError(`expected ${this.ids.length} blinded ids back, got ${fullyBlinded.length}`);
    const tags = fullyBlinded.map((bytes, k) => hmac(sha256, groupKey, decodePoint(bytes, `returned blinded id ${k}`).toBytes()));
    this.ownTags = new Map(tags.map((tag, k) => [bytesToHex(tag), this.ids[this.order[k] as number] as string]));
    return secretPermutation(tags.length).map((k) => tags[k] as Uint8Array);
  }

  /** Step 4: every party's tags (this party's included) -> its rows all parties hold, in tag order. */
  intersect(tagSets: readonly (readonly Uint8Array[])[]): PsiIntersection {
    const own = this.ownTags;
    if (!own) throw new PsiError('compute this party\u2019s tags first');
    const sets = tagSets.map((tags) => new Set(tags.map((tag) => bytesToHex(tag))));
    const common = [...own.keys()].filter((tag) => sets.every((set) => set.has(tag))).sort();
    return { ids: common.map((tag) => own.get(tag) as string), tags: common };
  }
}
