import { z } from 'zod';
import { AugmentationSchema } from '../augmentation/augmentation';
import { CATALOGUE_MODEL_NAMES } from '../model/catalogue';
import { LEARNING_RATE_SCHEDULES } from '../segment/learning_rate';
import { BEST_ROUND_METRICS } from './best_round';
import { HEAD_MODEL_NAMES, INTERMEDIATE_MODEL_NAMES, PARTY_MODEL_NAMES } from '../model/vertical_catalogue';
import { SCHEDULE_NAMES } from '../schedule/schedule';
import { OPTIMIZER_NAMES } from '../segment/optimizer_names';
import { STUDY_KEY_CHECK_PATTERN } from '../privacy/study_key';
import { METHOD_NAMES } from './method';

// What a researcher sets when creating a study. Validated where it enters (REST, the
// study table) and sent to every participant, which rebuilds its segments from it.

const positiveInt = z.number().int().positive();

/** How cut tensors travel (codec/types.ts Encoding). */
export const CODEC_NAMES = ['fp32', 'fp16', 'int8'] as const;

/** What every study has, whatever its topology. */
const StudyBaseSchema = z.object({
  name: z.string().trim().min(1).max(120),
  /** Declared class names; clients' folder names and CSV labels are matched case-insensitively. */
  classes: z.array(z.string().trim().min(1).max(64)).min(2).max(100),
  schedule: z.enum(SCHEDULE_NAMES as [string, ...string[]]),
  optimizer: z.enum(OPTIMIZER_NAMES as [string, ...string[]]).default('adam'),
  learningRate: z.number().positive().max(10).default(0.001),
  /** How the learning rate moves over the rounds (segment/learning_rate.ts); constant when absent. */
  learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES).optional(),
  /** Decoupled weight decay on kernels (AdamW's), per unit of learning rate; none when absent. */
  weightDecay: z.number().min(0).max(1).optional(),
  /** Label smoothing in the loss: each one-hot target moves this share towards uniform; none when absent. */
  labelSmoothing: z.number().min(0).max(0.5).optional(),
  /** Each class's weight in the loss, in the order of `classes` (e.g. against an imbalance); equal when absent. */
  classWeights: z.array(z.number().positive().max(1000)).max(100).optional(),
  /** Which validation figure picks the study's best round, whose checkpoint exports and inference use; AUC when absent. */
  bestRoundMetric: z.enum(BEST_ROUND_METRICS).optional(),
  /** A binary study's decision threshold: the highest that still finds this share of the positives on validation; the one of best balanced accuracy when absent. */
  targetSensitivity: z.number().gt(0).max(1).optional(),
  batchSize: positiveInt.max(1024).default(32),
  rounds: positiveInt.max(100_000).default(10),
  /** Caps each client's steps per round (quick studies, tests); all local data when absent. */
  maxStepsPerRound: positiveInt.max(1_000_000).optional(),
  codec: z.enum(CODEC_NAMES).default('fp32'),
  minClients: positiveInt.max(10_000).default(1),
  /** When the invitation ends (ms since the epoch): after it the join code admits nobody new, while those who joined may come back; open-ended when absent. */
  inviteExpiresAt: z.number().int().positive().optional(),
  /** At most this many participants join (the relay's own limit applies too); the relay's limit when absent. */
  maxParticipants: positiveInt.max(100_000).optional(),
  seed: z.number().int().default(1),
  /** Share of each client's labelled data (of the aligned patients, in vertical) kept on the device for validation. */
  validationFraction: z.number().min(0.05).max(0.5).default(0.2),
  /**
   * NoPeek: the weight of the distance correlation between a batch's raw data and its cut
   * activations in each data holder's loss (PAPER.md, last section); off when absent or 0.
   */
  noPeek: z.number().min(0).max(100).optional(),
  /**
   * Noise the server adds to the cut gradients it returns, against label leakage (privacy/
   * gradient_noise.ts): 'max-norm' alignment or isotropic 'gaussian', `scale` times the
   * default amount; off when absent.
   */
  gradientNoise: z.object({ kind: z.enum(['max-norm', 'gaussian']), scale: z.number().min(0).max(100).default(1) }).optional(),
  /** Clipping (each sample's activations to an L2 norm of at most `clip`) plus Gaussian noise (`sigma`) on the cut activations a data holder sends; off when absent. */
  activationNoise: z.object({ clip: z.number().positive().max(1e6), sigma: z.number().min(0).max(1e6) }).optional(),
  /**
   * Round-robin hand-off encrypted end to end with a study key the relay never sees: the
   * key's check (privacy/study_key.ts studyKeyCheck), against which participants' keys are
   * compared before they join. Hand-off in the clear when absent.
   */
  handoffKeyCheck: z.string().regex(STUDY_KEY_CHECK_PATTERN, 'handoffKeyCheck must be a study key check: 22 letters, digits, - and _ (npm run study-key prints one)').optional(),
});

/** Vanilla and U-shaped: one catalogue model, every client the same segments of it. */
export const HorizontalStudyConfigSchema = StudyBaseSchema.extend({
  topology: z.enum(['vanilla', 'u-shaped']),
  model: z.enum(CATALOGUE_MODEL_NAMES as [string, ...string[]]),
  /** [height, width, channels]; images are converted to it on the client. */
  inputShape: z.array(positiveInt.max(4096)).min(1).max(3),
  /** Cut layer names or indices; the model's defaults for the topology when absent. */
  cuts: z.array(z.union([z.string().min(1).max(64), z.number().int().nonnegative()])).max(2).optional(),
  /** Split learning, or a baseline in which every client trains the whole model (study/method.ts); split learning when absent. */
  method: z.enum(METHOD_NAMES).optional(),
  /** Federated averaging: passes each client makes over its data per round; 1 when absent. */
  localEpochs: positiveInt.max(100).optional(),
  /**
   * Random shifts, turns, zoom and brightness/contrast of each training image, on the device
   * that holds it (augmentation/); `false` for none. A study created without it gets the
   * default bounds when its input is an image (study/recipe.ts withRecipeDefaults); a stored
   * study without it (created before that default) has none.
   */
  augmentation: z.union([AugmentationSchema, z.literal(false)]).optional(),
});

/**
 * Multi-hop (PAPER.md Fig. 4c): one catalogue model cut into a chain. Each data holder runs
 * the layers up to the first cut, the participant at position k (hop k) those up to cut
 * k + 1, the server the rest; the same hops serve every data holder, in turn.
 */
export const MultiHopStudyConfigSchema = HorizontalStudyConfigSchema.extend({
  topology: z.literal('multi-hop'),
  /** One cut per participant before the server (at least two); the model's multi-hop cuts when absent. */
  cuts: z.array(z.union([z.string().min(1).max(64), z.number().int().nonnegative()])).min(2).max(8).optional(),
});

const columnName = z.string().trim().min(1).max(128);

/** One party of a vertical study: what it holds of each patient, and the encoder it runs over it. */
export const VerticalPartySchema = z.object({
  /** Shown to participants choosing their party, e.g. "Radiology". */
  name: z.string().trim().min(1).max(64),
  /** Feature columns of its CSV (a table), or the shape of its image region. */
  input: z.union([z.object({ columns: z.array(columnName).min(1).max(4096) }), z.object({ image: z.array(positiveInt.max(4096)).length(3) })]),
  model: z.enum(PARTY_MODEL_NAMES as [string, ...string[]]).optional(),
});
export type VerticalParty = z.infer<typeof VerticalPartySchema>;

/** What every study whose parties hold different data about the same patients has (vertical, extended vanilla, multi-task). */
const PartiesStudySchema = StudyBaseSchema.extend({
  parties: z.array(VerticalPartySchema).min(2).max(8),
  /**
   * Who holds the labels: a party (its index), which sends them with its cut activations,
   * or 'server': the researcher gives the relay a table of patient id and label, and the
   * relay takes part in the alignment for it; then no party's labels cross the wire.
   */
  labelHolder: z.union([z.number().int().nonnegative(), z.literal('server')]).default(0),
  /** The column of every party's CSV that names the patient (never sent: only blinded). */
  idColumn: columnName.default('patient_id'),
  /** The label holder's label column. */
  labelColumn: columnName.default('label'),
  /** An image party's CSV: the column naming each patient's image file (relative to the CSV's folder). */
  fileColumn: columnName.default('file'),
  /** The server's head over the joined party encodings. */
  head: z.enum(HEAD_MODEL_NAMES as [string, ...string[]]).default('mlp-head'),
  /** Refused rather than dropped: the parties' encoders do not augment (yet). */
  augmentation: z.undefined({ error: 'augmentation is for studies of one image model (vanilla, U-shaped, multi-hop); a study with parties cannot take it yet' }).optional(),
});

/** Vertical (PAPER.md Fig. 2c): K parties hold different data about the same patients, aligned by patient id. */
export const VerticalStudyConfigSchema = PartiesStudySchema.extend({ topology: z.literal('vertical') });

/**
 * Extended vanilla (PAPER.md Fig. 4a): a vertical study whose parties' joined cut outputs
 * pass through an intermediate participant's layers before the server's head.
 */
export const ExtendedStudyConfigSchema = PartiesStudySchema.extend({
  topology: z.literal('extended'),
  intermediate: z.enum(INTERMEDIATE_MODEL_NAMES as [string, ...string[]]).default('mlp-intermediate'),
});

/** A further task of a multi-task study: its own labels, classes and weight in the loss. */
export const TaskSchema = z.object({
  name: z.string().trim().min(1).max(64),
  /** The label holder's column with this task's labels (default: the task's name). */
  column: columnName.optional(),
  classes: z.array(z.string().trim().min(1).max(64)).min(2).max(100),
  weight: z.number().positive().max(100).default(1),
});
export type StudyTask = z.infer<typeof TaskSchema>;

/**
 * Multi-task (PAPER.md Fig. 4b): the parties feed a server with one head per task. The first
 * task is the study's `classes` from `labelColumn`; `tasks` are the further ones. The label
 * holder sends every task's labels; each task's loss counts with its weight.
 */
export const MultiTaskStudyConfigSchema = PartiesStudySchema.extend({
  topology: z.literal('multi-task'),
  /** The first task's weight in the loss. */
  labelWeight: z.number().positive().max(100).default(1),
  tasks: z.array(TaskSchema).min(1).max(7),
});

export const StudyConfigSchema = z
  .discriminatedUnion('topology', [HorizontalStudyConfigSchema, MultiHopStudyConfigSchema, VerticalStudyConfigSchema, ExtendedStudyConfigSchema, MultiTaskStudyConfigSchema])
  .superRefine((config, context) => {
    if (config.maxParticipants !== undefined && config.maxParticipants < config.minClients) {
      context.addIssue({ code: 'custom', path: ['maxParticipants'], message: `the study needs ${config.minClients} clients to start: admit at least that many (maxParticipants ${config.maxParticipants})` });
    }
    if (config.classWeights !== undefined && config.classWeights.length !== config.classes.length) {
      context.addIssue({ code: 'custom', path: ['classWeights'], message: `give one class weight per class: ${config.classWeights.length} weights for ${config.classes.length} classes (${config.classes.join(', ')})` });
    }
    if ('augmentation' in config && config.augmentation !== undefined && config.augmentation !== false && 'inputShape' in config && config.inputShape.length !== 3) {
      context.addIssue({ code: 'custom', path: ['augmentation'], message: `augmentation transforms images: input shape [${config.inputShape.join(', ')}] is not [height, width, channels]` });
    }
    if (config.handoffKeyCheck !== undefined && config.schedule !== 'round-robin') {
      context.addIssue({ code: 'custom', path: ['handoffKeyCheck'], message: `an encrypted hand-off needs schedule 'round-robin': ${config.schedule} averages the client segments at the relay, which must read them (there is no secure aggregation yet)` });
    }
    if (config.handoffKeyCheck !== undefined && !('parties' in config) && (config.method ?? 'splitnn') !== 'splitnn') {
      context.addIssue({ code: 'custom', path: ['handoffKeyCheck'], message: `an encrypted hand-off is for split learning's round-robin: ${config.method} averages whole models at the relay` });
    }
    if (config.topology === 'multi-hop' && config.schedule !== 'round-robin') {
      context.addIssue({ code: 'custom', path: ['schedule'], message: 'a multi-hop study runs round-robin: its hops serve one data holder at a time' });
    }
    if (!('parties' in config)) {
      const method = config.method ?? 'splitnn';
      if (method !== 'splitnn' && config.topology !== 'vanilla') context.addIssue({ code: 'custom', path: ['method'], message: `${method} trains the whole model on every client: give it topology 'vanilla' (the topology only names how split learning cuts the model)` });
      if (method !== 'splitnn' && config.cuts !== undefined) context.addIssue({ code: 'custom', path: ['cuts'], message: `${method} does not cut the model: leave cuts out` });
      if (config.localEpochs !== undefined && method !== 'fedavg') context.addIssue({ code: 'custom', path: ['localEpochs'], message: 'local epochs are a federated averaging setting: give method \'fedavg\' or leave localEpochs out' });
      return;
    }
    if (typeof config.labelHolder === 'number' && config.labelHolder >= config.parties.length) {
      context.addIssue({ code: 'custom', path: ['labelHolder'], message: `labelHolder ${config.labelHolder} names no party: there are ${config.parties.length} (0 to ${config.parties.length - 1})` });
    }
    if (config.topology === 'multi-task') {
      if (config.labelHolder === 'server') context.addIssue({ code: 'custom', path: ['labelHolder'], message: 'a multi-task study takes its tasks’ labels from a party: the server cannot hold them (yet)' });
      const names = [config.labelColumn, ...config.tasks.map((task) => task.name)];
      const repeated = names.find((name, index) => names.indexOf(name) !== index);
      if (repeated !== undefined) context.addIssue({ code: 'custom', path: ['tasks'], message: `task '${repeated}' is named twice (the first task is named after labelColumn)` });
    }
  });

/** The schedule and codec of any study (the parts a researcher may change while it runs). */
export const STUDY_SCHEDULE = StudyBaseSchema.shape.schedule;
export const STUDY_CODEC = StudyBaseSchema.shape.codec;

export type StudyConfig = z.infer<typeof StudyConfigSchema>;
export type HorizontalStudyConfig = z.infer<typeof HorizontalStudyConfigSchema>;
export type VerticalStudyConfig = z.infer<typeof VerticalStudyConfigSchema>;
export type ExtendedStudyConfig = z.infer<typeof ExtendedStudyConfigSchema>;
export type MultiTaskStudyConfig = z.infer<typeof MultiTaskStudyConfigSchema>;
export type MultiHopStudyConfig = z.infer<typeof MultiHopStudyConfigSchema>;
/** A study whose parties hold different data about the same patients, aligned by patient id. */
export type PartiesStudyConfig = VerticalStudyConfig | ExtendedStudyConfig | MultiTaskStudyConfig;
export type StudyConfigInput = z.input<typeof StudyConfigSchema>;
export type HorizontalStudyConfigInput = z.input<typeof HorizontalStudyConfigSchema>;

/** A vertical study cannot be run where only horizontal ones can (yet): said plainly. */
export class UnsupportedStudyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedStudyError';
  }
}

/** The study's parties, where its parties hold different data about the same patients (vertical, extended vanilla, multi-task). */
export function partiesStudy(config: StudyConfig): PartiesStudyConfig | undefined {
  return 'parties' in config ? config : undefined;
}

/** The configuration as a horizontal study (one model split at its cuts), or a clear refusal. */
export function horizontalStudy(config: StudyConfig): HorizontalStudyConfig {
  if (config.topology === 'multi-hop') {
    throw new UnsupportedStudyError('this is a multi-hop study, which this part of the tool does not take yet: try it in the simulator (npm run sim -- --topology multi-hop)');
  }
  if ('parties' in config) {
    throw new UnsupportedStudyError(`this is a ${config.topology} study, which this part of the tool does not take yet: join it as a party from the contribute page or the Node client (npm run client -- --party N --data TABLE.csv or MAPPING.csv), or try it in the simulator (npm run sim -- --topology ${config.topology})`);
  }
  return config;
}

/** A study that splits one catalogue model over images or rows every client holds alike (horizontal, multi-hop), or a clear refusal. */
export function catalogueStudy(config: StudyConfig): HorizontalStudyConfig | MultiHopStudyConfig {
  if ('parties' in config) throw new UnsupportedStudyError(`this is a ${config.topology} study: its parties each run their own encoder over their own columns or images`);
  return config;
}

/** The party that holds a study's labels, or undefined when the server does. */
export function labelParty(config: PartiesStudyConfig): number | undefined {
  return config.labelHolder === 'server' ? undefined : config.labelHolder;
}

export type StudyState = 'open' | 'training' | 'paused' | 'finished';
export const STUDY_STATES: readonly StudyState[] = ['open', 'training', 'paused', 'finished'];

/**
 * What a researcher may change while a study runs (REST `PATCH /api/studies/:id`); the relay
 * applies it from the next round. Anything else is fixed when the study is created.
 */
export const StudyConfigChangeSchema = z
  .strictObject({
    schedule: z.enum(SCHEDULE_NAMES as [string, ...string[]]).optional(),
    codec: z.enum(CODEC_NAMES).optional(),
  })
  .refine((change) => change.schedule !== undefined || change.codec !== undefined, 'give schedule and/or codec');
export type StudyConfigChange = z.infer<typeof StudyConfigChangeSchema>;
