import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

// A key the parties of a vertical group share and the relay, which forwards their
// messages, does not: each party draws an ephemeral ristretto255 key pair and publishes the
// public half; the leader draws the group key and sends each party a copy masked with a key
// derived from their Diffie-Hellman secret. A passive relay sees public keys and masked
// copies only. The PSI tags are keyed with it, so the relay cannot match them.

const Point = ristretto255.Point;
const KEY_BYTES = 32;

/** A uniformly random non-zero scalar (64 random bytes reduced mod the group order: bias below 2^-128). */
export function randomScalar(random: (length: number) => Uint8Array = randomBytes): bigint {
  for (;;) {
    const scalar = Point.Fn.create(bytesToNumberLE(random(64)));
    if (scalar !== 0n) return scalar;
  }
}

export interface EphemeralKey {
  secret: bigint;
  /** The public half, ristretto255-encoded (32 bytes): what the party publishes. */
  publicKey: Uint8Array;
}

export function ephemeralKey(random?: (length: number) => Uint8Array): EphemeralKey {
  const secret = randomScalar(random);
  return { secret, publicKey: Point.BASE.multiply(secret).toBytes() };
}

/** The mask two parties derive from their DH secret, bound to the study and both public keys. */
function mask(own: EphemeralKey, peerPublicKey: Uint8Array, context: string, leaderKey: Uint8Array, memberKey: Uint8Array): Uint8Array {
  const shared = Point.fromBytes(peerPublicKey).multiply(own.secret).toBytes();
  return hkdf(sha256, shared, concatBytes(leaderKey, memberKey), utf8ToBytes(`splitnn psi group key v1 ${context}`), KEY_BYTES);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((byte, i) => byte ^ (b[i] ?? 0));
}

/** The leader: a fresh group key, and its copy for each member, masked for that member alone. */
export function sealGroupKey(leader: EphemeralKey, memberPublicKeys: readonly Uint8Array[], context: string, random: (length: number) => Uint8Array = randomBytes): { groupKey: Uint8Array; sealed: Uint8Array[] } {
  const groupKey = random(KEY_BYTES);
  return { groupKey, sealed: memberPublicKeys.map((memberKey) => xor(groupKey, mask(leader, memberKey, context, leader.publicKey, memberKey))) };
}

/** A member: the group key from its sealed copy and the leader's public key. */
export function openGroupKey(member: EphemeralKey, leaderPublicKey: Uint8Array, sealed: Uint8Array, context: string): Uint8Array {
  if (sealed.length !== KEY_BYTES) throw new Error(`a sealed group key has ${KEY_BYTES} bytes, got ${sealed.length}`);
  return xor(sealed, mask(member, leaderPublicKey, context, leaderPublicKey, member.publicKey));
}
