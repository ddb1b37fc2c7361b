import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { buildLayersModel } from './build';
import { averageWeights, readWeights, requireWeightLayout, WeightMismatchError, weightLayout, writeWeights, type NamedWeight } from './weights';
import { decodeWeights, encodeWeights } from './weights_frames';

beforeAll(() => useBackend('cpu'));

const layers = [{ type: 'dense' as const, name: 'd', units: 2 }];

describe('segment weights', () => {
  it('FedAvg weights each set by its sample count', () => {
    const a: NamedWeight[] = [{ name: 'w', shape: [2], values: new Float32Array([1, 10]) }];
    const b: NamedWeight[] = [{ name: 'w', shape: [2], values: new Float32Array([4, 20]) }];
    // (1*1 + 4*3)/4 = 3.25 and (10*1 + 20*3)/4 = 17.5
    const mean = averageWeights([a, b], [1, 3]);
    expect(Array.from(mean[0]?.values ?? [])).toEqual([3.25, 17.5]);
  });

  it('refuses to average sets that do not match', () => {
    const a: NamedWeight[] = [{ name: 'w', shape: [1], values: new Float32Array([1]) }];
    const b: NamedWeight[] = [{ name: 'v', shape: [1], values: new Float32Array([1]) }];
    expect(() => averageWeights([a, b], [1, 1])).toThrow(WeightMismatchError);
    expect(() => averageWeights([a], [0])).toThrow(/positive/);
  });

  it('round-trip exactly through the wire bundle and into another model', () => {
    const source = buildLayersModel(layers, [3], { seed: 1, name: 'source' });
    const target = buildLayersModel(layers, [3], { seed: 2, name: 'target' });
    const weights = readWeights(source);
    writeWeights(target, decodeWeights(encodeWeights(weights), { maxFrameBytes: 1 << 20, maxTensors: 8 }));
    const x = tf.ones([1, 3]);
    const [a, b] = [source.predict(x), target.predict(x)] as tf.Tensor[];
    expect(Array.from(b?.dataSync() ?? [])).toEqual(Array.from(a?.dataSync() ?? []));
    tf.dispose([x, a, b]);
  });

  it('refuse weights of another architecture with a message naming the variable', () => {
    const model = buildLayersModel(layers, [3], { seed: 1, name: 'm' });
    const other = buildLayersModel([{ type: 'dense', name: 'd', units: 5 }], [3], { seed: 1, name: 'o' });
    expect(() => writeWeights(model, readWeights(other))).toThrow(/d\/kernel \[3, 2\], got d\/kernel \[3, 5\]/);
    expect(() => writeWeights(model, [])).toThrow(WeightMismatchError);
  });

  it('check weights from a participant against the layout: a matching upload passes, any other is refused before averaging', () => {
    const model = buildLayersModel(layers, [3], { seed: 1, name: 'm' });
    const layout = [weightLayout(model)];
    expect(layout[0]).toEqual([
      { name: 'd/kernel', shape: [3, 2] },
      { name: 'd/bias', shape: [2] },
    ]);
    const good = readWeights(model);
    expect(() => requireWeightLayout([good], layout, 'client A')).not.toThrow();
    const renamed = good.map((weight, i) => (i === 0 ? { ...weight, name: 'evil/kernel' } : weight));
    expect(() => requireWeightLayout([renamed], layout, 'client A')).toThrow(/client A sent evil\/kernel \[3, 2\] as weight 0 of segment 0, which is d\/kernel \[3, 2\]/);
    const short = good.map((weight, i) => (i === 1 ? { ...weight, values: new Float32Array(1) } : weight));
    expect(() => requireWeightLayout([short], layout, 'client A')).toThrow(/1 values for d\/bias, which holds 2/);
    const poisoned = good.map((weight, i) => (i === 0 ? { ...weight, values: Float32Array.from(weight.values, (v, k) => (k === 3 ? Number.NaN : v)) } : weight));
    expect(() => requireWeightLayout([poisoned], layout, 'client A')).toThrow(/non-finite values in d\/kernel/);
    expect(() => requireWeightLayout([good, good], layout, 'client A')).toThrow(/2 segment weight sets; this study's client holds 1/);
    expect(() => requireWeightLayout([good.slice(1)], layout, 'client A')).toThrow(WeightMismatchError);
    model.dispose();
  });
});
