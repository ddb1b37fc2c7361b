// Trains cnn-small and a softmax regression on the demo dataset with the project's own
// training code (tfjs wasm + the library's training kernels): the acceptance check for
// the generator that bench/demo_tune.py tunes in PyTorch.
//
//   npx tsx packages/split-core/bench/demo_check.ts [--seeds 1,2026] [--inits 2] [--linear-epochs 10]
//
// Expected: cnn-small (Adam 1e-3, batch 32, 3 epochs) within [0.75, 0.97] validation
// accuracy; the linear model at least 10 points lower, also when trained longer.

import { parseArgs } from 'node:util';
import { initBackend } from '../src/backends/select';
import { generateDemoDataset } from '../src/data/demo';
import { getModelSpec } from '../src/model/catalogue';
import type { ModelSpec } from '../src/model/spec';
import { CentralizedTrainer } from '../src/training/centralized';

const { values: flags } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2026' },
    inits: { type: 'string', default: '2' },
    'linear-epochs': { type: 'string', default: '10' },
  },
});

const linear: ModelSpec = {
  name: 'linear',
  inputShape: [28, 28, 1],
  numClasses: 2,
  layers: [
    { type: 'flatten', name: 'flatten' },
    { type: 'dense', name: 'logits', units: 2 },
  ],
  defaultCuts: { vanilla: 'flatten', uShaped: ['flatten', 'logits'] },
};

const backend = await initBackend('wasm');
console.log(`backend: ${backend.name}`);
for (const seed of flags.seeds.split(',').map(Number)) {
  const { train, val } = generateDemoDataset({ seed });
  for (let init = 0; init < Number(flags.inits); init++) {
    const accuracies = async (spec: ModelSpec, epochs: number, learningRate: number): Promise<number[]> => {
      const trainer = new CentralizedTrainer(spec, { seed: 100 + init, optimizer: { name: 'adam', learningRate } });
      const curve: number[] = [];
      for (let epoch = 0; epoch < epochs; epoch++) {
        await trainer.trainEpoch(train, 32, 100 + init);
        curve.push((await trainer.evaluate(val)).accuracy);
      }
      trainer.dispose();
      return curve;
    };
    const format = (curve: number[]): string => curve.map((a) => a.toFixed(3)).join(' ');
    const cnn = await accuracies(getModelSpec('cnn-small', { numClasses: 2 }), 3, 1e-3);
    const linearEpochs = Number(flags['linear-epochs']);
    const linearSlow = await accuracies(linear, linearEpochs, 1e-3);
    const linearFast = await accuracies(linear, linearEpochs, 1e-2);
    console.log(
      `seed ${seed} init ${init}: cnn-small by epoch ${format(cnn)} | linear best over ${linearEpochs} epochs: ` +
        `lr 1e-3 ${Math.max(...linearSlow).toFixed(3)}, lr 1e-2 ${Math.max(...linearFast).toFixed(3)}`,
    );
  }
}
