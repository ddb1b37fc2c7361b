import { ristretto255_hasher } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { alignInProcess, type AlignmentMessage } from './align_in_process';
import { ephemeralKey, openGroupKey, sealGroupKey } from './group_key';
import { PsiError, PsiParty } from './psi_party';

const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `P${String(from + i).padStart(4, '0')}`);

/** Every way an id could be spelled in a message: plain, its SHA-256, its unkeyed point on the curve. */
function spellings(id: string, domain: string): string[] {
  const bytes = utf8ToBytes(id);
  return [bytesToHex(bytes), bytesToHex(sha256(bytes)), bytesToHex(ristretto255_hasher.hashToCurve(bytes, { DST: utf8ToBytes(`splitnn-psi-v1:${domain}`) }).toBytes()), bytesToHex(ristretto255_hasher.hashToCurve(bytes).toBytes())];
}

describe('private set intersection', () => {
  it('leaves each of two parties with exactly the common ids, in one common order', async () => {
    const a = ids(0, 60);
    const b = [...ids(30, 90)].reverse();
    const [left, right] = await alignInProcess([a, b], 'study-1');
    expect(left?.ids).toHaveLength(30);
    expect(new Set(left?.ids)).toEqual(new Set(ids(30, 60)));
    // Row k of one party is row k of the other: the same patient, found without naming it.
    expect(right?.ids).toEqual(left?.ids);
    expect(right?.tags).toEqual(left?.tags);
  });

  it('intersects three parties, and nothing when they share nothing', async () => {
    const result = await alignInProcess([ids(0, 50), ids(20, 70), ids(40, 100)], 'study-3');
    for (const party of result) expect(party.ids).toEqual(result[0]?.ids);
    expect(new Set(result[0]?.ids)).toEqual(new Set(ids(40, 50)));
    expect((await alignInProcess([ids(0, 10), ids(10, 20)], 'study-4')).map((party) => party.ids)).toEqual([[], []]);
  });

  it('sends no id, no hash of an id and no unkeyed point of an id; only counts of things are visible', async () => {
    const a = ids(0, 40);
    const b = ids(25, 80);
    const messages: AlignmentMessage[] = [];
    await alignInProcess([a, b], 'study-2', (message) => messages.push(message));
    const sent = messages.flatMap((message) => message.payload.map((bytes) => bytesToHex(bytes))).join(' ');
    for (const id of [...a, ...b]) for (const spelling of spellings(id, 'study-2')) expect(sent.includes(spelling), `${id} as ${spelling.slice(0, 16)}…`).toBe(false);
    // What a relay could count: how many each party sent, and nothing matching across parties.
    const tags = messages.filter((message) => message.what === 'tags');
    expect(tags.map((message) => message.payload.length)).toEqual([40, 55]);
  });

  it('makes tags the relay cannot match without the group key, and the same alignment with it', () => {
    const leader = ephemeralKey();
    const member = ephemeralKey();
    const { groupKey, sealed } = sealGroupKey(leader, [member.publicKey], 'study-5');
    expect(openGroupKey(member, leader.publicKey, sealed[0] as Uint8Array, 'study-5')).toEqual(groupKey);
    // Bound to the study: the same copy opens to another key elsewhere.
    expect(openGroupKey(member, leader.publicKey, sealed[0] as Uint8Array, 'study-6')).not.toEqual(groupKey);
    expect(bytesToHex(sealed[0] as Uint8Array)).not.toBe(bytesToHex(groupKey));
  });

  it('gives different studies unlinkable blinded ids for the same patient', () => {
    const one = new PsiParty(['P0001'], 'study-a').blindOwn();
    const two = new PsiParty(['P0001'], 'study-b').blindOwn();
    expect(bytesToHex(one[0] as Uint8Array)).not.toBe(bytesToHex(two[0] as Uint8Array));
  });

  it('refuses duplicate ids, an empty set and malformed points with a message', () => {
    expect(() => new PsiParty(['P1', 'P2', 'P1'], 's')).toThrow(/1 id\(s\) appear more than once \(first: P1\)/);
    expect(() => new PsiParty([], 's')).toThrow(PsiError);
    const party = new PsiParty(['P1'], 's');
    expect(() => party.blindFor([new Uint8Array(31)])).toThrow(/32 bytes/);
    expect(() => party.blindFor([new Uint8Array(32).fill(255)])).toThrow(/not a ristretto255 point/);
    expect(() => party.blindFor([new Uint8Array(32)])).toThrow(/identity element/);
    expect(() => party.tags([], new Uint8Array(32))).toThrow(/expected 1 blinded ids back, got 0/);
  });
});
