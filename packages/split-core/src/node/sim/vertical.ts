import { alignInProcess } from '../../alignment/align_in_process';
import { alignedTrainingData } from '../../alignment/aligned_parties';
import type { Dataset, Sample } from '../../data/dataset';
import { evaluateClassification, type ClassificationMetrics } from '../../metrics/classification';
import { getModelSpec } from '../../model/catalogue';
import { getSchedule } from '../../schedule/get';
import type { OptimizerName } from '../../segment/optimizer_names';
import { VerticalStudyConfigSchema } from '../../study/config';
import { trainingGroups } from '../../study/groups';
import { studyRolePlans } from '../../study/model';
import { CentralizedTrainer } from '../../training/centralized';
import { Simulation } from '../../training/simulation';
import type { PartyData } from '../vertical/party_data';
import type { SimHooks } from './run';

// A vertically partitioned study in one process (PAPER.md Fig. 2c): the parties align their
// rows by private set intersection, each keeps the same validation patients, trains its own
// encoder, and the server trains the head over their joined encodings with the labels the
// label holder sends. The centralized reference trains the catalogue model on the joined
// features of the same rows.

export interface VerticalSimOptions {
  parties: PartyData[];
  /** Index of the party holding the labels, or 'server' (then `serverLabels` are its table). */
  labelHolder: number | 'server';
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
  history: { epoch: number; trainLoss: number; samplesPerSecond: number; seconds: number; val: ClassificationMetrics }[];
  /** Validation after the last epoch. */
  split: ClassificationMetrics;
  /** The same rows, features joined, the catalogue model trained in one place. */
  centralized?: ClassificationMetrics;
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
    return { id: row.id, label: row.label, values };
  });
  return { classes: labels.classes, sampleShape, samples };
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
  const config = VerticalStudyConfigSchema.parse({
    name: 'simulator',
    topology: 'vertical',
    classes,
    schedule: 'round-robin',
    parties: parties.map((party, i) => ({
      name: `party ${i}`,
      input: party.data.sampleShape.length === 1 ? { columns: party.features } : { image: party.data.sampleShape },
      ...(options.partyModel ? { model: options.partyModel } : {}),
    })),
    labelHolder,
    batchSize: options.batch,
    seed: options.seed,
  });
  const ids = parties.map((_, i) => `party-${i}`);
  const partyOf = (clientId: string): number => ids.indexOf(clientId);
  const members = aligned.map((party, i) => ({ id: ids[i] as string, party: i, trainCount: party.train.samples.length, valCount: party.val.samples.length }));
  const simulation = new Simulation({
    plans: studyRolePlans(config, partyOf),
    clients: ids.map((id, i) => ({ id, data: (aligned[i] as { train: Dataset }).train })),
    groups: trainingGroups(config, members, 'train'),
    schedule: getSchedule('round-robin'),
    optimizer: { name: options.optimizer, learningRate: options.lr },
    batchSize: options.batch,
    seed: options.seed,
    encoding: options.encoding,
    ...(serverLabels ? { serverLabels: alignedLabels.train } : {}),
  });
  const history: VerticalSimResult['history'] = [];
  let last: Awaited<ReturnType<Simulation['runEpoch']>> | undefined;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      last = await simulation.runEpoch();
      const val = await simulation.evaluateGroup((clientId) => (aligned[partyOf(clientId)] as { val: Dataset }).val, 256, serverLabels ? alignedLabels.val : undefined);
      const summary = { epoch: epoch + 1, trainLoss: last.trainLoss, samplesPerSecond: last.samplesPerSecond, seconds: last.seconds, val };
      history.push(summary);
      hooks.onEpoch?.(summary);
    }
  } finally {
    simulation.dispose();
  }

  let centralized: ClassificationMetrics | undefined;
  if (options.centralized) {
    const train = joined(aligned.map((party) => party.train), alignedLabels.train);
    const val = joined(aligned.map((party) => party.val), alignedLabels.val);
    const spec = getModelSpec(train.sampleShape.length === 3 ? 'cnn-small' : 'mlp', { numClasses: classes.length, inputShape: train.sampleShape });
    const trainer = new CentralizedTrainer(spec, { seed: options.seed, optimizer: { name: options.optimizer, learningRate: options.lr } });
    try {
      for (let epoch = 0; epoch < options.epochs; epoch++) await trainer.trainEpoch(train, options.batch, options.seed);
      centralized = await trainer.evaluate(val);
    } finally {
      trainer.dispose();
    }
    hooks.onInfo?.(`centralized ${spec.name} on the joined features of the same rows: accuracy ${(centralized.accuracy * 100).toFixed(1)}%, AUC ${centralized.auc.toFixed(4)}`);
  }
  const final = history[history.length - 1];
  return {
    parties: parties.map((party, i) => ({ source: party.source, features: party.features.length, rows: party.data.samples.length, aligned: aligned[i]?.aligned ?? 0, leftOut: aligned[i]?.leftOut ?? 0, skipped: party.skipped.length })),
    intersection,
    train: aligned[0]?.train.samples.length ?? 0,
    val: aligned[0]?.val.samples.length ?? 0,
    history,
    split: final?.val ?? evaluateClassification([], [], classes.length),
    ...(centralized ? { centralized } : {}),
    clientFlops: last?.clientFlops ?? 0,
    serverFlops: last?.serverFlops ?? 0,
    bytesUp: last?.bytesUp ?? 0,
    bytesDown: last?.bytesDown ?? 0,
  };
}
