import { describe, expect, it } from 'vitest';
import { getModelSpec } from '../model/catalogue';
import { methodCosts, splitBeatsFedAvgFrom } from './method_costs';

// The methods' costs per client from the model and the setting (PAPER.md Tables 1-2), at the
// paper's scale: a VGG on CIFAR-10 shapes, 50,000 samples over 100 and 500 clients. (The
// simulator's test holds these figures against a real run's counters.)

const vgg = getModelSpec('vgg-mini', { numClasses: 10, inputShape: [32, 32, 3] });
const setting = { spec: vgg, samples: 50_000, epochs: 1, batchSize: 64 };

describe('methodCosts', () => {
  it('splits the compute by the share of the model a client runs; more clients, less each', () => {
    const hundred = methodCosts({ ...setting, clients: 100 });
    const fiveHundred = methodCosts({ ...setting, clients: 500 });
    expect(hundred.fedavg.clientFlops).toBe(hundred.lbsgd.clientFlops);
    // Split learning's client runs only the layers up to the cut: a fraction of the whole model.
    const share = hundred.splitnn.clientFlops / hundred.fedavg.clientFlops;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.5);
    for (const method of ['splitnn', 'fedavg', 'lbsgd'] as const) expect(fiveHundred[method].clientFlops).toBeCloseTo(hundred[method].clientFlops / 5, 0);
  });

  it('counts bytes per method: fedavg the model each way per round, lbsgd per step, splitnn the cut tensors and the hand-off', () => {
    const costs = methodCosts({ ...setting, clients: 100 });
    // 500 samples per client in batches of 64: 8 steps.
    expect(costs.lbsgd.bytesUp).toBe(8 * costs.fedavg.bytesUp);
    expect(costs.fedavg.bytesUp).toBe(costs.fedavg.bytesDown);
    // Two local passes per round halve federated averaging's rounds.
    expect(methodCosts({ ...setting, clients: 100, epochs: 2, localEpochs: 2 }).fedavg.bytesUp).toBe(costs.fedavg.bytesUp);
    // fp16 cut tensors roughly halve split learning's activations.
    const fp16 = methodCosts({ ...setting, clients: 100, codec: 'fp16' });
    expect(fp16.splitnn.bytesDown).toBeLessThan(0.6 * costs.splitnn.bytesDown);
  });

  it('finds the number of clients from which split learning sends less than federated averaging', () => {
    const from = splitBeatsFedAvgFrom(setting);
    expect(from).toBeDefined();
    const total = (clients: number, method: 'splitnn' | 'fedavg'): number => {
      const cost = methodCosts({ ...setting, clients })[method];
      return cost.bytesUp + cost.bytesDown;
    };
    expect(total(from as number, 'splitnn')).toBeLessThan(total(from as number, 'fedavg'));
    expect(total((from as number) - 1, 'splitnn')).toBeGreaterThanOrEqual(total((from as number) - 1, 'fedavg'));
  });
});
