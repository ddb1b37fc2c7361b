import { describe, expect, it } from 'vitest';
import { generateDemoDataset } from './demo';
import { DEMO_DATA_SEED, demoShardIndices, generateDemoShard } from './demo_shard';
import { createRng, deriveSeed } from './random';
import { shardIid } from './shard';

describe('generateDemoShard', () => {
  it('equals the shard shardIid deals from the whole generated set (the headless client shards the same way)', () => {
    const whole = generateDemoDataset({ seed: DEMO_DATA_SEED, trainSize: 120, valSize: 0 }).train;
    const shards = shardIid(whole.samples, 4, createRng(deriveSeed(DEMO_DATA_SEED, 'client-shards')));
    for (let hospital = 0; hospital < 4; hospital++) {
      const shard = generateDemoShard({ hospital, hospitals: 4, poolSize: 120 });
      expect(shard.samples).toEqual(shards[hospital]);
      expect(shard.classes).toEqual(whole.classes);
      expect(shard.sampleShape).toEqual([28, 28, 1]);
    }
  });

  it('deals every image to exactly one hospital, in near-equal shares', () => {
    for (const hospitals of [2, 3, 16]) {
      const shards = Array.from({ length: hospitals }, (_, hospital) => demoShardIndices(hospital, hospitals));
      const all = shards.flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 2000 }, (_, index) => index));
      const sizes = shards.map((shard) => shard.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a hospital outside the range', () => {
    expect(() => demoShardIndices(4, 4)).toThrow(/\[0, 4\)/);
    expect(() => demoShardIndices(-1, 4)).toThrow();
  });
});
