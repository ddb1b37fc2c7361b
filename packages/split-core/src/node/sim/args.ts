import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CATALOGUE_MODEL_NAMES } from '../../model/catalogue';
import { SCHEDULE_NAMES } from '../../schedule/schedule';
import { OPTIMIZER_NAMES } from '../../segment/optimizer_names';
import { LEARNING_RATE_SCHEDULES } from '../../segment/learning_rate';
import { AugmentationSchema, type Augmentation } from '../../augmentation/augmentation';
import { UsageError } from '../command';

// The simulator's flags, validated once at start-up (STYLE.md §17).

export const USAGE = `Usage: npm run sim -- --data DIR|demo [--val DIR] [--test DIR] --model NAME [options]

Runs a split learning study in one process (every client, the server, the codec) and reports
the final epoch's validation metrics, compute and traffic.

  --data DIR|demo|FILE.csv  training images in ImageFolder layout (<class>/<file>.png|jpg),
                         'demo' for the generated dataset (which brings its own validation split),
                         or a table of patients for --model mlp (every numeric column but
                         --id-column and --label-column is a feature; --val-fraction of the
                         rows, stratified, are kept for validation)
  --val DIR              validation images (required unless --data demo)
  --test DIR             held-out test images, scored once after the last epoch
  --labels FILE          (images) a CSV labelling the files in --data, --val and --test:
                         file,label rows, each file named by its path below its folder, its
                         name, or (DICOM) its SOP Instance UID; folder names are then not
                         labels. (A vertical study: see --label-holder server below)
  --model NAME           ${CATALOGUE_MODEL_NAMES.join(' | ')} (default cnn-small)
  --cut LAYER[,LAYER]    cut layer name(s) or index(es); U-shaped takes two, multi-hop one per
                         participant before the server (default: the model's)
  --method NAME          splitnn | fedavg | lbsgd (default splitnn): split learning, or a
                         baseline where every client trains the whole model: federated
                         averaging (--local-epochs E per round, default 1) or large-batch
                         synchronous SGD (every step, the clients' gradients averaged)
  --local-epochs E       fedavg: passes over its data each client makes per round (default 1)
  --no-peek W            NoPeek: add W x distance correlation(data, cut activations) to each
                         data holder's loss, so its activations reveal less of its data (default off)
  --activation-noise C,S clip each sample's cut activations to an L2 norm of C, then add Gaussian
                         noise of standard deviation S, before they leave the data holder (default off)
  --gradient-noise K[,S] the server adds noise to the cut gradients it returns, against label
                         leakage: max-norm (Li et al.'s alignment) or gaussian, scaled by S (default 1)
  --topology NAME        vanilla | u-shaped | multi-hop (one model, images), or
                         vertical | extended | multi-task (parties; see below) (default vanilla)
  --schedule NAME        ${SCHEDULE_NAMES.join(' | ')} (default round-robin)
  --clients N            simulated hospitals (default 4)
  --non-iid ALPHA        shard labels with Dirichlet(ALPHA) instead of IID
  --epochs E             rounds; each client passes over its shard once per round (default 10)
  --batch B              batch size (default 32)
  --lr LR                learning rate (default 0.001)
  --optimizer NAME       ${OPTIMIZER_NAMES.join(' | ')} (default adam)
  --lr-schedule NAME     ${LEARNING_RATE_SCHEDULES.join(' | ')}: the learning rate over the epochs (default constant)
  --weight-decay W       decoupled weight decay on kernels, per unit of learning rate (AdamW) (default off)
  --label-smoothing S    move each one-hot target S towards uniform in the loss (default off)
  --class-weights W,W|balanced  each class's weight in the loss, or balanced: total / (classes x
                         count) from the training labels (default equal)
  --augment off|on|K=V,...  augment training images on each client: on gives shift=0.1,
                         rotation=10 (degrees), zoom=0.1, brightness=0.1, contrast=0.1; name
                         any to change it, and flip to mirror half of them (default on for
                         image folders, as for new studies: see the README's training recipe;
                         off for tables and --data demo)
  --seed S               seed for weights, shards and batch order (default 1)
  --codec NAME           fp32 | fp16 | int8 for cut tensors (default fp32)
  --backend NAME         wasm | cpu (default wasm)
  --centralized          train the same model unsplit on all the data instead (the reference)
  --save DIR             write the trained segments in tfjs format (model.json + weights.bin)
  --json                 print one JSON object with the results as the last line of stdout
  --help                 show this help

Multi-hop split learning (--topology multi-hop): each hospital's data passes a chain of
participants before the server: the hospital runs the layers up to the first cut, hop k the
layers up to cut k + 1 (the same hops serve every hospital, in turn: round-robin only), the
server the rest. Labels go from each hospital straight to the server, never through a hop.

Vertical split learning (--topology vertical): two or more parties hold different columns or
images of the same patients; rows are aligned by private set intersection on a patient id.
Extended vanilla (--topology extended) adds an intermediate participant: the parties' joined
cut outputs pass through its layers before the server's. Multi-task (--topology multi-task)
gives the server one head per task: the label holder sends every task's labels, each task's
loss counts with its weight, and each task is scored on its own.
  --party FILE[:COL,COL,...]  a party's CSV and the feature columns it holds (every numeric
                         column when none are named); repeat for each party
  --id-column NAME       the patient id column every party's CSV has (default patient_id)
  --label-column NAME    the label column, read from the label holder's CSV (default diagnosis)
  --label-holder N|server  which party holds the labels, 0-based (default 0), or the server:
                         then no party sends labels, and the server aligns its own table of
                         labels with the parties' (--labels FILE; with --vertical-demo, the
                         demo's labels move from party 0 to the server)
  --labels FILE          with --label-holder server: a CSV of the id column and the label column
  --classes A,B          the class names, in label order (default: as found in the label column)
  --vertical-demo NAME   breast-cancer: the breast-cancer table, mean_* columns and the diagnosis
                         at party 0, *_error and worst_* at party 1 (multi-task: a second task,
                         texture smooth|coarse, mean_texture above its median; no party then
                         holds a texture column); xray-halves: the left and right halves of the
                         PneumoniaMNIST training images at two parties, read from --data DIR
                         (default $SPLIT_DATA_DIR or ../shared/data); demo-halves: the same with
                         the generated demo images, whose second task is the side (left|right,
                         as displayed) of the lesion that decides the class
  --task NAME:COLUMN     multi-task with your own CSVs: a further task and the label holder's
                         column holding its labels; repeat for each task
  --task-weights W,W,..  multi-task: each task's weight in the loss, the first task (the label
                         column's) first (default 1 each)
  --share F              with --vertical-demo breast-cancer: each party keeps a different
                         seeded share F of the patients, e.g. 0.85 (default 1)
  --party-model NAME     mlp-party | cnn-party (default: mlp-party for tables, cnn-party for images)
  --val-fraction F       share of the aligned patients kept for validation (default 0.2)
  --centralized          also train the catalogue model on the joined features of the same rows
`;

const positiveInt = (name: string) => z.coerce.number({ error: `--${name} must be a number` }).int(`--${name} must be a whole number`).positive(`--${name} must be at least 1`);

const SimArgsSchema = z
  .object({
    data: z.string().min(1).optional(),
    val: z.string().optional(),
    test: z.string().optional(),
    model: z.enum(CATALOGUE_MODEL_NAMES as [string, ...string[]], { error: `--model must be one of ${CATALOGUE_MODEL_NAMES.join(', ')}` }).default('cnn-small'),
    cut: z
      .string()
      .optional()
      .transform((text) => (text === undefined ? undefined : text.split(',').map((part) => (/^\d+$/.test(part.trim()) ? Number(part) : part.trim())))),
    method: z.enum(['splitnn', 'fedavg', 'lbsgd'], { error: '--method must be splitnn, fedavg or lbsgd' }).default('splitnn'),
    localEpochs: positiveInt('local-epochs').max(1000).default(1),
    topology: z.enum(['vanilla', 'u-shaped', 'vertical', 'extended', 'multi-task', 'multi-hop'], { error: '--topology must be vanilla, u-shaped, vertical, extended, multi-task or multi-hop' }).default('vanilla'),
    task: z
      .array(z.string())
      .default([])
      .transform((tasks, context) =>
        tasks.map((text) => {
          const [name = '', column = ''] = text.split(':').map((part) => part.trim());
          if (name === '' || column === '') context.addIssue({ code: 'custom', message: `--task ${text}: give NAME:COLUMN, e.g. --task severity:severity_grade` });
          return { name, column };
        }),
      ),
    taskWeights: z
      .string()
      .optional()
      .transform((text, context) => {
        if (text === undefined) return undefined;
        const weights = text.split(',').map(Number);
        if (weights.some((weight) => !Number.isFinite(weight) || weight <= 0)) context.addIssue({ code: 'custom', message: `--task-weights ${text}: give positive numbers, e.g. 1,0.5` });
        return weights;
      }),
    party: z
      .array(z.string().min(1))
      .default([])
      .transform((parties) =>
        parties.map((text) => {
          const colon = text.lastIndexOf(':');
          // A Windows drive letter (C:\...) is not a column list.
          if (colon <= 1) return { file: text };
          const columns = text.slice(colon + 1).split(',').map((column) => column.trim()).filter((column) => column !== '');
          return { file: text.slice(0, colon), ...(columns.length > 0 ? { columns } : {}) };
        }),
      ),
    idColumn: z.string().min(1).default('patient_id'),
    labelColumn: z.string().min(1).default('diagnosis'),
    labelHolder: z
      .union([z.literal('server'), z.coerce.number().int().nonnegative()], { error: '--label-holder must be a party number (0, 1, ...) or server' })
      .default(0),
    labels: z.string().min(1).optional(),
    classes: z
      .string()
      .optional()
      .transform((text) => (text === undefined ? undefined : text.split(',').map((name) => name.trim()))),
    verticalDemo: z.enum(['breast-cancer', 'xray-halves', 'demo-halves'], { error: '--vertical-demo must be breast-cancer, xray-halves or demo-halves' }).optional(),
    share: z.coerce.number().gt(0, '--share must be above 0').max(1, '--share is at most 1').default(1),
    partyModel: z.enum(['mlp-party', 'cnn-party'], { error: '--party-model must be mlp-party or cnn-party' }).optional(),
    valFraction: z.coerce.number().gt(0).lt(1, '--val-fraction must be between 0 and 1').default(0.2),
    schedule: z.enum(SCHEDULE_NAMES as [string, ...string[]], { error: `--schedule must be one of ${SCHEDULE_NAMES.join(', ')}` }).default('round-robin'),
    clients: positiveInt('clients').max(1000).default(4),
    nonIid: z.coerce.number({ error: '--non-iid must be a number' }).positive('--non-iid (Dirichlet alpha) must be above 0').optional(),
    epochs: positiveInt('epochs').default(10),
    batch: positiveInt('batch').default(32),
    lr: z.coerce.number({ error: '--lr must be a number' }).positive('--lr must be above 0').default(0.001),
    noPeek: z.coerce.number({ error: '--no-peek must be a number' }).min(0, '--no-peek must be 0 or more').max(100, '--no-peek is at most 100').optional(),
    activationNoise: z
      .string()
      .optional()
      .transform((text, context) => {
        if (text === undefined) return undefined;
        const [clip, sigma] = text.split(',').map(Number);
        if (clip === undefined || sigma === undefined || !(clip > 0) || !(sigma >= 0)) context.addIssue({ code: 'custom', message: `--activation-noise ${text}: give CLIP,SIGMA, e.g. 10,0.5` });
        return { clip: clip ?? 1, sigma: sigma ?? 0 };
      }),
    gradientNoise: z
      .string()
      .optional()
      .transform((text, context) => {
        if (text === undefined) return undefined;
        const [kind, scaleText] = text.split(',');
        const scale = scaleText === undefined ? 1 : Number(scaleText);
        if ((kind !== 'max-norm' && kind !== 'gaussian') || !(scale > 0)) context.addIssue({ code: 'custom', message: `--gradient-noise ${text}: give max-norm or gaussian, optionally with a scale above 0, e.g. gaussian,0.5` });
        return { kind: kind === 'gaussian' ? ('gaussian' as const) : ('max-norm' as const), scale };
      }),
    optimizer: z.enum(OPTIMIZER_NAMES as [string, ...string[]]).default('adam'),
    lrSchedule: z.enum(LEARNING_RATE_SCHEDULES, { error: `--lr-schedule must be one of ${LEARNING_RATE_SCHEDULES.join(', ')}` }).default('constant'),
    weightDecay: z.coerce.number({ error: '--weight-decay must be a number' }).min(0, '--weight-decay must be 0 or more').max(1, '--weight-decay is at most 1').optional(),
    labelSmoothing: z.coerce.number({ error: '--label-smoothing must be a number' }).min(0, '--label-smoothing must be 0 or more').max(0.5, '--label-smoothing is at most 0.5').optional(),
    classWeights: z
      .string()
      .optional()
      .transform((text, context): number[] | 'balanced' | undefined => {
        if (text === undefined || text === 'balanced') return text;
        const weights = text.split(',').map(Number);
        if (weights.some((weight) => !(weight > 0))) context.addIssue({ code: 'custom', message: `--class-weights ${text}: give balanced, or one positive number per class, e.g. 2,1` });
        return weights;
      }),
    augment: z
      .string()
      .optional()
      .transform((text, context) => parseAugment(text, (message) => context.addIssue({ code: 'custom', message }))),
    seed: z.coerce.number({ error: '--seed must be a number' }).int('--seed must be a whole number').default(1),
    codec: z.enum(['fp32', 'fp16', 'int8'], { error: '--codec must be fp32, fp16 or int8' }).default('fp32'),
    backend: z.enum(['wasm', 'cpu'], { error: '--backend must be wasm or cpu' }).default('wasm'),
    centralized: z.boolean().default(false),
    save: z.string().optional(),
    json: z.boolean().default(false),
  })
  .refine((args) => hasParties(args.topology) || args.data !== undefined, { message: '--data is required: a folder of training images, or demo', path: ['data'] })
  .refine((args) => hasParties(args.topology) || args.data === 'demo' || args.data?.toLowerCase().endsWith('.csv') === true || args.val !== undefined, { message: '--val is required unless --data demo or a table', path: ['val'] })
  .refine((args) => !hasParties(args.topology) || args.verticalDemo !== undefined || args.party.length >= 2, { message: '--topology vertical, extended and multi-task need two or more --party FILE, or --vertical-demo', path: ['party'] })
  .refine((args) => args.method === 'splitnn' || (args.topology === 'vanilla' && !args.centralized), { message: '--method fedavg and lbsgd train the whole model on every client: --topology and --centralized are for split learning', path: ['method'] })
  .refine((args) => args.topology === 'multi-task' || (args.task.length === 0 && args.taskWeights === undefined), { message: '--task and --task-weights are for --topology multi-task', path: ['task'] })
  .refine((args) => (args.noPeek === undefined && args.activationNoise === undefined && args.gradientNoise === undefined) || (args.method === 'splitnn' && !args.centralized), { message: '--no-peek, --activation-noise and --gradient-noise are split learning defences: its cut tensors are what they protect', path: ['noPeek'] })
  .refine((args) => !hasParties(args.topology) || (!args.augment && args.lrSchedule === 'constant' && args.weightDecay === undefined && args.labelSmoothing === undefined && args.classWeights === undefined), { message: '--augment, --lr-schedule, --weight-decay, --label-smoothing and --class-weights are not run by the vertical simulator yet (a vertical study on the relay takes them)', path: ['augment'] })
  .refine((args) => args.topology !== 'multi-hop' || args.schedule === 'round-robin', { message: '--topology multi-hop runs round-robin: its hops serve one hospital at a time', path: ['schedule'] });

export type SimArgs = z.infer<typeof SimArgsSchema>;

/** --augment: off (false), on (the defaults), or key=value pairs over the defaults (flip alone switches mirroring on); undefined when not given. */
function parseAugment(text: string | undefined, refuse: (message: string) => void): Augmentation | false | undefined {
  if (text === undefined) return undefined;
  if (text === 'off') return false;
  if (text === 'on') return AugmentationSchema.parse({});
  const settings: Record<string, number | boolean> = {};
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const [key = '', value] = part.split('=');
    if (key === 'flip' && value === undefined) settings.flip = true;
    else if (key in AugmentationSchema.shape && key !== 'flip' && value !== undefined && Number.isFinite(Number(value))) settings[key] = Number(value);
    else refuse(`--augment ${text}: '${part}' is not one of shift=F, rotation=DEG, zoom=F, brightness=F, contrast=F, flip`);
  }
  const parsed = AugmentationSchema.safeParse(settings);
  if (!parsed.success) {
    refuse(`--augment ${text}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    return undefined;
  }
  return parsed.data;
}

/** The topologies whose clients are parties holding different data about the same patients. */
export function hasParties(topology: string): topology is 'vertical' | 'extended' | 'multi-task' {
  return topology === 'vertical' || topology === 'extended' || topology === 'multi-task';
}

export { UsageError };

/** Parses argv; returns undefined when --help was asked for. */
export function parseSimArgs(argv: string[]): SimArgs | undefined {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        val: { type: 'string' },
        test: { type: 'string' },
        model: { type: 'string' },
        cut: { type: 'string' },
        topology: { type: 'string' },
        schedule: { type: 'string' },
        clients: { type: 'string' },
        'non-iid': { type: 'string' },
        epochs: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        optimizer: { type: 'string' },
        seed: { type: 'string' },
        codec: { type: 'string' },
        backend: { type: 'string' },
        centralized: { type: 'boolean' },
        save: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
        party: { type: 'string', multiple: true },
        'id-column': { type: 'string' },
        'label-column': { type: 'string' },
        'label-holder': { type: 'string' },
        labels: { type: 'string' },
        classes: { type: 'string' },
        'vertical-demo': { type: 'string' },
        share: { type: 'string' },
        'party-model': { type: 'string' },
        'val-fraction': { type: 'string' },
        task: { type: 'string', multiple: true },
        method: { type: 'string' },
        'local-epochs': { type: 'string' },
        'no-peek': { type: 'string' },
        'activation-noise': { type: 'string' },
        'gradient-noise': { type: 'string' },
        'task-weights': { type: 'string' },
        'lr-schedule': { type: 'string' },
        'weight-decay': { type: 'string' },
        'label-smoothing': { type: 'string' },
        'class-weights': { type: 'string' },
        augment: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return undefined;
  const { 'non-iid': nonIid, 'id-column': idColumn, 'label-column': labelColumn, 'label-holder': labelHolder, 'vertical-demo': verticalDemo, 'party-model': partyModel, 'val-fraction': valFraction, 'task-weights': taskWeights, 'local-epochs': localEpochs, 'no-peek': noPeek, 'activation-noise': activationNoise, 'gradient-noise': gradientNoise, 'lr-schedule': lrSchedule, 'weight-decay': weightDecay, 'label-smoothing': labelSmoothing, 'class-weights': classWeights, help: _help, ...rest } = values;
  const parsed = SimArgsSchema.safeParse({ ...rest, nonIid, idColumn, labelColumn, labelHolder, verticalDemo, partyModel, valFraction, taskWeights, localEpochs, noPeek, activationNoise, gradientNoise, lrSchedule, weightDecay, labelSmoothing, classWeights });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  return parsed.data;
}
