import { describe, expect, it } from 'vitest';
import { study as studyLib } from '@splitlearn/split-core';
import { clientWeightLayout, egressInputFor } from '../../../lib/egress/egress_input';
import { describeEgress } from '../../../lib/egress/what_leaves';
import { studyCost } from './study_cost';

// The console's figures come from the configuration alone; the training worker states what
// leaves a device from the engine's own role plans. Both must say the same.

function config(changes: Record<string, unknown>): Extract<studyLib.StudyConfig, { topology: 'vanilla' | 'u-shaped' }> {
  const parsed = studyLib.StudyConfigSchema.parse({ name: 'x', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'vanilla', schedule: 'round-robin', ...changes });
  if (parsed.topology !== 'vanilla' && parsed.topology !== 'u-shaped') throw new Error('horizontal only');
  return parsed;
}

describe('studyCost', () => {
  it('states what leaves a device exactly as the training worker does, for each topology, model and codec', () => {
    for (const topology of ['vanilla', 'u-shaped']) {
      for (const model of ['cnn-small', 'vgg-mini', 'resnet-mini']) {
        for (const codec of ['fp32', 'int8']) {
          const study = config({ topology, model, codec, schedule: 'splitfed-v2', batchSize: 16 });
          const plans = studyLib.studyRolePlans(study);
          const client = plans.client('');
          const worker = describeEgress(egressInputFor({ config: study }, { client, server: plans.server, holdsLabels: plans.holdsLabels('') }, clientWeightLayout(client)));
          expect(studyCost(study).egress, `${topology} ${model} ${codec}`).toEqual(worker);
          // And the compute: the relay's accounting of the same study.
          const flops = studyLib.studyFlopsPerSample(study);
          expect([studyCost(study).clientFlopsPerSample, studyCost(study).serverFlopsPerSample]).toEqual([flops.client, flops.server]);
        }
      }
    }
  });

  it('sums a step’s frames, up and down, and a round’s with a step limit', () => {
    const vanilla = studyCost(config({ batchSize: 32, maxStepsPerRound: 10 }));
    const [activations, labels] = vanilla.egress.train;
    expect(vanilla.upPerStep).toBe((activations?.bytes ?? 0) + (labels?.bytes ?? 0));
    expect(activations?.shape).toEqual([32, 14, 14, 32]);
    // The gradient at the cut comes back: the activations' shape, float32.
    expect(vanilla.downPerStep).toBeGreaterThan(32 * 14 * 14 * 32 * 4);
    expect(vanilla.upPerRound).toBe(10 * vanilla.upPerStep);
    expect(vanilla.clientParams).toBe(3 * 3 * 1 * 32 + 32);
    expect(studyCost(config({})).upPerRound).toBeUndefined();
    // U-shaped sends no labels, and the head's weights travel too.
    const uShaped = studyCost(config({ topology: 'u-shaped' }));
    expect(uShaped.egress.train.map((item) => item.kind)).toEqual(['activations', 'gradients']);
    expect(uShaped.clientParams).toBeGreaterThan(vanilla.clientParams);
  });
});
