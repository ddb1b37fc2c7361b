import { AugmentationSchema, BEST_ROUND_METRICS, generateStudyKey, studyKeyCheck, CATALOGUE_MODEL_NAMES, HEAD_MODEL_NAMES, INTERMEDIATE_MODEL_NAMES, PARTY_MODEL_NAMES, getHorizontalDescriptor, LEARNING_RATE_SCHEDULES, getModelSpec, METHOD_NAMES, OPTIMIZER_NAMES, planningErrorPath, SCHEDULE_NAMES, StudyConfigSchema, studyRoleLayout, type MethodName, type ModelSpec, type StudyConfig } from '@splitlearn/split-core/pure';

// The new-study form's state as the researcher types it, and its one way into a study
// configuration: split-core's schema and cut planning decide what is valid (no second copy of
// the rules here), and every refusal lands on the field it concerns, before and after submit.

/**
 * Every topology the runtime offers: one model split between every client and the relay
 * (vanilla, U-shaped), a chain of participants before it (multi-hop), or parties that hold
 * different data about the same patients (vertical, extended vanilla, multi-task).
 */
export const FORM_TOPOLOGIES = ['vanilla', 'u-shaped', 'multi-hop', 'vertical', 'extended', 'multi-task'] as const;
export type FormTopology = (typeof FORM_TOPOLOGIES)[number];
const PARTIES_TOPOLOGIES: readonly FormTopology[] = ['vertical', 'extended', 'multi-task'];

/** Whether the topology's participants are parties (each its own data about the same patients) rather than clients of one model. */
export function hasParties(topology: FormTopology): boolean {
  return PARTIES_TOPOLOGIES.includes(topology);
}

/** One party as the researcher types it. */
export interface PartyDraft {
  name: string;
  /** A table's feature columns, or a region of each patient's image. */
  input: 'columns' | 'image';
  /** "age, tumour_size" */
  columns: string;
  /** "28, 28, 1" */
  image: string;
  /** '' takes the input's default encoder. */
  model: string;
}

/** A further task of a multi-task study. */
export interface TaskDraft {
  name: string;
  /** '' reads the task's name as its column. */
  column: string;
  classes: string;
  weight: string;
}
/** A study the form makes. */
export type FormConfig = Extract<StudyConfig, { topology: FormTopology }>;
export const CODECS = ['fp32', 'fp16', 'int8'] as const;

export interface StudyDraft {
  name: string;
  model: string;
  /** "28, 28, 1" */
  inputShape: string;
  /** "normal, pneumonia" */
  classes: string;
  topology: FormTopology;
  /** Split learning, or a baseline that trains the whole model on every client (vanilla only). */
  method: MethodName;
  /** Federated averaging: epochs each client trains between averages ('' the relay's default). */
  localEpochs: string;
  /** Layer names, one per cut (multi-hop: one per participant before the relay); '' takes the model's default. */
  cuts: string[];
  /** Vertical, extended and multi-task studies: the parties, who holds the labels ('server' or a party's index), the CSV columns, the server's head. */
  parties: PartyDraft[];
  labelHolder: string;
  idColumn: string;
  labelColumn: string;
  fileColumn: string;
  head: string;
  /** Extended vanilla: the intermediate participant's layers. */
  intermediate: string;
  /** Multi-task: the first task's weight, and the further tasks. */
  labelWeight: string;
  tasks: TaskDraft[];
  schedule: string;
  optimizer: string;
  learningRate: string;
  batchSize: string;
  rounds: string;
  /** '' for every batch of each client's data. */
  maxStepsPerRound: string;
  codec: string;
  minClients: string;
  /** When the invitation ends, as a local date and time ("2027-01-31T18:00"); '' open-ended. */
  inviteExpiresAt: string;
  /** '' for the relay's own limit. */
  maxParticipants: string;
  validationFraction: string;
  seed: string;
  /** The training recipe: 'default' (the relay fills in the measured augmentation), 'off', or 'custom' bounds below. */
  augmentation: 'default' | 'off' | 'custom';
  augmentShift: string;
  augmentRotation: string;
  augmentZoom: string;
  augmentBrightness: string;
  augmentContrast: string;
  augmentFlip: boolean;
  /** One weight per class, comma-separated ('' none). */
  classWeights: string;
  /** A sealed hand-off: the study key made in this browser and its check (the relay gets the check only); '' for a hand-off in the clear. */
  studyKey: string;
  studyKeyCheck: string;
  /** '' for a constant rate. */
  learningRateSchedule: string;
  weightDecay: string;
  labelSmoothing: string;
  /** '' for the study's AUC. */
  bestRoundMetric: string;
  targetSensitivity: string;
  /** Privacy: NoPeek's weight ('' off), activation clipping and noise (both or neither), gradient noise ('' off). */
  noPeek: string;
  activationClip: string;
  activationSigma: string;
  gradientNoise: '' | 'max-norm' | 'gaussian';
  gradientNoiseScale: string;
}

export type DraftField = keyof StudyDraft;
export type FieldErrors = Partial<Record<DraftField, string>>;

export function defaultDraft(): StudyDraft {
  return {
    name: '',
    model: 'cnn-small',
    inputShape: '28, 28, 1',
    classes: 'normal, pneumonia',
    topology: 'vanilla',
    method: 'splitnn',
    localEpochs: '',
    cuts: [''],
    parties: [defaultParty(0), defaultParty(1)],
    labelHolder: '0',
    idColumn: 'patient_id',
    labelColumn: 'label',
    fileColumn: 'file',
    head: HEAD_MODEL_NAMES[0] ?? 'mlp-head',
    intermediate: INTERMEDIATE_MODEL_NAMES[0] ?? 'mlp-intermediate',
    labelWeight: '1',
    tasks: [defaultTask()],
    schedule: 'round-robin',
    optimizer: 'adam',
    learningRate: '0.001',
    batchSize: '32',
    rounds: '10',
    maxStepsPerRound: '',
    codec: 'fp32',
    minClients: '2',
    inviteExpiresAt: '',
    maxParticipants: '',
    validationFraction: '0.2',
    seed: '1',
    augmentation: 'default',
    ...augmentationText(DEFAULT_AUGMENTATION),
    classWeights: '',
    studyKey: '',
    studyKeyCheck: '',
    learningRateSchedule: '',
    weightDecay: '',
    labelSmoothing: '',
    bestRoundMetric: '',
    targetSensitivity: '',
    noPeek: '',
    activationClip: '',
    activationSigma: '',
    gradientNoise: '',
    gradientNoiseScale: '1',
  };
}

/** The augmentation a study gets when it names none (the relay fills it in). */
const DEFAULT_AUGMENTATION = AugmentationSchema.parse({});

function augmentationText(bounds: typeof DEFAULT_AUGMENTATION): Pick<StudyDraft, 'augmentShift' | 'augmentRotation' | 'augmentZoom' | 'augmentBrightness' | 'augmentContrast' | 'augmentFlip'> {
  return { augmentShift: String(bounds.shift), augmentRotation: String(bounds.rotation), augmentZoom: String(bounds.zoom), augmentBrightness: String(bounds.brightness), augmentContrast: String(bounds.contrast), augmentFlip: bounds.flip };
}

/** How a stored study's augmentation shows in the form: off, the default bounds, or its own. */
function augmentationChoice(augmentation: typeof DEFAULT_AUGMENTATION | false | undefined): StudyDraft['augmentation'] {
  if (augmentation === false) return 'off';
  if (augmentation === undefined || JSON.stringify(augmentation) === JSON.stringify(DEFAULT_AUGMENTATION)) return 'default';
  return 'custom';
}

export function defaultParty(index: number): PartyDraft {
  return { name: `Party ${index + 1}`, input: 'columns', columns: '', image: '28, 28, 1', model: '' };
}

export function defaultTask(): TaskDraft {
  return { name: '', column: '', classes: '', weight: '1' };
}

/** A study's configuration as a draft, to duplicate it as a template (the form offers every topology). */
export function draftFromConfig(config: StudyConfig, name: string): StudyDraft {
  const topology: FormTopology = config.topology;
  const base = defaultDraft();
  const method = 'method' in config ? (config.method ?? 'splitnn') : 'splitnn';
  const horizontal = 'parties' in config ? undefined : config;
  const parties = 'parties' in config ? config : undefined;
  return {
    name,
    model: horizontal?.model ?? base.model,
    inputShape: horizontal?.inputShape.join(', ') ?? base.inputShape,
    classes: config.classes.join(', '),
    topology,
    method,
    localEpochs: 'localEpochs' in config ? optionalText(config.localEpochs) : '',
    cuts: horizontal ? (horizontal.cuts ?? Array.from({ length: cutCount(topology, getModelSpec(horizontal.model, { numClasses: horizontal.classes.length, inputShape: horizontal.inputShape })) }, () => '')).map(String) : base.cuts,
    parties: parties
      ? parties.parties.map((party) => ({
          name: party.name,
          input: 'columns' in party.input ? 'columns' : 'image',
          columns: 'columns' in party.input ? party.input.columns.join(', ') : '',
          image: 'image' in party.input ? party.input.image.join(', ') : base.parties[0]?.image ?? '',
          model: party.model ?? '',
        }))
      : base.parties,
    labelHolder: parties ? String(parties.labelHolder) : base.labelHolder,
    idColumn: parties?.idColumn ?? base.idColumn,
    labelColumn: parties?.labelColumn ?? base.labelColumn,
    fileColumn: parties?.fileColumn ?? base.fileColumn,
    head: parties?.head ?? base.head,
    intermediate: parties && 'intermediate' in parties ? parties.intermediate : base.intermediate,
    labelWeight: parties && 'labelWeight' in parties ? String(parties.labelWeight) : base.labelWeight,
    tasks: parties && 'tasks' in parties ? parties.tasks.map((task) => ({ name: task.name, column: task.column ?? '', classes: task.classes.join(', '), weight: String(task.weight) })) : base.tasks,
    schedule: config.schedule,
    optimizer: config.optimizer,
    learningRate: String(config.learningRate),
    batchSize: String(config.batchSize),
    rounds: String(config.rounds),
    maxStepsPerRound: config.maxStepsPerRound === undefined ? '' : String(config.maxStepsPerRound),
    codec: config.codec,
    minClients: String(config.minClients),
    inviteExpiresAt: config.inviteExpiresAt === undefined ? '' : localDateTime(config.inviteExpiresAt),
    maxParticipants: optionalText(config.maxParticipants),
    validationFraction: String(config.validationFraction),
    seed: String(config.seed),
    augmentation: augmentationChoice(horizontal?.augmentation),
    ...augmentationText(horizontal?.augmentation || DEFAULT_AUGMENTATION),
    classWeights: config.classWeights?.join(', ') ?? '',
    // A copy never shares its original's study key: the console makes it a new one (studies_page.tsx).
    studyKey: '',
    studyKeyCheck: '',
    learningRateSchedule: config.learningRateSchedule ?? '',
    weightDecay: optionalText(config.weightDecay),
    labelSmoothing: optionalText(config.labelSmoothing),
    bestRoundMetric: config.bestRoundMetric ?? '',
    targetSensitivity: optionalText(config.targetSensitivity),
    noPeek: optionalText(config.noPeek),
    activationClip: optionalText(config.activationNoise?.clip),
    activationSigma: optionalText(config.activationNoise?.sigma),
    gradientNoise: config.gradientNoise?.kind ?? '',
    gradientNoiseScale: String(config.gradientNoise?.scale ?? 1),
  };
}

/** The draft with a sealed hand-off under a study key made here, new every time: keys are never shared between studies. */
export async function withNewStudyKey(draft: StudyDraft): Promise<StudyDraft> {
  const key = generateStudyKey();
  return { ...draft, studyKey: key, studyKeyCheck: await studyKeyCheck(key) };
}

/** A time as a datetime-local input shows it: the browser's local date and time, to the minute. */
export function localDateTime(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function optionalText(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** Multi-hop: participants before the relay the form allows (the schema's bounds on its cuts). */
export const CHAIN_LENGTHS = { min: 2, max: 8 } as const;

/** How many cuts a topology takes at first: its descriptor's count; multi-hop, as many as the model's default chain (two without one). */
export function cutCount(topology: FormTopology, spec: ModelSpec | undefined): number {
  // Each party's encoder ends where its cut output joins the others': nothing to choose.
  if (hasParties(topology)) return 0;
  if (topology === 'multi-hop') return spec?.defaultCuts.multiHop?.length ?? CHAIN_LENGTHS.min;
  return getHorizontalDescriptor(topology).cutCount;
}

/** The draft with another topology: cuts back to the model's defaults, sized for it; a baseline only for vanilla. */
export function withTopology(draft: StudyDraft, topology: FormTopology): StudyDraft {
  return {
    ...draft,
    topology,
    cuts: Array.from({ length: cutCount(topology, draftModel(draft)) }, () => ''),
    ...(topology !== 'vanilla' ? { method: 'splitnn' as const, localEpochs: '' } : {}),
    // A multi-task study's tasks' labels come from a party: the server cannot hold them.
    ...(topology === 'multi-task' && draft.labelHolder === 'server' ? { labelHolder: '0' } : {}),
    ...(topology === 'multi-hop' ? { schedule: 'round-robin' } : {}),
  };
}

/** A multi-hop draft with `count` participants before the relay: the chosen cuts kept, new ones the default. */
export function withChainLength(draft: StudyDraft, count: number): StudyDraft {
  const length = Math.min(CHAIN_LENGTHS.max, Math.max(CHAIN_LENGTHS.min, Math.round(count)));
  return { ...draft, cuts: Array.from({ length }, (_, i) => draft.cuts[i] ?? '') };
}

/** The model as the draft declares it, if its name, classes and input shape make one. */
export function draftModel(draft: StudyDraft): ModelSpec | undefined {
  const classes = listOf(draft.classes);
  const inputShape = numbersOf(draft.inputShape);
  if (!inputShape || classes.length < 2) return undefined;
  try {
    return getModelSpec(draft.model, { numClasses: classes.length, inputShape });
  } catch {
    return undefined;
  }
}

/** Layers a cut may follow: every layer but the last (the server keeps at least one). */
export function cutChoices(spec: ModelSpec): string[] {
  return spec.layers.slice(0, -1).map((layer) => layer.name);
}

export const MODEL_CHOICES = CATALOGUE_MODEL_NAMES;
export const LR_SCHEDULE_CHOICES = LEARNING_RATE_SCHEDULES;
export const BEST_ROUND_CHOICES = BEST_ROUND_METRICS;
export const SCHEDULE_CHOICES = SCHEDULE_NAMES;
export const OPTIMIZER_CHOICES = OPTIMIZER_NAMES;
export const PARTY_MODEL_CHOICES = PARTY_MODEL_NAMES;
export const HEAD_CHOICES = HEAD_MODEL_NAMES;
export const INTERMEDIATE_CHOICES = INTERMEDIATE_MODEL_NAMES;
export const METHOD_CHOICES = METHOD_NAMES;

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function numbersOf(text: string): number[] | undefined {
  const parts = listOf(text);
  const numbers = parts.map(Number);
  return parts.length > 0 && numbers.every((value) => Number.isInteger(value) && value > 0) ? numbers : undefined;
}

/** A number field as the schema should see it: '' stays absent, anything else is a number (NaN shows as the schema's refusal). */
function numberOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

/** The draft as the relay's API takes it (before validation). */
export function draftBody(draft: StudyDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: draft.name.trim(),
    classes: listOf(draft.classes),
    topology: draft.topology,
    schedule: draft.schedule,
    optimizer: draft.optimizer,
    learningRate: numberOf(draft.learningRate),
    batchSize: numberOf(draft.batchSize),
    rounds: numberOf(draft.rounds),
    maxStepsPerRound: numberOf(draft.maxStepsPerRound),
    codec: draft.codec,
    minClients: numberOf(draft.minClients),
    // A datetime-local value is the browser's local time; an unreadable one becomes NaN, which the schema refuses at the field.
    inviteExpiresAt: draft.inviteExpiresAt.trim() === '' ? undefined : new Date(draft.inviteExpiresAt).getTime(),
    maxParticipants: numberOf(draft.maxParticipants),
    validationFraction: numberOf(draft.validationFraction),
    seed: numberOf(draft.seed),
    ...(hasParties(draft.topology) ? partiesBody(draft) : modelBody(draft)),
  };
  // The recipe: absent fields take the relay's defaults (the measured augmentation included).
  if (draft.learningRateSchedule !== '') body.learningRateSchedule = draft.learningRateSchedule;
  body.weightDecay = numberOf(draft.weightDecay);
  body.labelSmoothing = numberOf(draft.labelSmoothing);
  if (draft.classWeights.trim() !== '') body.classWeights = listOf(draft.classWeights).map(Number);
  if (draft.studyKeyCheck !== '') body.handoffKeyCheck = draft.studyKeyCheck;
  if (draft.bestRoundMetric !== '') body.bestRoundMetric = draft.bestRoundMetric;
  body.targetSensitivity = numberOf(draft.targetSensitivity);
  // Privacy: each setting off unless given.
  body.noPeek = numberOf(draft.noPeek);
  const clip = numberOf(draft.activationClip);
  const sigma = numberOf(draft.activationSigma);
  if (clip !== undefined || sigma !== undefined) body.activationNoise = { clip, sigma };
  if (draft.gradientNoise !== '') body.gradientNoise = { kind: draft.gradientNoise, scale: numberOf(draft.gradientNoiseScale) };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/** One catalogue model, cut (or whole, for a baseline). */
function modelBody(draft: StudyDraft): Record<string, unknown> {
  const cuts = draft.cuts.map((cut) => cut.trim());
  const body: Record<string, unknown> = { model: draft.model, inputShape: numbersOf(draft.inputShape) ?? listOf(draft.inputShape) };
  if (draft.method !== 'splitnn') {
    // A baseline does not cut the model.
    body.method = draft.method;
    body.localEpochs = numberOf(draft.localEpochs);
  } else if (cuts.every((cut) => cut !== '')) {
    // Cuts are named only when every one is chosen: otherwise the model's defaults.
    body.cuts = cuts;
  }
  if (draft.augmentation === 'off') body.augmentation = false;
  if (draft.augmentation === 'custom') {
    body.augmentation = { shift: numberOf(draft.augmentShift), rotation: numberOf(draft.augmentRotation), zoom: numberOf(draft.augmentZoom), brightness: numberOf(draft.augmentBrightness), contrast: numberOf(draft.augmentContrast), flip: draft.augmentFlip };
  }
  return body;
}

/** Parties, each with its own input and encoder; the label holder, the CSV columns, the server's layers and, for multi-task, the tasks. */
function partiesBody(draft: StudyDraft): Record<string, unknown> {
  const holder = draft.labelHolder === 'server' ? 'server' : numberOf(draft.labelHolder);
  return {
    parties: draft.parties.map((party) => ({
      name: party.name.trim(),
      input: party.input === 'image' ? { image: numbersOf(party.image) ?? listOf(party.image) } : { columns: listOf(party.columns) },
      ...(party.model !== '' ? { model: party.model } : {}),
    })),
    labelHolder: holder,
    idColumn: draft.idColumn.trim(),
    labelColumn: draft.labelColumn.trim(),
    fileColumn: draft.fileColumn.trim(),
    head: draft.head,
    ...(draft.topology === 'extended' ? { intermediate: draft.intermediate } : {}),
    ...(draft.topology === 'multi-task'
      ? {
          labelWeight: numberOf(draft.labelWeight),
          tasks: draft.tasks.map((task) => ({ name: task.name.trim(), ...(task.column.trim() !== '' ? { column: task.column.trim() } : {}), classes: listOf(task.classes), weight: numberOf(task.weight) })),
        }
      : {}),
  };
}

/** Configuration fields the draft splits over several inputs: where their refusals show. */
const NESTED_FIELDS: Record<string, (inner: string | number | undefined) => DraftField> = {
  augmentation: (inner) => ({ shift: 'augmentShift', rotation: 'augmentRotation', zoom: 'augmentZoom', brightness: 'augmentBrightness', contrast: 'augmentContrast', flip: 'augmentFlip' } as const)[String(inner)] ?? 'augmentation',
  handoffKeyCheck: () => 'studyKeyCheck',
  activationNoise: (inner) => (inner === 'sigma' ? 'activationSigma' : 'activationClip'),
  gradientNoise: (inner) => (inner === 'scale' ? 'gradientNoiseScale' : 'gradientNoise'),
};

/** The draft field a configuration path names (`['cuts', 1]` is the cuts field, `['activationNoise', 'sigma']` its sigma input). */
export function fieldOfPath(path: readonly (string | number)[]): DraftField | undefined {
  const [first, inner] = path;
  if (typeof first !== 'string') return undefined;
  const nested = NESTED_FIELDS[first];
  if (nested) return nested(inner);
  return first in defaultDraft() ? (first as DraftField) : undefined;
}

/** A refusal's message as its field shows it: one about a party or a task names which. */
export function issueText(path: readonly (string | number)[], message: string): string {
  const [first, index] = path;
  if (typeof index !== 'number') return message;
  if (first === 'parties') return `Party ${index + 1}: ${message}`;
  if (first === 'tasks') return `Task ${index + 2}: ${message}`;
  return message;
}

/** The draft's study, or each field's refusal: the schema's, then the cut planning's. */
export function buildStudy(draft: StudyDraft): { config: FormConfig } | { errors: FieldErrors } {
  const parsed = StudyConfigSchema.safeParse(draftBody(draft));
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((part) => typeof part !== 'symbol');
      errors[fieldOfPath(path) ?? 'name'] ??= issueText(path, issue.message);
    }
    return { errors };
  }
  const config = parsed.data;
  try {
    // The relay plans every study's roles before it stores one: the same planning, here.
    studyRoleLayout(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { errors: { [fieldOfPath(planningErrorPath(error)) ?? 'model']: message } };
  }
  return { config };
}
