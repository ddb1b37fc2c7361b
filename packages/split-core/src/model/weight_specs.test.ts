import { describe, expect, it } from 'vitest';
import { initBackend } from '../backends';
import { buildLayersModel } from './build';
import { CATALOGUE_MODEL_NAMES, getModelSpec } from './catalogue';
import { planSegments } from './cuts';
import { weightLayout } from './weights';
import { weightSpecs } from './weight_specs';

describe('weightSpecs', () => {
  it('names and shapes every variable as the built model does, in its order, for each segment of every catalogue model', async () => {
    await initBackend('cpu');
    for (const name of CATALOGUE_MODEL_NAMES) {
      const spec = getModelSpec(name, { numClasses: 3 });
      const plans = [...planSegments(spec, [spec.defaultCuts.vanilla]), ...planSegments(spec, spec.defaultCuts.uShaped)];
      for (const plan of [{ layers: spec.layers, inputShape: spec.inputShape, index: -1 }, ...plans]) {
        const built = buildLayersModel([...plan.layers], [...plan.inputShape], { seed: 1, name: `${name}_${plan.index + 1}` });
        try {
          expect(weightSpecs(plan.layers, plan.inputShape), `${name} segment ${plan.index}`).toEqual(weightLayout(built));
        } finally {
          built.dispose();
        }
      }
    }
  });
});
