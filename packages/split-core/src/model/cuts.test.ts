import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { buildLayersModel } from './build';
import { CATALOGUE_MODEL_NAMES, getModelSpec } from './catalogue';
import { planSegments, resolveCut } from './cuts';
import { ModelSpecError } from './errors';
import { readWeights } from './weights';

beforeAll(() => useBackend('cpu'));

function specOf(name: string) {
  return getModelSpec(name, { numClasses: 3 });
}

describe('cut points', () => {
  it('resolve by name and by index to the same layer', () => {
    const spec = specOf('cnn-small');
    expect(resolveCut(spec, 'pool1')).toBe(1);
    expect(resolveCut(spec, 1)).toBe(1);
  });

  it.each([
    ['an index past the end', 99, /out of range/],
    ['a negative index', -1, /out of range/],
    ['the last layer', 'logits', /server side would hold no layer/],
    ['an unknown name', 'conv9', /no layer named 'conv9'/],
  ])('refuse %s with a clear message', (_, cut, message) => {
    const spec = specOf('cnn-small');
    expect(() => resolveCut(spec, cut)).toThrow(ModelSpecError);
    expect(() => resolveCut(spec, cut)).toThrow(message);
  });

  it('refuse a cut inside a residual block, naming the block', () => {
    const spec = specOf('resnet-mini');
    for (const cut of ['conv_a', 'res2/conv_b']) {
      expect(() => planSegments(spec, [cut])).toThrow(/inside residual block 'res(1|2)'/);
    }
    expect(() => planSegments(spec, ['res1'])).not.toThrow();
  });

  it('refuse cuts out of order', () => {
    expect(() => planSegments(specOf('cnn-small'), ['dense1', 'pool1'])).toThrow(/increasing order/);
  });
});

describe('segments', () => {
  it.each(CATALOGUE_MODEL_NAMES)('%s: each segment consumes what the previous one produces, and built models match the plan', (name) => {
    const spec = specOf(name);
    const plans = planSegments(spec, spec.defaultCuts.uShaped);
    expect(plans).toHaveLength(3);
    expect(plans.flatMap((plan) => plan.layers.map((layer) => layer.name))).toEqual(spec.layers.map((layer) => layer.name));
    for (const [i, plan] of plans.entries()) {
      if (i > 0) expect(plan.inputShape).toEqual(plans[i - 1]?.outputShape);
      const model = buildLayersModel(plan.layers, plan.inputShape, { seed: 1, name: `segment${i}` });
      expect(model.outputs[0]?.shape.slice(1)).toEqual(plan.outputShape);
      model.dispose();
    }
    expect(plans[2]?.outputShape).toEqual([3]);
  });

  it('segments built from the same seed hold exactly the weights of the unsplit model', () => {
    const spec = specOf('resnet-mini');
    const [whole] = planSegments(spec, []);
    const full = buildLayersModel(whole?.layers ?? [], spec.inputShape, { seed: 42, name: 'full' });
    const parts = planSegments(spec, ['res1']).map((plan, i) => buildLayersModel(plan.layers, plan.inputShape, { seed: 42, name: `part${i}` }));
    const fullWeights = readWeights(full);
    const partWeights = parts.flatMap((model) => readWeights(model));
    expect(partWeights.map((w) => w.name).sort()).toEqual(fullWeights.map((w) => w.name).sort());
    for (const weight of partWeights) {
      expect(Array.from(weight.values)).toEqual(Array.from(fullWeights.find((w) => w.name === weight.name)?.values ?? []));
    }
    // A different seed gives different weights: the equality above is not vacuous.
    const other = buildLayersModel(whole?.layers ?? [], spec.inputShape, { seed: 43, name: 'other' });
    expect(Array.from(readWeights(other)[0]?.values ?? [])).not.toEqual(Array.from(fullWeights[0]?.values ?? []));
    for (const model of [full, other, ...parts]) model.dispose();
  });
});
