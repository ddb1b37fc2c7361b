import { describe, expect, it } from 'vitest';
import { study as studyLib } from '@splitlearn/split-core';
import { clientWeightLayout, egressInputFor } from '../../../lib/egress/egress_input';
import { describeEgress } from '../../../lib/egress/what_leaves';
import { studyCost } from './study_cost';
import type { FormConfig } from './study_draft';

// The console's figures come from the configuration alone; the training worker states what
// leaves a device from the engine's own role plans. Both must say the same.

function config(changes: Record<string, unknown>): FormConfig {
  const parsed = studyLib.StudyConfigSchema.parse({ name: 'x', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'vanilla', schedule: 'round-robin', ...changes });
  return parsed;
}

/** What the training worker states for the client at `position`, from the engine's own role plans (training_worker.ts, egressAs). */
function workerEgress(study: FormConfig, position: number) {
  const plans = studyLib.studyRolePlans(study, () => position);
  const client = plans.client('');
  const positioned = studyLib.positionNames(study) ? position : undefined;
  const vertical = studyLib.partiesStudy(study) && !studyLib.isIntermediate(study, position) ? { party: position } : undefined;
  return describeEgress(egressInputFor({ config: study }, { client, server: plans.server, holdsLabels: plans.holdsLabels('') }, clientWeightLayout(client), vertical, positioned));
}

describe('studyCost', () => {
  it('states what leaves a device exactly as the training worker does, for each topology, model and codec', () => {
    for (const topology of ['vanilla', 'u-shaped']) {
      for (const model of ['cnn-small', 'vgg-mini', 'resnet-mini']) {
        for (const codec of ['fp32', 'int8']) {
          const study = config({ topology, model, codec, schedule: 'splitfed-v2', batchSize: 16 });
          expect(studyCost(study).positions.map((position) => position.egress), `${topology} ${model} ${codec}`).toEqual([workerEgress(study, 0)]);
          // And the compute: the relay's accounting of the same study.
          const flops = studyLib.studyFlopsPerSample(study);
          expect([studyCost(study).clientFlopsPerSample, studyCost(study).serverFlopsPerSample]).toEqual([flops.client, flops.server]);
        }
      }
    }
  });

  it('sums a step’s frames, up and down, and a round’s with a step limit', () => {
    const [vanilla] = studyCost(config({ batchSize: 32, maxStepsPerRound: 10 })).positions;
    if (!vanilla) throw new Error('no position');
    const [activations, labels] = vanilla.egress.train;
    expect(vanilla.upPerStep).toBe((activations?.bytes ?? 0) + (labels?.bytes ?? 0));
    expect(activations?.shape).toEqual([32, 14, 14, 32]);
    // The gradient at the cut comes back: the activations' shape, float32.
    expect(vanilla.downPerStep).toBeGreaterThan(32 * 14 * 14 * 32 * 4);
    expect(vanilla.upPerRound).toBe(10 * vanilla.upPerStep);
    expect(vanilla.clientParams).toBe(3 * 3 * 1 * 32 + 32);
    expect(studyCost(config({})).positions[0]?.upPerRound).toBeUndefined();
    // U-shaped sends no labels, and the head's weights travel too.
    const [uShaped] = studyCost(config({ topology: 'u-shaped' })).positions;
    if (!uShaped) throw new Error('no position');
    expect(uShaped.egress.train.map((item) => item.kind)).toEqual(['activations', 'gradients']);
    expect(uShaped.clientParams).toBeGreaterThan(vanilla.clientParams);
  });

  it('costs each position of a multi-hop chain as the worker at that position states it, each hop receiving what its neighbours send', () => {
    for (const codec of ['fp32', 'fp16']) {
      const study = config({ topology: 'multi-hop', codec, batchSize: 8, maxStepsPerRound: 3 });
      const cost = studyCost(study);
      expect(cost.positions.map((position) => position.name)).toEqual(['Data holder', 'Hop 1 of 2', 'Hop 2 of 2']);
      cost.positions.forEach((position, index) => expect(position.egress, `position ${index}`).toEqual(workerEgress(study, index)));
      // The data holder sends activations and labels; a hop passes activations on and gradients back.
      expect(cost.positions.map((position) => position.egress.train.map((item) => item.kind))).toEqual([['activations', 'labels'], ['activations', 'gradients'], ['activations', 'gradients']]);
      // What a hop receives is what its neighbours send it: the activations of the position before, the gradients at its output from the next.
      const [holder, first, second] = cost.positions;
      const sent = (position: typeof holder, kind: string) => position?.egress.train.find((item) => item.kind === kind)?.bytes ?? 0;
      expect(first?.downPerStep).toBe(sent(holder, 'activations') + sent(second, 'gradients'));
      expect(holder?.downPerStep).toBe(sent(first, 'gradients'));
      expect(first?.downPerRound).toBe(3 * (first?.downPerStep ?? 0));
      // The compute: the relay's accounting of the chain, every position's segment summed.
      const flops = studyLib.studyFlopsPerSample(study);
      expect([cost.clientFlopsPerSample, cost.serverFlopsPerSample]).toEqual([flops.client, flops.server]);
      expect(cost.positions.reduce((sum, position) => sum + position.clientFlopsPerSample, 0)).toBe(flops.client);
    }
  });

  it('costs the baselines: the whole model on each client, large-batch SGD’s gradient bundle each step both ways, nothing per step for federated averaging', () => {
    const [lbsgd] = studyCost(config({ method: 'lbsgd' })).positions;
    expect(lbsgd?.egress).toEqual(workerEgress(config({ method: 'lbsgd' }), 0));
    expect(lbsgd?.upPerStep).toBeGreaterThan(0);
    expect(lbsgd?.downPerStep).toBe(lbsgd?.upPerStep);
    const fedavg = studyCost(config({ method: 'fedavg' }));
    expect([fedavg.positions[0]?.upPerStep, fedavg.positions[0]?.downPerStep, fedavg.serverFlopsPerSample]).toEqual([0, 0, 0]);
    expect(fedavg.positions[0]?.clientParams).toBeGreaterThan(studyCost(config({})).positions[0]?.clientParams ?? Infinity);
  });

  it('costs each party of a vertical, extended and multi-task study as the worker at that party states it', () => {
    const parties = [
      { name: 'Labs', input: { columns: ['a', 'b', 'c'] } },
      { name: 'Radiology', input: { image: [28, 28, 1] } },
    ];
    const studies = [
      config({ topology: 'vertical', parties, labelHolder: 0 }),
      config({ topology: 'vertical', parties, labelHolder: 'server' }),
      config({ topology: 'extended', parties }),
      config({ topology: 'multi-task', parties, tasks: [{ name: 'grade', classes: ['1', '2', '3'] }] }),
    ];
    for (const study of studies) {
      const cost = studyCost(study);
      expect(cost.positions.map((position) => position.name)).toEqual(studyLib.positionNames(study));
      cost.positions.forEach((position, index) => expect(position.egress, `${study.topology} position ${index}`).toEqual(workerEgress(study, index)));
      const flops = studyLib.studyFlopsPerSample(study);
      expect([cost.clientFlopsPerSample, cost.serverFlopsPerSample]).toEqual([flops.client, flops.server]);
    }
    // The label holder alone sends labels; the image party says its images stay.
    const [labs, radiology] = studyCost(studies[0] as FormConfig).positions;
    expect(labs?.egress.train.map((item) => item.kind)).toEqual(['activations', 'labels']);
    expect(radiology?.egress.train.map((item) => item.kind)).toEqual(['activations']);
    expect(radiology?.egress.data).toBe('images');
    expect(studyCost(studies[1] as FormConfig).positions.every((position) => position.egress.train.every((item) => item.kind !== 'labels'))).toBe(true);
    // Extended: the intermediate participant is the third position, receiving the parties' joined outputs.
    expect(studyCost(studies[2] as FormConfig).positions.at(-1)?.egress.data).toBe('none');
  });
});
