import { describe, expect, it } from 'vitest';
import { StudyConfigSchema } from './config';
import { privacyDisclosure } from './privacy_disclosure';

const base = { name: 's', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'vanilla', schedule: 'round-robin' };

describe('privacyDisclosure', () => {
  it('says what is and is not protected, from the configuration', () => {
    const plain = privacyDisclosure(StudyConfigSchema.parse(base)).join('\n');
    expect(plain).toMatch(/Labels travel to the relay with each batch \(vanilla\)\. Each round the relay measures/);
    expect(plain).toMatch(/NoPeek is off/);
    expect(plain).toMatch(/through the relay in the clear \(not end-to-end encrypted\)/);
    const defended = privacyDisclosure(StudyConfigSchema.parse({ ...base, topology: 'u-shaped', schedule: 'splitfed-v2', noPeek: 0.5, gradientNoise: { kind: 'max-norm' }, activationNoise: { clip: 10, sigma: 0.5 } })).join('\n');
    expect(defended).toMatch(/clipped to a norm of 10 per sample and blurred with Gaussian noise \(standard deviation 0.5\)/);
    expect(defended).toMatch(/Labels stay on the data holders' devices \(u-shaped\)/);
    expect(defended).toMatch(/NoPeek is on \(weight 0.5\)/);
    expect(defended).toMatch(/max-norm noise \(scale 1\)/);
    expect(defended).toMatch(/averaged by the relay in the clear \(no secure aggregation\)/);
    expect(defended).toMatch(/Validation results leave as counts only/);
    expect(plain).not.toMatch(/augmented/);
    const augmented = privacyDisclosure(StudyConfigSchema.parse({ ...base, augmentation: {} })).join('\n');
    expect(augmented).toMatch(/augmented .* on this device: the augmented images stay here like the originals/);
    const sealed = privacyDisclosure(StudyConfigSchema.parse({ ...base, handoffKeyCheck: 'A'.repeat(22) })).join('\n');
    expect(sealed).toMatch(/end-to-end encrypted with the study key \(AES-GCM\): the relay forwards and stores them but cannot read them/);
    expect(sealed).not.toMatch(/in the clear/);
    expect(privacyDisclosure(StudyConfigSchema.parse({ ...base, method: 'lbsgd' }))).toEqual([expect.stringMatching(/^Large-batch synchronous SGD \(baseline\): .* gradients reach the relay in the clear/)]);
  });

  it('refuses an encrypted hand-off where the relay must read the client segments', () => {
    const refused = (config: object): string => {
      const parsed = StudyConfigSchema.safeParse(config);
      return parsed.success ? '' : parsed.error.issues.map((issue) => issue.message).join('; ');
    };
    expect(refused({ ...base, schedule: 'splitfed-v2', handoffKeyCheck: 'A'.repeat(22) })).toMatch(/encrypted hand-off needs schedule 'round-robin': splitfed-v2 averages the client segments at the relay/);
    expect(refused({ ...base, method: 'fedavg', handoffKeyCheck: 'A'.repeat(22) })).toMatch(/fedavg averages whole models/);
    expect(refused({ ...base, handoffKeyCheck: 'the key itself, by mistake' })).toMatch(/must be a study key check/);
  });
});
