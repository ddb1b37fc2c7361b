import { ristretto255_hasher } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * Every way a patient id could be written into a message, for tests that search what
 * crossed the wire: plain, as hex, its SHA-256, and its point on the curve before blinding
 * (split-core's PSI hashes ids to ristretto255 under the study's domain).
 */
export function idSpellings(patient: string, studyId: string): string[] {
  const bytes = utf8ToBytes(patient);
  return [patient, bytesToHex(bytes), bytesToHex(sha256(bytes)), bytesToHex(ristretto255_hasher.hashToCurve(bytes, { DST: utf8ToBytes(`splitnn-psi-v1:${studyId}`) }).toBytes())];
}
