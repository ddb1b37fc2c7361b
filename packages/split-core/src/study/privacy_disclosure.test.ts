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
    expect(privacyDisclosure(StudyConfigSchema.parse({ ...base, method: 'lbsgd' }))).toEqual([expect.stringMatching(/^Large-batch synchronous SGD \(baseline\): .* gradients reach the relay in the clear/)]);
  });
});
