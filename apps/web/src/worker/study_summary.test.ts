import { describe, expect, it } from 'vitest';
import { study } from '@splitlearn/split-core';
import { clientDataKind, egressInputFor } from '../lib/egress/egress_input';
import { describeEgress } from '../lib/egress/what_leaves';
import { toStudySummary } from './study_summary';

const vertical = study.StudyConfigSchema.parse({
  name: 'scans and labs',
  topology: 'vertical',
  classes: ['no', 'yes'],
  schedule: 'round-robin',
  parties: [
    { name: 'Imaging', input: { image: [8, 8, 1] } },
    { name: 'Labs', input: { columns: ['crp'] } },
  ],
});
const horizontal = study.StudyConfigSchema.parse({ name: 'x-rays', topology: 'vanilla', classes: ['no', 'yes'], schedule: 'round-robin', model: 'cnn-small', inputShape: [28, 28, 1] });
const info = (config: study.StudyConfig): Parameters<typeof toStudySummary>[0] => ({ id: 's1', config, state: 'open', round: 0 });

describe('what a client trains on, for "what leaves this device"', () => {
  it('a vertical party’s images or table, as its input says; a horizontal client’s images', () => {
    expect(clientDataKind(info(vertical), 0)).toBe('images');
    expect(clientDataKind(info(vertical), 1)).toBe('table');
    expect(clientDataKind(info(horizontal), undefined)).toBe('images');
    const role = { client: [], server: [], holdsLabels: false };
    expect(egressInputFor(info(vertical), role, [], { party: 0, alignmentRows: 12 })).toMatchObject({ data: 'images', alignmentRows: 12, holdsLabels: false });
    expect(egressInputFor(info(vertical), role, [], { party: 1 })).toMatchObject({ data: 'table' });
    expect(egressInputFor(info(vertical), role, [], { party: 1 }).alignmentRows).toBeUndefined();
  });

  it('a multi-hop chain: every place named, a hop told it holds no data and what it passes on and hands back', () => {
    const chain = study.StudyConfigSchema.parse({ name: 'chain', topology: 'multi-hop', classes: ['no', 'yes'], schedule: 'round-robin', model: 'cnn-small', inputShape: [28, 28, 1], batchSize: 16 });
    expect(toStudySummary(info(chain)).positions).toEqual([
      { name: 'Data holder', intermediate: false },
      { name: 'Hop 1 of 2', intermediate: true },
      { name: 'Hop 2 of 2', intermediate: true },
    ]);
    const hop = study.studyRolePlans(chain, () => 1);
    const [segment] = hop.client('');
    const egress = describeEgress(egressInputFor(info(chain), { client: hop.client(''), server: hop.server, holdsLabels: hop.holdsLabels('') }, [], undefined, 1));
    expect(egress).toMatchObject({ role: 'Hop 1 of 2', data: 'none' });
    // It passes pool2's output on and hands the gradient at pool1's output back; in validation only the former; never labels.
    expect(egress.train.map((item) => [item.kind, item.shape])).toEqual([
      ['activations', [16, ...(segment?.outputShape ?? [])]],
      ['gradients', [16, ...(segment?.inputShape ?? [])]],
    ]);
    expect(egress.eval.map((item) => item.kind)).toEqual(['activations']);
    const holder = study.studyRolePlans(chain, () => 0);
    const holderEgress = describeEgress(egressInputFor(info(chain), { client: holder.client(''), server: holder.server, holdsLabels: true }, [], undefined, 0));
    expect(holderEgress).toMatchObject({ role: 'Data holder', data: 'images' });
    expect(holderEgress.train.map((item) => item.kind)).toEqual(['activations', 'labels']);
    expect(toStudySummary(info(horizontal)).positions).toBeUndefined();
  });
});
