import type { Dataset, SkippedFile } from '../../data/dataset';
import { generateDemoDataset } from '../../data/demo';
import { DEMO_DATA_SEED } from '../../data/demo_shard';
import { readFile } from 'node:fs/promises';
import type { Sample } from '../../data/dataset';
import { localValidationSplit } from '../../data/local_validation';
import { columnScaling, readTabularCsv, scaledSamples } from '../../data/tabular';
import { createRng, deriveSeed } from '../../data/random';
import { shardDirichlet, shardIid } from '../../data/shard';
import type { ClassificationMetrics } from '../../metrics/classification';
import { getModelSpec } from '../../model/catalogue';
import type { ModelSpec } from '../../model/spec';
import { getSchedule } from '../../schedule/get';
import { getHorizontalTopology } from '../../topology/get';
import { horizontalRolePlans, type RolePlans } from '../../topology/role_plans';
import { StudyConfigSchema, type MultiHopStudyConfig } from '../../study/config';
import { trainingGroups } from '../../study/groups';
import { studyRolePlans } from '../../study/model';
import { chainSegments } from '../../study/positions';
import type { CutPoint } from '../../model/spec';
import type { TrainingGroup } from '../../schedule/federation';
import type { SimulatedClient } from '../../training/in_process_federation';
import { planSplit } from '../../topology/split_plan';
import { CentralizedTrainer } from '../../training/centralized';
import { Simulation } from '../../training/simulation';
import { FederatedAveraging } from '../../baselines/federated_averaging';
import { LargeBatchSgd } from '../../baselines/large_batch_sgd';
import type { BaselineRound } from '../../baselines/whole_model';
import type { OptimizerName } from '../../segment/optimizer_names';
import { readImageFolder } from '../data/image_folder';
import { saveLayersModel } from '../save_model';
import type { SimArgs } from './args';
import { describeAugmentation } from '../../augmentation/augmentation';
import { balancedClassWeights, defaultAugmentation, trainingRecipe, type TrainingRecipe } from '../../study/recipe';

// The generated dataset is the same for every study seed: --seed varies training, not data.
export { DEMO_DATA_SEED };

export interface EpochSummary {
  epoch: number;
  trainLoss: number;
  samplesPerSecond: number;
  seconds: number;
  val: ClassificationMetrics;
  /** A binary task whose labels reach the server: leak AUCs of the norm and direction attacks on the epoch's cut gradients. */
  leak?: { norm: number; direction: number; samples: number };
}

export interface SimResult {
  /** split learning, the centralized reference, or a baseline. */
  mode: 'split' | 'centralized' | 'fedavg' | 'lbsgd';
  model: string;
  topology: string;
  schedule: string;
  cuts: (string | number)[];
  clients: number;
  classes: string[];
  epochs: number;
  /** Of the final epoch. */
  val: ClassificationMetrics;
  test?: ClassificationMetrics;
  clientFlops: number;
  serverFlops: number;
  bytesUp: number;
  bytesDown: number;
  samplesPerSecond: number;
  history: EpochSummary[];
  skipped: SkippedFile[];
  unknownClasses: string[];
}

export interface SimHooks {
  /** Called once per training step: for a progress bar. */
  onStep?: (done: number, total: number, loss: number) => void;
  onEpoch?: (summary: EpochSummary) => void;
  /** Informational messages (data loaded, files skipped). */
  onInfo?: (message: string) => void;
}

interface LoadedData {
  spec: ModelSpec;
  train: Dataset;
  val: Dataset;
  test?: Dataset;
  skipped: SkippedFile[];
  unknownClasses: string[];
}

async function loadData(args: SimArgs, hooks: SimHooks): Promise<LoadedData> {
  const skipped: SkippedFile[] = [];
  const unknownClasses: string[] = [];
  const probeSpec = getModelSpec(args.model, { numClasses: 2 });
  const sampleShape = probeSpec.inputShape as [number, number, number];
  if (args.data?.toLowerCase().endsWith('.csv') && probeSpec.inputShape.length !== 1) throw new Error(`--data ${args.data} is a table: use --model mlp (${args.model} takes images)`);
  const read = async (dir: string, classes?: string[]): Promise<Dataset> => {
    const result = await readImageFolder(dir, { sampleShape, ...(classes ? { classes } : {}), ...(args.labels ? { labels: args.labels } : {}) });
    skipped.push(...result.skipped);
    unknownClasses.push(...result.unknownClasses);
    hooks.onInfo?.(`${dir}: ${result.dataset.samples.length} images in ${result.dataset.classes.length} classes, ${result.skipped.length} skipped${result.notes.length > 0 ? `; ${result.notes.length} multi-frame DICOM files, their first frame used (e.g. ${result.notes[0]?.path})` : ''}`);
    return result.dataset;
  };
  let train: Dataset;
  let val: Dataset;
  if (args.data?.toLowerCase().endsWith('.csv')) {
    ({ train, val } = await readTable(args, hooks));
  } else if (args.data === 'demo') {
    if (sampleShape.length !== 3) throw new Error(`--data demo holds images; model ${args.model} takes tabular input`);
    const demo = generateDemoDataset({ seed: DEMO_DATA_SEED, size: sampleShape[0], channels: sampleShape[2] === 3 ? 3 : 1 });
    train = demo.train;
    val = args.val ? await read(args.val, train.classes) : demo.val;
  } else {
    train = await read(args.data ?? '');
    val = await read(args.val ?? '', train.classes);
  }
  const test = args.test ? await read(args.test, train.classes) : undefined;
  const spec = getModelSpec(args.model, { numClasses: train.classes.length, inputShape: train.sampleShape });
  return { spec, train, val, ...(test ? { test } : {}), skipped, unknownClasses: [...new Set(unknownClasses)] };
}

/**
 * A table of patients (`--data FILE.csv`) for a model over rows (mlp): every numeric column
 * but the id and the label is a feature; a seeded, stratified share is kept for validation,
 * and the features are z-scored by the training rows.
 */
async function readTable(args: SimArgs, hooks: SimHooks): Promise<{ train: Dataset; val: Dataset }> {
  const file = args.data ?? '';
  const table = readTabularCsv(await readFile(file, 'utf8'), { idColumn: args.idColumn, labelColumn: args.labelColumn, ...(args.classes ? { classes: args.classes } : {}) });
  const classes = table.classes ?? [];
  const samples: Sample[] = table.rows.map((row) => ({ id: row.id, label: row.label ?? 0, values: row.values }));
  const split = localValidationSplit(samples, { seed: DEMO_DATA_SEED, validationFraction: args.valFraction });
  const scaling = columnScaling(split.train);
  hooks.onInfo?.(`${file}: ${samples.length} rows of ${table.columns.length} features in ${classes.length} classes (${split.train.length} training, ${split.val.length} validation), ${table.skipped.length} rows skipped`);
  const dataset = (rows: Sample[]): Dataset => ({ classes, sampleShape: [table.columns.length], samples: scaledSamples(rows, scaling) });
  return { train: dataset(split.train), val: dataset(split.val) };
}

/** Runs a study as the CLI describes it: split (or centralized) training, then scoring. */
export async function runSim(args: SimArgs, hooks: SimHooks = {}): Promise<SimResult> {
  const data = await loadData(args, hooks);
  const { spec, train, val } = data;
  const recipe = simRecipe(args, train);
  if (recipe.augmentation) hooks.onInfo?.(`augmenting training images${args.augment === undefined ? ' (the default; --augment off for none)' : ''}: ${describeAugmentation(recipe.augmentation)}`);
  const history: EpochSummary[] = [];
  const stepsPerEpoch = (Math.ceil(train.samples.length / args.batch) + args.clients) * (args.method === 'fedavg' ? args.localEpochs : 1);
  let stepsDone = 0;
  const report = (epoch: { trainLoss: number; samplesPerSecond: number; seconds: number; leak?: EpochSummary['leak'] }, score: ClassificationMetrics): void => {
    const summary: EpochSummary = { epoch: history.length + 1, trainLoss: epoch.trainLoss, samplesPerSecond: epoch.samplesPerSecond, seconds: epoch.seconds, val: score, ...(epoch.leak ? { leak: epoch.leak } : {}) };
    history.push(summary);
    hooks.onEpoch?.(summary);
  };

  if (args.centralized) {
    const trainer = new CentralizedTrainer(spec, { seed: args.seed, ...recipe });
    let last = { flops: 0, samplesPerSecond: 0 };
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      const result = await trainer.trainEpoch(train, args.batch, args.seed);
      last = { flops: result.flops, samplesPerSecond: result.samples / result.seconds };
      stepsDone += stepsPerEpoch;
      hooks.onStep?.(stepsDone, stepsPerEpoch * args.epochs, result.trainLoss);
      report({ trainLoss: result.trainLoss, samplesPerSecond: last.samplesPerSecond, seconds: result.seconds }, await trainer.evaluate(val));
    }
    const test = data.test ? await trainer.evaluate(data.test) : undefined;
    if (args.save) await saveLayersModel(trainer.segment.model, `${args.save}/centralized`);
    trainer.dispose();
    return finish(args, data, history, { mode: 'centralized', cuts: [], clientFlops: last.flops, serverFlops: 0, bytesUp: 0, bytesDown: 0, samplesPerSecond: last.samplesPerSecond, test });
  }

  const rng = createRng(deriveSeed(args.seed, 'shards'));
  const shards = args.nonIid === undefined ? shardIid(train.samples, args.clients, rng) : shardDirichlet(train.samples, args.clients, args.nonIid, rng);
  const clients = shards.map((samples, k) => ({ id: `hospital-${k + 1}`, data: { ...train, samples } }));
  for (const client of clients) {
    if (client.data.samples.length === 0) throw new Error(`${client.id} received no training samples: use fewer --clients or a larger --non-iid alpha`);
  }
  const onLoss = (loss: number): void => {
    stepsDone += 1;
    hooks.onStep?.(stepsDone, stepsPerEpoch * args.epochs, loss);
  };
  if (args.method !== 'splitnn') return runBaseline(args, args.method, data, clients, recipe, onLoss, report, history);
  const study = studyPlans(args, spec, clients);
  const simulation = new Simulation({
    plans: study.plans,
    schedule: getSchedule(args.schedule),
    ...recipe,
    batchSize: args.batch,
    seed: args.seed,
    encoding: args.codec,
    ...(args.noPeek ? { noPeek: args.noPeek } : {}),
    ...(args.activationNoise ? { activationNoise: args.activationNoise } : {}),
    ...(args.gradientNoise ? { gradientNoise: args.gradientNoise } : {}),
    clients: [...clients, ...study.hops],
    ...(study.groups ? { groups: study.groups } : {}),
    onStep: (step) => {
      stepsDone += 1;
      hooks.onStep?.(stepsDone, stepsPerEpoch * args.epochs, step.loss);
    },
  });
  try {
    let last: Awaited<ReturnType<Simulation['runEpoch']>> | undefined;
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      last = await simulation.runEpoch();
      report(last, await simulation.evaluate(val));
    }
    const test = data.test ? await simulation.evaluate(data.test) : undefined;
    if (args.save) {
      const { client, server } = simulation.roles;
      for (const segment of client.segments) await saveLayersModel(segment.model, `${args.save}/client-segment${segment.plan.index}`);
      for (const segment of server.segments) await saveLayersModel(segment.model, `${args.save}/server-segment${segment.plan.index}`);
    }
    return finish(args, data, history, {
      mode: 'split',
      cuts: study.cuts,
      clientFlops: last?.clientFlops ?? 0,
      serverFlops: last?.serverFlops ?? 0,
      bytesUp: last?.bytesUp ?? 0,
      bytesDown: last?.bytesDown ?? 0,
      samplesPerSecond: last?.samplesPerSecond ?? 0,
      test,
    });
  } finally {
    simulation.dispose();
  }
}

/** A baseline (federated averaging, large-batch SGD) on the same shards, batches, epochs and scoring as split learning. */
async function runBaseline(
  args: SimArgs,
  method: 'fedavg' | 'lbsgd',
  data: LoadedData,
  clients: SimulatedClient[],
  recipe: TrainingRecipe,
  onLoss: (loss: number) => void,
  report: (epoch: { trainLoss: number; samplesPerSecond: number; seconds: number }, score: ClassificationMetrics) => void,
  history: EpochSummary[],
): Promise<SimResult> {
  const options = {
    spec: data.spec,
    clients,
    ...recipe,
    batchSize: args.batch,
    seed: args.seed,
    onStep: (step: { loss: number }) => onLoss(step.loss),
  };
  const baseline = method === 'fedavg' ? new FederatedAveraging({ ...options, localEpochs: args.localEpochs }) : new LargeBatchSgd(options);
  try {
    let last: BaselineRound | undefined;
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      last = await baseline.runRound();
      report(last, await baseline.evaluate(data.val));
    }
    const test = data.test ? await baseline.evaluate(data.test) : undefined;
    if (args.save) await saveLayersModel(baseline.global.segment.model, `${args.save}/${method}`);
    return finish(args, data, history, {
      mode: method,
      cuts: [],
      clientFlops: last?.clientFlops ?? 0,
      serverFlops: last?.serverFlops ?? 0,
      bytesUp: last?.bytesUp ?? 0,
      bytesDown: last?.bytesDown ?? 0,
      samplesPerSecond: last?.samplesPerSecond ?? 0,
      test,
    });
  } finally {
    baseline.dispose();
  }
}

/** The flags' training recipe, by the studies' rule; balanced class weights from the training labels. */
function simRecipe(args: SimArgs, train: Dataset): TrainingRecipe {
  const counts = train.classes.map((_, label) => train.samples.filter((sample) => sample.label === label).length);
  if (Array.isArray(args.classWeights) && args.classWeights.length !== train.classes.length) {
    throw new Error(`--class-weights gives ${args.classWeights.length} weights for ${train.classes.length} classes (${train.classes.join(', ')})`);
  }
  return trainingRecipe({
    optimizer: args.optimizer as OptimizerName,
    learningRate: args.lr,
    rounds: args.epochs,
    learningRateSchedule: args.lrSchedule,
    weightDecay: args.weightDecay,
    labelSmoothing: args.labelSmoothing,
    classWeights: args.classWeights === 'balanced' ? balancedClassWeights(counts) : args.classWeights,
    // Not given: what a new study with this input would get.
    // Not given: what a new study with this input gets, except on the generated demo data, whose
    // classes differ only in a lesion's shape, which resampling blurs (as the relay's demo studies).
    augmentation: args.augment === false ? undefined : (args.augment ?? (args.data === 'demo' ? undefined : defaultAugmentation(train.sampleShape))),
  });
}

/**
 * The roles of a horizontal study or a multi-hop chain, as the relay would plan them from the
 * same study. In multi-hop the same hop participants serve every hospital: each hospital's
 * group is the hospital, then the hops.
 */
function studyPlans(args: SimArgs, spec: ModelSpec, clients: SimulatedClient[]): { plans: RolePlans; cuts: CutPoint[]; hops: SimulatedClient[]; groups?: TrainingGroup[] } {
  if (args.topology !== 'multi-hop') {
    const split = planSplit(spec, getHorizontalTopology(args.topology), args.cut);
    return { plans: horizontalRolePlans(split), cuts: split.cuts, hops: [] };
  }
  const cuts = args.cut ?? spec.defaultCuts.multiHop;
  if (!cuts) throw new Error(`model ${spec.name} has no default multi-hop cuts: name one cut per participant before the server with --cut`);
  if (cuts.length < 2) throw new Error(`a multi-hop chain needs at least two participants before the server: --cut ${cuts.join(',')} gives ${cuts.length}`);
  const config = StudyConfigSchema.parse({ name: 'simulator', topology: 'multi-hop', model: spec.name, inputShape: spec.inputShape, classes: clients[0]?.data.classes ?? [], schedule: 'round-robin', cuts, batchSize: args.batch, seed: args.seed });
  const segments = chainSegments(config as MultiHopStudyConfig);
  const hops = segments.slice(1, -1).map((segment, k): SimulatedClient => ({ id: `hop-${k + 1}`, data: { classes: clients[0]?.data.classes ?? [], sampleShape: segment.inputShape, samples: [] } }));
  const members = [...clients.map((client) => ({ id: client.id, party: 0, trainCount: client.data.samples.length, valCount: 0 })), ...hops.map((hop, k) => ({ id: hop.id, party: k + 1, trainCount: 0, valCount: 0 }))];
  const position = new Map(members.map((member) => [member.id, member.party]));
  return { plans: studyRolePlans(config, (clientId) => position.get(clientId) ?? -1), cuts, hops, groups: trainingGroups(config, members, 'train') };
}

function finish(
  args: SimArgs,
  data: LoadedData,
  history: EpochSummary[],
  outcome: Pick<SimResult, 'mode' | 'cuts' | 'clientFlops' | 'serverFlops' | 'bytesUp' | 'bytesDown' | 'samplesPerSecond'> & { test: ClassificationMetrics | undefined },
): SimResult {
  const final = history[history.length - 1];
  if (!final) throw new Error('no epoch was run: --epochs must be at least 1');
  const { test, ...rest } = outcome;
  return {
    ...rest,
    model: args.model,
    topology: args.centralized ? 'centralized' : args.method !== 'splitnn' ? args.method : args.topology,
    schedule: args.centralized ? 'none' : args.schedule,
    clients: args.centralized ? 1 : args.clients,
    classes: data.train.classes,
    epochs: history.length,
    val: final.val,
    ...(test ? { test } : {}),
    history,
    skipped: data.skipped,
    unknownClasses: data.unknownClasses,
  };
}
