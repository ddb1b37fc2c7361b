import { describe, expect, it } from 'vitest';
import { protocol } from '@splitlearn/split-core';
import { applyConfigChange } from './study_reconfiguration';

// A running study's schedule or codec may change, but only into a study the relay would create.

describe('applyConfigChange', () => {
  const vanilla = protocol.StudyConfigSchema.parse({ name: 's', topology: 'vanilla', model: 'mlp', inputShape: [30], classes: ['a', 'b'], schedule: 'round-robin' });
  const chain = protocol.StudyConfigSchema.parse({ name: 'c', topology: 'multi-hop', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['a', 'b'], schedule: 'round-robin' });

  it('applies a change, and says when nothing changes', () => {
    expect(applyConfigChange(vanilla, { schedule: 'splitfed-v2' })?.schedule).toBe('splitfed-v2');
    expect(applyConfigChange(vanilla, { codec: 'fp32' })).toBeUndefined();
  });

  it('refuses to move a multi-hop chain off round-robin: its hops serve one data holder at a time', () => {
    expect(() => applyConfigChange(chain, { schedule: 'splitfed-v1' })).toThrow(/multi-hop study runs round-robin/);
    expect(applyConfigChange(chain, { codec: 'int8' })?.codec).toBe('int8');
  });

  it('refuses a schedule for a baseline study: federated averaging and large-batch SGD run their own rounds', () => {
    const fedavg = protocol.StudyConfigSchema.parse({ ...vanilla, method: 'fedavg' });
    expect(() => applyConfigChange(fedavg, { schedule: 'splitfed-v2' })).toThrow(/federated averaging.*no schedule to change/);
  });
  it('refuses to move a sealed hand-off onto SplitFed: the relay would have to read what it averages', () => {
    const sealed = protocol.StudyConfigSchema.parse({ ...vanilla, handoffKeyCheck: 'A'.repeat(22) });
    expect(() => applyConfigChange(sealed, { schedule: 'splitfed-v1' })).toThrow(/encrypted hand-off needs schedule 'round-robin'/);
    expect(applyConfigChange(sealed, { codec: 'fp16' })?.codec).toBe('fp16');
  });
});
