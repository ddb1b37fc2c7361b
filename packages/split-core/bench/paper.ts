// The paper's comparison (PAPER.md Tables 1-2, Fig. 3), reproduced and measured (not a test:
// about 15 minutes). Writes reports/paper.md and its figures (reports/figures/*.svg, drawn by
// Vega-Lite):
//   - Table 1 analog: training compute per client, VGG-16 at CIFAR-10's shapes, from the
//     accounting module; Table 2 analog: bytes per client, ResNet-50 at CIFAR-100's shapes,
//     and the client count where the methods cross over;
//   - both cross-checked against the counters of real shortened runs of the same models
//     (in process, through the real codec): within 5% or the run fails;
//   - Fig. 3 analog: validation accuracy against cumulative client compute on PneumoniaMNIST
//     with 8 and 32 simulated clients, the three methods, equal compute budgets.
//
//   npm run bench:paper [-- --seeds 1,2] [--clients 8,32] [--budget-epochs 3] [--split-epoch-cap 8] [--skip-fig3]
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { methodCosts, splitBeatsFedAvgFrom, type CostSetting, type MethodName } from '../src/accounting/method_costs';
import { segmentFlops } from '../src/accounting/flops';
import { initBackend } from '../src/backends';
import { FederatedAveraging } from '../src/baselines/federated_averaging';
import { LargeBatchSgd } from '../src/baselines/large_batch_sgd';
import type { Dataset } from '../src/data/dataset';
import { createRng } from '../src/data/random';
import { countSegmentParams } from '../src/model/shapes';
import type { ModelSpec } from '../src/model/spec';
import { parseSimArgs } from '../src/node/sim/args';
import { runSim, type SimResult } from '../src/node/sim/run';
import { RoundRobinSchedule } from '../src/schedule/round_robin';
import { horizontalRolePlans } from '../src/topology/role_plans';
import { planSplit } from '../src/topology/split_plan';
import { vanilla } from '../src/topology/vanilla';
import { Simulation } from '../src/training/simulation';
import { resnet50Cifar, vgg16Cifar } from './paper/large_models';
import { writeChart } from './report/charts';
import { machineFacts, machineSection } from './report/machine';
import { sig, table } from './report/markdown';

const root = path.resolve(import.meta.dirname, '../../..');
const reports = path.join(root, 'reports');
const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(root, '../shared/data');

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2' },
    clients: { type: 'string', default: '8,32' },
    'budget-epochs': { type: 'string', default: '3' },
    'split-epoch-cap': { type: 'string', default: '8' },
    'skip-fig3': { type: 'boolean', default: false },
  },
});
const seeds = values.seeds.split(',').map(Number);
const fig3Clients = values.clients.split(',').map(Number);
const budgetEpochs = Number(values['budget-epochs']);
const splitEpochCap = Number(values['split-epoch-cap']);

const METHOD_TITLES: Record<MethodName, string> = { splitnn: 'SplitNN (vanilla, round-robin)', fedavg: 'federated averaging', lbsgd: 'large-batch synchronous SGD' };
const METHODS: MethodName[] = ['lbsgd', 'fedavg', 'splitnn'];

/** CIFAR's training set: 50,000 samples of 32x32x3, in batches of 64, one pass (FedAvg: one local epoch a round). */
const CIFAR = { samples: 50_000, batchSize: 64, epochs: 1, localEpochs: 1 } as const;
const TABLE1 = { spec: vgg16Cifar(10), cut: 'block1_conv1' };
const TABLE2 = { spec: resnet50Cifar(100), cut: 'stem' };

function setting(model: { spec: ModelSpec; cut: string }, clients: number): CostSetting {
  return { spec: model.spec, cut: model.cut, clients, ...CIFAR };
}

const started = new Date();
const facts = machineFacts();
const sections: string[] = [];
const failures: string[] = [];

// ---- Table 1: compute per client -------------------------------------------------------
{
  const { spec, cut } = TABLE1;
  const rows = METHODS.map((method) => [METHOD_TITLES[method], ...[100, 500].map((clients) => sig(methodCosts(setting(TABLE1, clients))[method].clientFlops / 1e12, 4))]);
  const at100 = methodCosts(setting(TABLE1, 100));
  const ratio = at100.fedavg.clientFlops / at100.splitnn.clientFlops;
  const whole = segmentFlops(spec.layers, spec.inputShape, { needsInputGradient: false });
  const first = segmentFlops(spec.layers.slice(0, 1), spec.inputShape, { needsInputGradient: false });
  const forwardRatio = whole.forward / first.forward;
  const paperEpochs = 29.4e12 / at100.fedavg.clientFlops;
  sections.push(
    [
      '## Table 1 analog: training compute per client (TFLOPs), VGG-16 at CIFAR-10 shapes',
      '',
      table(['method', '100 clients', '500 clients'], rows),
      '',
      `Assumptions: VGG-16 (${sig(countSegmentParams(spec.layers, spec.inputShape) / 1e6, 3)} M parameters, ${sig(whole.forward / 1e9, 3)} GFLOPs per forward pass), 50,000 samples of 32x32x3 shared equally, one epoch, batch 64; split learning cut after \`${cut}\` (the first convolution), federated averaging with one local epoch per round. FLOPs are analytic (forward plus backward, 2 per multiply-add; the input needs no gradient), counted by \`accounting/flops.ts\`.`,
      '',
      `**Client compute reduction, split learning against federated averaging: ${sig(ratio, 3)}x** (the paper: 29.4 / 0.1548 = 190x). The paper's figure is close to the forward ratio of the whole model to its first convolution (ours: ${sig(forwardRatio, 3)}x; the paper does not give its VGG's dense layers or how it counts a backward pass); counting training, ours is larger because the client's first layer needs no gradient with respect to the images, so its backward pass is one weight-gradient product, while the whole model's is two for every layer but the first. The paper's 29.4 TFLOPs per client at 100 clients corresponds to about ${sig(paperEpochs, 2)} of our epochs; the ratio does not depend on the number of epochs.`,
      '',
    ].join('\n'),
  );
}

// ---- Table 2: bytes per client ---------------------------------------------------------
{
  const { spec, cut } = TABLE2;
  const gb = (bytes: number): string => sig(bytes / 1e9, 3);
  const rows = METHODS.map((method) => [METHOD_TITLES[method], ...[100, 500].map((clients) => {
    const cost = methodCosts(setting(TABLE2, clients))[method];
    return gb(cost.bytesUp + cost.bytesDown);
  })]);
  const { clients: _unused, ...fixed } = setting(TABLE2, 1);
  const crossover = splitBeatsFedAvgFrom(fixed);
  let lbsgdCrossover: number | undefined;
  for (let clients = 1; clients <= 5_000; clients++) {
    const costs = methodCosts(setting(TABLE2, clients));
    if (costs.splitnn.bytesUp + costs.splitnn.bytesDown < costs.lbsgd.bytesUp + costs.lbsgd.bytesDown) {
      lbsgdCrossover = clients;
      break;
    }
  }
  const cutShape = planSplit(spec, vanilla, [cut]).client[0]?.outputShape ?? [];
  sections.push(
    [
      '## Table 2 analog: communication per client (GB, sent and received), ResNet-50 at CIFAR-100 shapes',
      '',
      table(['method', '100 clients', '500 clients'], rows),
      '',
      `Assumptions: ResNet-50 (bottleneck blocks [3, 4, 6, 3], ${sig(countSegmentParams(spec.layers, spec.inputShape) / 1e6, 3)} M parameters, no batch normalisation), 50,000 samples of 32x32x3, 100 classes, one epoch, batch 64, fp32 everywhere; split learning cut after \`${cut}\` (cut activations of ${cutShape.join('x')} = ${cutShape.reduce((a, b) => a * b, 1)} floats per sample), round-robin with the client segment handed on through the relay; federated averaging one local epoch per round; large-batch SGD sends a gradient and receives the average (the model's size each) at every step. Bytes are the codec's exact frame and bundle sizes (\`accounting/method_costs.ts\`).`,
      '',
      `**Crossover**: split learning sends each client fewer bytes than federated averaging from **${crossover ?? 'never (below the sample count)'} clients** on, and fewer than large-batch SGD ${lbsgdCrossover === 1 ? 'at every consortium size' : `from ${lbsgdCrossover ?? 'more than 5,000'} clients on`}. Split learning's bytes per client fall as 1/K (each client sends and receives the cut tensors of its own p/K samples); federated averaging's stay at twice the model per round whatever K. The paper's Table 2 has the same shape: split learning costs more than federated averaging at 100 clients and less at 500. Its large-batch SGD grows with K, ours falls: we count a step per local batch of 64, so a client with fewer samples takes fewer steps.`,
      '',
    ].join('\n'),
  );
}

// ---- Cross-check: a real shortened run of each model ----------------------------------
await initBackend('wasm');

function syntheticClients(spec: ModelSpec, clients: number, perClient: number, seed: number): { id: string; data: Dataset }[] {
  const rng = createRng(seed);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: clients }, (_, k) => ({
    id: `hospital-${k + 1}`,
    data: {
      classes: Array.from({ length: spec.numClasses }, (_, c) => `class${c}`),
      sampleShape: [...spec.inputShape],
      samples: Array.from({ length: perClient }, (_, i) => ({ id: `h${k}-${i}`, label: i % spec.numClasses, values: Float32Array.from({ length: size }, () => rng.next()) })),
    },
  }));
}

interface Counted {
  clientFlops: number;
  bytesUp: number;
  bytesDown: number;
}

async function shortenedRun(model: { spec: ModelSpec; cut: string }, method: MethodName, clients: { id: string; data: Dataset }[], batchSize: number): Promise<Counted> {
  const optimizer = { name: 'sgd' as const, learningRate: 0.01 };
  if (method === 'splitnn') {
    const simulation = new Simulation({ plans: horizontalRolePlans(planSplit(model.spec, vanilla, [model.cut])), schedule: new RoundRobinSchedule(), optimizer, batchSize, seed: 1, encoding: 'fp32', clients });
    try {
      return await simulation.runEpoch();
    } finally {
      simulation.dispose();
    }
  }
  const options = { spec: model.spec, clients, optimizer, batchSize, seed: 1 };
  const baseline = method === 'fedavg' ? new FederatedAveraging({ ...options, localEpochs: 1 }) : new LargeBatchSgd(options);
  try {
    return await baseline.runRound();
  } finally {
    baseline.dispose();
  }
}

{
  const SHORT = { clients: 2, perClient: 24, batchSize: 16 };
  const rows: (string | number)[][] = [];
  for (const [name, model] of [['VGG-16, CIFAR-10 shapes', TABLE1], ['ResNet-50, CIFAR-100 shapes', TABLE2]] as const) {
    const clients = syntheticClients(model.spec, SHORT.clients, SHORT.perClient, 5);
    const predicted = methodCosts({ spec: model.spec, cut: model.cut, samples: SHORT.clients * SHORT.perClient, clients: SHORT.clients, epochs: 1, batchSize: SHORT.batchSize, localEpochs: 1 });
    for (const method of METHODS) {
      const t0 = performance.now();
      const counted = await shortenedRun(model, method, clients, SHORT.batchSize);
      console.log(`cross-check ${name} ${method}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      for (const quantity of ['clientFlops', 'bytesUp', 'bytesDown'] as const) {
        const expected = predicted[method][quantity];
        const perClient = counted[quantity] / SHORT.clients;
        const deviation = perClient === 0 ? (expected === 0 ? 0 : Infinity) : Math.abs(expected - perClient) / perClient;
        if (!(deviation <= 0.05)) failures.push(`${name}, ${method}, ${quantity}: predicted ${expected}, counted ${perClient}`);
        rows.push([name, METHOD_TITLES[method], quantity, sig(expected, 6), sig(perClient, 6), `${(deviation * 100).toFixed(2)}%`]);
      }
    }
  }
  sections.push(
    [
      '## Cross-check: the accounting against a real shortened run',
      '',
      `Each model trained for one epoch on ${SHORT.clients} clients of ${SHORT.perClient} random CIFAR-shaped samples (batch ${SHORT.batchSize}, a partial last batch), in process through the real codec (tfjs wasm with our kernels): the simulator's counters per client against \`methodCosts\` for the same setting. Every figure must agree within 5%.`,
      '',
      table(['model', 'method', 'quantity', 'accounting', 'counted', 'deviation'], rows),
      '',
      failures.length === 0 ? 'All within 5%.' : `**Outside 5%:** ${failures.join('; ')}`,
      '',
    ].join('\n'),
  );
}

// ---- Fig. 3: accuracy against client compute, measured ----------------------------------
const pneumonia = path.join(dataDir, 'pneumoniamnist');
if (values['skip-fig3']) {
  sections.push('## Fig. 3 analog\n\nSkipped (--skip-fig3).\n');
} else if (!existsSync(pneumonia)) {
  sections.push(`## Fig. 3 analog\n\nSkipped: ${pneumonia} not found (set SPLIT_DATA_DIR to the shared data folder).\n`);
} else {
  interface Point {
    method: string;
    clients: string;
    seed: number;
    epoch: number;
    teraflopsPerClient: number;
    accuracy: number;
    auc: number;
  }
  const points: Point[] = [];
  // The paper's recipe: no augmentation (the simulator's default for image folders since the recipe study).
  const common = ['--data', path.join(pneumonia, 'train'), '--val', path.join(pneumonia, 'val'), '--model', 'cnn-small', '--batch', '64', '--lr', '0.001', '--augment', 'off'];
  const summary: (string | number)[][] = [];
  for (const clients of fig3Clients) {
    // The budget: what federated averaging's clients spend in budgetEpochs rounds; every method gets as much (split learning up to its epoch cap).
    const perEpoch = new Map<MethodName, number>();
    for (const seed of seeds) {
      for (const method of ['fedavg', 'lbsgd', 'splitnn'] as const) {
        let epochs = budgetEpochs;
        if (method === 'splitnn') {
          const probe = perEpoch.get('splitnn');
          const budget = (perEpoch.get('fedavg') ?? 0) * budgetEpochs;
          epochs = probe ? Math.min(splitEpochCap, Math.floor(budget / probe)) : splitEpochCap;
        }
        const args = parseSimArgs([...common, '--method', method, '--clients', String(clients), '--epochs', String(epochs), '--seed', String(seed)]);
        if (!args) throw new Error('bad simulator arguments');
        const t0 = performance.now();
        const result: SimResult = await runSim(args);
        const flopsPerClient = result.clientFlops / clients;
        perEpoch.set(method, flopsPerClient);
        console.log(`fig3 ${clients} clients ${method} seed ${seed}: ${epochs} epochs, val accuracy ${result.val.accuracy.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        result.history.forEach((epoch, i) => points.push({ method: METHOD_TITLES[method], clients: `${clients} clients`, seed, epoch: i + 1, teraflopsPerClient: ((i + 1) * flopsPerClient) / 1e12, accuracy: epoch.val.accuracy, auc: epoch.val.auc }));
      }
    }
    const budget = (perEpoch.get('fedavg') ?? 0) * budgetEpochs;
    for (const method of ['fedavg', 'lbsgd', 'splitnn'] as const) {
      const mine = points.filter((point) => point.clients === `${clients} clients` && point.method === METHOD_TITLES[method] && point.teraflopsPerClient <= budget / 1e12 + 1e-12);
      const last = seeds.map((seed) => mine.filter((point) => point.seed === seed).at(-1));
      const mean = (pick: (point: Point) => number): number => last.reduce((sum, point) => sum + (point ? pick(point) : Number.NaN), 0) / last.length;
      summary.push([clients, METHOD_TITLES[method], last[0]?.epoch ?? 0, sig((last[0]?.teraflopsPerClient ?? 0) * 1000, 3), mean((point) => point.accuracy).toFixed(3), mean((point) => point.auc).toFixed(3)]);
    }
  }
  await writeChart(path.join(reports, 'figures', 'paper_fig3.svg'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Validation accuracy against cumulative client compute (PneumoniaMNIST, cnn-small)',
    data: { values: points as unknown as Record<string, unknown>[] },
    facet: { column: { field: 'clients', type: 'nominal', title: null, sort: fig3Clients.map((clients) => `${clients} clients`) } },
    spec: {
      width: 320,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'teraflopsPerClient', type: 'quantitative', title: 'client compute so far (TFLOPs per client)', scale: { type: 'log' } },
        y: { field: 'accuracy', type: 'quantitative', title: 'validation accuracy', scale: { zero: false } },
        color: { field: 'method', type: 'nominal', title: null, legend: { labelLimit: 400, orient: 'bottom' } },
        detail: { field: 'seed', type: 'nominal' },
      },
    },
  });
  sections.push(
    [
      '## Fig. 3 analog: validation accuracy against client compute (measured)',
      '',
      '![Validation accuracy against cumulative client compute](figures/paper_fig3.svg)',
      '',
      `PneumoniaMNIST (4,708 training and 524 validation images, 28x28), cnn-small, Adam 0.001, batch 64, IID shards, seeds ${seeds.join(', ')}, each point one epoch (one round). Equal budgets: every method may spend what federated averaging's clients spend in ${budgetEpochs} rounds of one local epoch; large-batch SGD spends the same per epoch, so it runs ${budgetEpochs} epochs too; split learning (cut after pool1, round-robin with hand-off) spends a fraction of it per epoch and runs until the budget or ${splitEpochCap} epochs, whichever comes first. The table gives each method's last epoch within the budget, mean over the seeds.`,
      '',
      table(['clients', 'method', 'epochs', 'GFLOPs per client', 'val accuracy', 'val AUC'], summary),
      '',
    ].join('\n'),
  );
}

const report = [
  '# The paper\u2019s comparison, reproduced',
  '',
  'Written by `npm run bench:paper` (packages/split-core/bench/paper.ts); every figure below is computed or measured by that run.',
  '',
  ...sections,
  machineSection(facts, started, [`Seeds ${seeds.join(', ')}; the cross-check's synthetic data seed 5`]),
].join('\n');
await mkdir(reports, { recursive: true });
await writeFile(path.join(reports, 'paper.md'), report);
console.log(`wrote ${path.join(reports, 'paper.md')}`);
if (failures.length > 0) {
  console.error(`accounting and counters disagree by more than 5%: ${failures.join('; ')}`);
  process.exitCode = 1;
}
