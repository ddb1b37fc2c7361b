import { describe, expect, it } from 'vitest';
import { study } from '@splitlearn/split-core';
import { clientDataKind, egressInputFor } from './study_summary';

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
const info = (config: study.StudyConfig): Parameters<typeof clientDataKind>[0] => ({ id: 's1', config, state: 'open', round: 0 });

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
});
