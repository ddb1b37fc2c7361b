import { alignInProcess } from '../../alignment/align_in_process';
import { alignedTrainingData } from '../../alignment/aligned_parties';
import type { Dataset, Sample } from '../../data/dataset';
import { evaluateClassification, type ClassificationMetrics } from '../../metrics/classification';
import { getModelSpec } from '../../model/catalogue';
import { getSchedule } from '../../schedule/get';
import type { OptimizerName } from '../../segment/optimizer_names';
import { StudyConfigSchema, type PartiesStudyConfig } from '../../study/config';
import { studyTaskHeads, verticalStudyPlan } from '../../study/vertical_plan';
import { trainingGroups } from '../../study/groups';
import { studyRolePlans } from '../../study/model';
import { CentralizedTrainer } from '../../training/centralized';
import { Simulation } from '../../training/simulation';
import type { PartyData } from '../vertical/party_data';
import type { SimHooks } from './run';

// A study whose parties hold different data about the same patients, in one process: vertical
// (PAPER.md Fig. 2c), extended vanilla (Fig. 4a) or multi-task (Fig. 4b). The parties align
// their rows by private set intersection, each keeps the same validation patients, trains its
// own encoder; in extended vanilla an intermediate participant runs more layers over their
// joined encodings; the server trains the head (one per task in multi-task) with the labels
// the label holder sends. The centralized reference trains the catalogue model (with the
// same task heads) on the joined features of the same rows.

export interface VerticalSimOptions {
  topology?: 'vertical' | 'extended' | 'multi-task';
  parties: PartyData[];
  /** Multi-task: each task's weight in the loss, the first task's first (1 each when absent). */
  taskWeights?: readonly number[];
  /** Index of the party holding the labels, or 'server' (then `serverLabels` are its table). */
  labelHolder: number | 'server';
  /** The label holder's label column, which names the first task (default: the study's default). */
  labelColumn?: string;
  /** The server's table of patient ids and labels, where it holds them. */
  serverLabels?: Dataset;
  /** Party encoder per party ('mlp-party' for tables, 'cnn-party' for images when absent). */
  partyModel?: string;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: OptimizerName;
  seed: number;
  validationFraction: number;
  encoding: 'fp32' | 'fp16' | 'int8';
  centralized: boolean;
}

export interface VerticalSimResult {
  parties: { source: string; features: number; rows: number; aligned: number; leftOut: number; skipped: number }[];
  /** Rows every party holds (the PSI intersection). */
  intersection: number;
  train: number;
  val: number;
  history: { epoch: number; trainLoss: number; samplesPerSecond: number; seconds: number; val: ClassificationMetrics; tasks?: ClassificationMetrics[] }[];
  /** Validation after the last epoch. */
  split: ClassificationMetrics;
  /** The same rows, features joined, the catalogue model trained in one place. */
  centralized?: ClassificationMetrics;
  /** Multi-task: each task's validation metrics, split and centralized, the first task first. */
  tasks?: { name: string; classes: string[]; weight: number; split: ClassificationMetrics; centralized?: ClassificationMetrics }[];
  clientFlops: number;
  serverFlops: number;
  bytesUp: number;
  bytesDown: number;
}

/** The parties' rows joined along the last feature axis (tables) or the image width. */
function joined(parts: readonly Dataset[], labels: Dataset): Dataset {
  const shapes = parts.map((part) => part.sampleShape);
  const first = shapes[0] ?? [];
  const image = first.length === 3;
  const sampleShape = image ? [first[0] ?? 0, shapes.reduce((sum, shape) => sum + (shape[1] ?? 0), 0), first[2] ?? 1] : [shapes.reduce((sum, shape) => sum + (shape[0] ?? 0), 0)];
  const samples: Sample[] = labels.samples.map((row, k) => {
    const values = new Float32Array(sampleShape.reduce((product, size) => product * size, 1));
    if (!image) {
      let offset = 0;
      for (const part of parts) {
        const v = (part.samples[k] as Sample).values;
        values.set(v, offset);
        offset += v.length;
      }
    } else {
      const [height = 0, width = 0, channels = 1] = sampleShape;
      let x0 = 0;
      for (const part of parts) {
        const w = part.sampleShape[1] ?? 0;
        const v = (part.samples[k] as Sample).values;
        for (let y = 0; y < height; y++) values.set(v.subarray(y * w * channels, (y + 1) * w * channels), (y * width + x0) * channels);
        x0 += w;
      }
    }
    return { id: row.id, label: row.label, ...(row.tasks ? { tasks: row.tasks } : {}), values };
  });
  return { classes: labels.classes, ...(labels.tasks ? { tasks: labels.tasks } : {}), sampleShape, samples };
}

export async function runVerticalSim(options: VerticalSimOptions, hooks: SimHooks = {}): Promise<VerticalSimResult> {
  const { parties, labelHolder } = options;
  if (parties.length < 2) throw new Error(`vertical split learning needs at least two parties, got ${parties.length}`);
  const serverLabels = labelHolder === 'server' ? options.serverLabels : undefined;
  if (labelHolder === 'server' && !serverLabels) throw new Error('--label-holder server needs the server\u2019s table of labels (--labels FILE: a CSV of the id column and the label column)');
  const holder = serverLabels ?? parties[labelHolder as number]?.data;
  if (!holder) throw new Error(`--label-holder ${labelHolder}: there are ${parties.length} parties (0 to ${parties.length - 1})`);
  const classes = holder.classes;
  if (classes.length < 2) throw new Error('the label holder\u2019s table has fewer than two classes');

  // Where the server holds the labels, it aligns its table with the parties' as one more set.
  const sets = [...parties.map((party) => party.data), ...(serverLabels ? [serverLabels] : [])];
  hooks.onInfo?.(`aligning ${parties.length} parties${serverLabels ? ' and the server\u2019s labels' : ''} by private set intersection: ${sets.map((set) => set.samples.length).join(' and ')} rows`);
  const intersections = await alignInProcess(
    sets.map((set) => set.samples.map((sample) => sample.id)),
    'simulator',
  );
  const study = { seed: options.seed, validationFraction: options.validationFraction };
  const aligned = parties.map((party, i) => alignedTrainingData(party.data, intersections[i] as NonNullable<(typeof intersections)[number]>, study));
  const alignedLabels = serverLabels ? alignedTrainingData(serverLabels, intersections[parties.length] as NonNullable<(typeof intersections)[number]>, study) : (aligned[labelHolder as number] as (typeof aligned)[number]);
  const intersection = aligned[0]?.aligned ?? 0;
  if (intersection === 0) throw new Error('the parties hold no patient in common: nothing to train on');
  hooks.onInfo?.(`${intersection} patients held by every party (${aligned.map((party, i) => `party ${i}: ${party.leftOut} left out`).join(', ')})`);

  // The same study a researcher would create, so the roles and the group are the relay's.
  const topology = options.topology ?? 'vertical';
  const further = holder.tasks ?? [];
  if (topology === 'multi-task' && further.length === 0) throw new Error('multi-task split learning needs a second task: --vertical-demo breast-cancer or demo-halves bring one, or name the label holder\u2019s task columns with --task NAME:COLUMN');
  const weights = options.taskWeights ?? [];
  if (topology === 'multi-task' && weights.length > 0 && weights.length !== further.length + 1) throw new Error(`--task-weights gives ${weights.length} weights for ${further.length + 1} tasks (${[options.labelColumn ?? 'label', ...further.map((task) => task.name)].join(', ')})`);
  const config = StudyConfigSchema.parse({
    name: 'simulator',
    topology,
    classes,
    schedule: 'round-robin',
    parties: parties.map((party, i) => ({
      name: `party ${i}`,
      input: party.data.sampleShape.length === 1 ? { columns: party.features } : { image: party.data.sampleShape },
      ...(options.partyModel ? { model: options.partyModel } : {}),
    })),
    labelHolder,
    ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
    ...(topology === 'multi-task'
      ? { labelWeight: weights[0] ?? 1, tasks: further.map((task, t) => ({ name: task.name, classes: [...task.classes], weight: weights[t + 1] ?? 1 })) }
      : {}),
    batchSize: options.batch,
    seed: options.seed,
  }) as PartiesStudyConfig;
  const ids = parties.map((_, i) => `party-${i}`);
  const plan = verticalStudyPlan(config);
  // Extended vanilla's intermediate participant holds no rows: it takes the parties' cut outputs.
  const intermediate = plan.intermediate ? { id: 'intermediate', data: { classes, sampleShape: plan.intermediate.inputShape, samples: [] } satisfies Dataset } : undefined;
  const partyOf = (clientId: string): number => (clientId === intermediate?.id ? parties.length : ids.indexOf(clientId));
  const members = [
    ...aligned.map((party, i) => ({ id: ids[i] as string, party: i, trainCount: party.train.samples.length, valCount: party.val.samples.length })),
    ...(intermediate ? [{ id: intermediate.id, party: parties.length, trainCount: 0, valCount: 0 }] : []),
  ];
  const simulation = new Simulation({
    plans: studyRolePlans(config, partyOf),
    clients: [...ids.map((id, i) => ({ id, data: (aligned[i] as { train: Dataset }).train })), ...(intermediate ? [intermediate] : [])],
    groups: trainingGroups(config, members, 'train'),
    schedule: getSchedule('round-robin'),
    optimizer: { name: options.optimizer, learningRate: options.lr },
    batchSize: options.batch,
    seed: options.seed,
    encoding: options.encoding,
    ...(serverLabels ? { serverLabels: alignedLabels.train } : {}),
  });
  const valOf = (clientId: string): Dataset => (clientId === intermediate?.id ? intermediate.data : (aligned[partyOf(clientId)] as { val: Dataset }).val);
  const history: VerticalSimResult['history'] = [];
  let last: Awaited<ReturnType<Simulation['runEpoch']>> | undefined;
  let finalTasks: ClassificationMetrics[] | undefined;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      last = await simulation.runEpoch();
      const { tasks, ...val } = await simulation.evaluateGroup(valOf, 256, serverLabels ? alignedLabels.val : undefined);
      finalTasks = tasks;
      const summary = { epoch: epoch + 1, trainLoss: last.trainLoss, samplesPerSecond: last.samplesPerSecond, seconds: last.seconds, val, ...(tasks ? { tasks } : {}) };
      history.push(summary);
      hooks.onEpoch?.(summary);
    }
  } finally {
    simulation.dispose();
  }

  let centralized: ClassificationMetrics | undefined;
  let centralizedTasks: ClassificationMetrics[] | undefined;
  const heads = studyTaskHeads(config);
  if (options.centralized) {
    const train = joined(aligned.map((party) => party.train), alignedLabels.train);
    const val = joined(aligned.map((party) => party.val), alignedLabels.val);
    const outputs = (heads ?? [{ classes: classes.length }]).reduce((sum, head) => sum + head.classes, 0);
    const spec = getModelSpec(train.sampleShape.length === 3 ? 'cnn-small' : 'mlp', { numClasses: outputs, inputShape: train.sampleShape });
    const trainer = new CentralizedTrainer(spec, { seed: options.seed, optimizer: { name: options.optimizer, learningRate: options.lr }, ...(heads ? { heads } : {}) });
    try {
      for (let epoch = 0; epoch < options.epochs; epoch++) await trainer.trainEpoch(train, options.batch, options.seed);
      const { tasks, ...metrics } = await trainer.evaluate(val);
      centralized = metrics;
      centralizedTasks = tasks;
    } finally {
      trainer.dispose();
    }
    hooks.onInfo?.(`centralized ${spec.name}${heads ? ` with ${heads.length} task heads` : ''} on the joined features of the same rows: accuracy ${(centralized.accuracy * 100).toFixed(1)}%, AUC ${centralized.auc.toFixed(4)}`);
  }
  const taskNames = heads ? [{ name: config.labelColumn, classes }, ...further.map((task) => ({ name: task.name, classes: [...task.classes] }))] : [];
  const final = history[history.length - 1];
  return {
    parties: parties.map((party, i) => ({ source: party.source, features: party.features.length, rows: party.data.samples.length, aligned: aligned[i]?.aligned ?? 0, leftOut: aligned[i]?.leftOut ?? 0, skipped: party.skipped.length })),
    intersection,
    train: aligned[0]?.train.samples.length ?? 0,
    val: aligned[0]?.val.samples.length ?? 0,
    history,
    split: final?.val ?? evaluateClassification([], [], classes.length),
    ...(centralized ? { centralized } : {}),
    ...(heads && finalTasks
      ? {
          tasks: heads.map((head, t) => ({
            name: head.name,
            classes: taskNames[t]?.classes ?? [],
            weight: head.weight,
            split: finalTasks?.[t] ?? evaluateClassification([], [], head.classes),
            ...(centralizedTasks?.[t] ? { centralized: centralizedTasks[t] } : {}),
          })),
        }
      : {}),
    clientFlops: last?.clientFlops ?? 0,
    serverFlops: last?.serverFlops ?? 0,
    bytesUp: last?.bytesUp ?? 0,
    bytesDown: last?.bytesDown ?? 0,
  };
}
