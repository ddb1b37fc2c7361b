import { describe, expect, it } from 'vitest';
import { decodeWeights, encodeWeights } from '../model/weights_frames';
import { weightsDigest } from '../model/weights_digest';
import { handoffCipher, HandoffSealError, isSealed, sealedBytes, sealedSegment } from './sealed_handoff';
import { generateStudyKey, studyKeyCheck, studyKeyFromFragment, StudyKeyError } from './study_key';

const weights = [
  { name: 'conv1/kernel', shape: [3, 3, 1, 2], values: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
  { name: 'conv1/bias', shape: [2], values: Float32Array.of(0.25, -0.5) },
];

describe('study key', () => {
  it('is 32 random bytes as text, with a check that tells keys apart and never contains the key', async () => {
    const key = generateStudyKey();
    const other = generateStudyKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toBe(other);
    expect(await studyKeyCheck(key)).toBe(await studyKeyCheck(` ${key}\n`));
    expect(await studyKeyCheck(key)).not.toBe(await studyKeyCheck(other));
    expect(key).not.toContain(await studyKeyCheck(key));
    await expect(studyKeyCheck('ABCD-1234')).rejects.toThrow(StudyKeyError);
    await expect(studyKeyCheck(key.slice(0, 40))).rejects.toThrow(/not a study key: a key is 43 letters.*got 40 characters/);
  });

  it('is read from an invite link’s fragment', () => {
    const key = generateStudyKey();
    expect(studyKeyFromFragment(`#key=${key}`)).toBe(key);
    expect(studyKeyFromFragment(`#party=1&key=${key}`)).toBe(key);
    expect(studyKeyFromFragment('#party=1')).toBeUndefined();
    expect(studyKeyFromFragment('')).toBeUndefined();
  });
});

describe('sealed hand-off', () => {
  it('round-trips a weight bundle, and what travels neither decodes as weights nor repeats between seals', async () => {
    const key = generateStudyKey();
    const cipher = await handoffCipher(key, 'study-1');
    const bundle = encodeWeights(weights);
    const sealed = await cipher.seal(bundle, 0);
    const again = await cipher.seal(bundle, 0);
    expect(isSealed(sealed)).toBe(true);
    expect(isSealed(bundle)).toBe(false);
    expect(Buffer.from(sealed).equals(Buffer.from(again))).toBe(false);
    expect(() => decodeWeights(sealed)).toThrow();
    // The plaintext's float bytes appear nowhere in the sealed bundle.
    expect(Buffer.from(sealed).includes(Buffer.from(weights[0]?.values.buffer as ArrayBuffer))).toBe(false);
    const opened = await (await handoffCipher(key, 'study-1')).open(sealed, 0);
    expect(decodeWeights(opened)).toEqual(weights);
  });

  it('refuses another key, another study or slot, a changed byte and weights in the clear, saying which', async () => {
    const key = generateStudyKey();
    const cipher = await handoffCipher(key, 'study-1');
    const sealed = await cipher.seal(encodeWeights(weights), 1);
    const wrongKey = await handoffCipher(generateStudyKey(), 'study-1');
    await expect(wrongKey.open(sealed, 1)).rejects.toThrow(/could not be decrypted with this study key/);
    await expect((await handoffCipher(key, 'study-2')).open(sealed, 1)).rejects.toThrow(HandoffSealError);
    await expect(cipher.open(sealed, 0)).rejects.toThrow(HandoffSealError);
    const altered = sealed.slice();
    altered[altered.length - 20] = (altered[altered.length - 20] ?? 0) ^ 1;
    await expect(cipher.open(altered, 1)).rejects.toThrow(/altered on the way/);
    await expect(cipher.open(encodeWeights(weights), 1)).rejects.toThrow(/arrived unencrypted/);
  });

  it('travels through the relay’s weight paths exactly: carrier, bundle encoding, digest', async () => {
    const cipher = await handoffCipher(generateStudyKey(), 's');
    for (const extra of [0, 1]) {
      const sealed = await cipher.seal(new Uint8Array(101 + extra).fill(7), 0);
      const carried = sealedSegment(sealed);
      // The relay checkpoints carriers as ordinary bundles and reads them back.
      expect(sealedBytes(decodeWeights(encodeWeights(carried)))).toEqual(sealed);
      const other = sealed.slice();
      other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 0xff;
      expect(weightsDigest([carried])).not.toBe(weightsDigest([sealedSegment(other)]));
    }
    expect(sealedBytes(weights)).toBeUndefined();
  });
});
