import { describe, expect, it } from 'vitest';
import { protocol } from '@splitlearn/split-core/pure';
import { studyInfo } from '../feed/test_support';
import { describeTopology, type TopologyDescription } from './describe_topology';

type Config = protocol.HorizontalStudyConfig;
const base = (): Config => protocol.horizontalStudy(studyInfo().config);

function described(overrides: Partial<Config> = {}): TopologyDescription {
  const result = describeTopology({ ...base(), ...overrides });
  if (!result.ok) throw new Error(result.problem);
  return result.description;
}

describe('describeTopology', () => {
  it('vanilla: the hospital runs the layers up to the cut, labels go up with the activations', () => {
    const topology = described();
    expect(topology.hospital.segments.map((segment) => segment.layers)).toEqual([['conv1 (conv 3×3, 32 filters)', 'pool1 (max pool 2×2)']]);
    expect(topology.relay.segments[0]?.layers[0]).toBe('conv2 (conv 3×3, 64 filters)');
    expect(topology.perStep.map((crossing) => [crossing.direction, crossing.what, crossing.shape])).toEqual([
      ['up', 'Activations at cut “pool1”', [32, 14, 14, 32]],
      ['up', 'Labels of the batch', [32]],
      ['down', 'Gradients at cut “pool1”', [32, 14, 14, 32]],
    ]);
    expect(topology.relay.holds.join(' ')).toMatch(/receives the labels/);
    expect(topology.neverLeaves).not.toContain('Labels');
  });

  it('sizes tensors with the codec (fp16 halves the activations) and labels raw', () => {
    const fp32 = described();
    const fp16 = described({ codec: 'fp16' });
    const activations32 = fp32.perStep[0]?.bytes ?? 0;
    const activations16 = fp16.perStep[0]?.bytes ?? 0;
    expect(activations32).toBeGreaterThan(32 * 14 * 14 * 32 * 4);
    expect(activations16).toBeLessThan(activations32 / 2 + 200);
    expect(fp16.perStep[1]).toMatchObject({ encoding: 'int32', bytes: fp32.perStep[1]?.bytes });
  });

  it('U-shaped: the hospital holds the head and the labels, which never leave', () => {
    const topology = described({ topology: 'u-shaped' });
    expect(topology.hospital.segments.map((segment) => segment.role)).toEqual(['client-bottom', 'client-head']);
    expect(topology.hospital.segments[1]?.layers).toEqual(['logits (dense, 2 units)']);
    expect(topology.relay.segments[0]?.layers).toEqual(['conv2 (conv 3×3, 64 filters)', 'pool2 (max pool 2×2)', 'flatten (flatten)', 'dense1 (dense, 128 units)']);
    expect(topology.perStep.map((crossing) => `${crossing.direction} ${crossing.what}`)).toEqual([
      'up Activations at cut 1 “pool1”',
      'down Activations at cut 2 “dense1”',
      'up Gradients at cut 2 “dense1”',
      'down Gradients at cut 1 “pool1”',
    ]);
    expect(topology.perStep.some((crossing) => crossing.what.includes('Labels'))).toBe(false);
    expect(topology.neverLeaves).toEqual(expect.arrayContaining(['Labels', 'Predictions']));
  });

  it('follows configured cuts', () => {
    const topology = described({ cuts: ['conv2'] });
    expect(topology.hospital.segments[0]?.layers).toHaveLength(3);
    expect(topology.perStep[0]?.shape).toEqual([32, 14, 14, 64]);
  });

  it('describes weight traffic by schedule', () => {
    expect(described({ schedule: 'round-robin' }).perRound.map((crossing) => crossing.direction)).toEqual(['down', 'up']);
    expect(described({ schedule: 'splitfed-v2' }).perRound.map((crossing) => crossing.what)).toEqual(['Its client-segment weights, at the end of the round', 'The averaged client segments (FedAvg)']);
    expect(described({ schedule: 'splitfed-v1' }).schedulePlain).toMatch(/own copy of the server segment/);
    // conv1 has 3*3*1*32 + 32 parameters, sent as fp32.
    expect(described().perRound[0]?.bytes).toBe((3 * 3 * 32 + 32) * 4);
  });

  it('puts most of the compute on the relay for the catalogue models', () => {
    const share = described().clientFlopsShare;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.5);
  });

  it('explains a configuration it cannot split', () => {
    const result = describeTopology({ ...base(), cuts: ['no-such-layer'] });
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problem).toMatch(/no layer named 'no-such-layer'/);
    expect(describeTopology({ ...base(), model: 'gpt-9' })).toMatchObject({ ok: false });
  });
});
