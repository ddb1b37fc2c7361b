import { z } from 'zod';
import { protocol, TOPOLOGY_NAMES, type TopologyName } from '@splitlearn/split-core/pure';

// The only contract between the page and the training worker. Both directions are a
// discriminated union on `type`, and each side parses what arrives (STYLE.md §10): a
// message is `unknown` until its schema says otherwise. This module is the one file under
// worker/ that the main thread imports, so it takes split-core values only from its
// tfjs-free entry.

const count = z.number().int().nonnegative();
const shape = z.array(count).max(8);
const topology = z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]);
const encoding = z.enum(protocol.CODEC_NAMES);
const studyState = z.enum(protocol.STUDY_STATES as [protocol.StudyState, ...protocol.StudyState[]]);
const phase = z.enum(['train', 'eval']);
const credentials = z.object({ participantId: z.string().min(1).max(128), resumeToken: z.string().min(1).max(128) });

/** What the page needs to know about a study before and after joining. */
export const StudySummarySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  state: studyState,
  round: count,
  rounds: count,
  model: z.string(),
  topology,
  schedule: z.string(),
  codec: encoding,
  classes: z.array(z.string()).min(1),
  inputShape: shape,
  batchSize: count,
  validationFraction: z.number(),
  maxStepsPerRound: count.optional(),
  /** Participants the study needs before a round can start. */
  minClients: count,
  /** The check of the study key that seals its round-robin hand-off (split-core privacy/study_key.ts); absent when the hand-off is in the clear. */
  handoffKeyCheck: z.string().optional(),
  /**
   * A study whose participants take positions (its parties, an extended study's intermediate
   * participant, a multi-hop chain's data holders and hops): each position's name, and whether
   * it holds no data of its own (an intermediate participant or a hop).
   */
  positions: z.array(z.object({ name: z.string(), intermediate: z.boolean() })).max(64).optional(),
  /** A vertical study: its parties, which of them holds the labels, and the columns that key and label the rows. */
  vertical: z
    .object({
      parties: z.array(z.object({ name: z.string(), columns: z.array(z.string()).optional(), image: shape.optional() })).min(2),
      /** A party's index, or 'server' when the researcher gave the relay the labels. */
      labelHolder: z.union([count, z.literal('server')]),
      idColumn: z.string(),
      labelColumn: z.string(),
      /** An image party's mapping CSV: the column naming each patient's image file. */
      fileColumn: z.string().optional(),
      /** A multi-task study's further tasks: the label holder's CSV has a column of labels for each. */
      taskColumns: z.array(z.string()).max(8).optional(),
    })
    .optional(),
});
export type StudySummary = z.infer<typeof StudySummarySchema>;

/** One tensor this device sends at every step of a phase, sized for a full batch. */
export const WireItemSchema = z.object({
  kind: z.enum(['activations', 'labels', 'gradients']),
  description: z.string(),
  /** [batch, ...per-sample shape]. */
  shape,
  dtype: z.enum(['float32', 'int32']),
  encoding,
  bytes: count,
});
export type WireItem = z.infer<typeof WireItemSchema>;

/** "What leaves this device", derived from the study configuration and this client's split. */
export const EgressSchema = z.object({
  topology,
  codec: encoding,
  batchSize: count,
  train: z.array(WireItemSchema),
  eval: z.array(WireItemSchema),
  /** One bundle per client segment, sent when the relay asks for hand-off or aggregation. */
  weights: z.array(z.object({ segment: count, tensors: count, values: count, bytes: count })),
  /** A vertical party, before training: what lining its rows up with the other parties' sends. */
  alignment: z
    .object({
      rows: count,
      /** Its rows' blinded ids and their tags: what it sends in proportion to its own patients. */
      blindedIdBytes: count,
      tagBytes: count,
      items: z.array(z.object({ description: z.string(), bytes: count.optional() })),
    })
    .optional(),
  /** What this device trains on (a vertical party: its table or its images). */
  data: z.enum(['images', 'table', 'none']).optional(),
  /** Where the study has positions: this device's, in words ("Hop 1 of 2", "Intermediate participant", a party's name). */
  role: z.string().max(200).optional(),
  /** A baseline study (federated averaging, large-batch SGD): its name and what it sends, in words. */
  method: z.object({ title: z.string().max(200), summary: z.string().max(1000) }).optional(),
  /** The study's privacy settings in plain words (split-core's privacyDisclosure). */
  privacy: z.array(z.string().max(500)).max(20).optional(),
  neverLeaves: z.array(z.string()),
});
export type Egress = z.infer<typeof EgressSchema>;

/**
 * The name the contribute page gives its training worker: the one worker whose WebAssembly runs
 * on threads. The booth runs up to sixteen training workers in one page, where a pool of
 * threads each would only crowd the laptop's cores.
 */
export const THREADED_WORKER_NAME = 'contribute';

/** The engine the clinician asked for: 'auto' lets split-core choose (WebGL on a graphics card, else WebAssembly). WebGPU is not offered until it trains here (see the engines e2e test). */
export const ENGINE_PREFERENCES = ['auto', 'webgl', 'wasm'] as const;
export type EnginePreference = (typeof ENGINE_PREFERENCES)[number];
export const BackendSchema = z.object({
  name: z.enum(['webgpu', 'webgl', 'wasm', 'cpu']),
  software: z.boolean(),
  /** split-core's technical reason (renderer string, SIMD, threads): the page's details line. */
  reason: z.string(),
  preference: z.enum(ENGINE_PREFERENCES).optional(),
  /** What WebGL offers in this browser, where it was looked at. */
  webgl: z.enum(['hardware', 'software', 'unavailable']).optional(),
  /** What WebGPU offers in this browser, where it was looked at. */
  webgpu: z.enum(['hardware', 'software', 'unavailable']).optional(),
  /** The engine asked for could not start; this one runs instead. */
  fellBack: z.boolean().optional(),
  /** The engine chosen started but failed a test training step: why this one runs instead. */
  replaced: z.string().max(2000).optional(),
  /** WebAssembly's threads (XNNPACK's pool, this thread included); absent for the GPU engines. */
  threads: z.number().int().min(1).max(64).optional(),
});
export type BackendChoice = z.infer<typeof BackendSchema>;

export const SkippedSchema = z.object({ path: z.string(), reason: z.string() });
export type Skipped = z.infer<typeof SkippedSchema>;

/** A file used with a remark (a multi-frame DICOM's first frame). */
export const FileNoteSchema = z.object({ path: z.string(), note: z.string() });
export type FileNote = z.infer<typeof FileNoteSchema>;

export const ClassPreviewSchema = z.object({
  name: z.string(),
  count,
  train: count,
  val: count,
  /** A few paths of usable images of this class, for thumbnails (the page holds the files). */
  samplePaths: z.array(z.string()).max(16),
  /**
   * The same images as the model takes them (8-bit, [height, width, channels]), for those the
   * page cannot show from the file itself (DICOM: windowed here, in the worker).
   */
  decoded: z.array(z.object({ path: z.string(), height: count, width: count, channels: z.union([z.literal(1), z.literal(3)]), pixels: z.instanceof(Uint8Array) })).max(16).optional(),
});
export type ClassPreview = z.infer<typeof ClassPreviewSchema>;

const tally = z.object({ bytes: count, messages: count });
const directional = z.object({ up: tally, down: tally });
export const TrafficSchema = z.object({
  /** From the participant's TrafficMeter: what actually left (up) and arrived (down), by kind. */
  measured: directional.extend({ byKind: z.record(z.string(), directional) }),
  /** Upload the study declares for the steps completed so far, by kind (weights excluded). */
  declared: z.object({ activations: count, labels: count, gradients: count }),
});
export type Traffic = z.infer<typeof TrafficSchema>;

/** Failures the page explains; each maps to a "what to do next" (features/contribute/error_advice.ts). */
export const ERROR_CODES = [
  'relay-unreachable',
  'unknown-study',
  'protocol-mismatch',
  'wrong-state',
  'no-usable-images',
  'unusable-table',
  'backend-failed',
  'connection-lost',
  'relay-error',
  'withdraw-failed',
  'bad-message',
  'internal',
] as const;
export const WorkerErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type WorkerError = z.infer<typeof WorkerErrorSchema>;
export type WorkerErrorCode = WorkerError['code'];

/** A vertical party's table as read in the worker: enough for the page to show it and to choose the id column. */
export const TablePreviewSchema = z.object({
  party: count,
  fileName: z.string(),
  /** Every column on the CSV's first line. */
  header: z.array(z.string()),
  idColumn: z.string(),
  /** The study's columns for this party, in order. */
  columns: z.array(z.string()),
  rows: count,
  /** Whether the rows carry the labels (this party is the label holder). */
  labelled: z.boolean(),
  classCounts: z.record(z.string(), count),
  skipped: z.array(SkippedSchema),
  /** Why the table cannot be used as it is (a missing column), with what to do. */
  problem: z.string().optional(),
  /** An image party: its mapping CSV's file column, the shape every image is converted to, and how many files were chosen. */
  image: z.object({ fileColumn: z.string(), shape, files: count }).optional(),
});
export type TablePreview = z.infer<typeof TablePreviewSchema>;

export const AlignmentSchema = z.object({
  step: z.enum(['started', 'blinding', 'tags', 'aligned']),
  rows: count,
  aligned: count.optional(),
  train: count.optional(),
  val: count.optional(),
});
export type Alignment = z.infer<typeof AlignmentSchema>;

export const ImageCandidateSchema = z.object({
  /** Path relative to what the user picked, e.g. `train/normal/a.png`: the sample's stable id. */
  path: z.string().min(1),
  /** The class name as found (folder name or CSV), before matching to the study's classes; absent where a CSV may list the file by its DICOM SOP Instance UID. */
  label: z.string().optional(),
  file: z.instanceof(Blob),
});
export type ImageCandidate = z.infer<typeof ImageCandidateSchema>;

/** A CSV's labels keyed by SOP Instance UID (split-core's labels.UidLabels), for the images that came without a label. */
export const UidLabelsSchema = z.object({ labels: z.record(z.string(), z.string()), conflicting: z.array(z.string()) });
export type UidLabels = z.infer<typeof UidLabelsSchema>;

/** A file of an image party's folder: its path in the same tree as the mapping CSV's `csvName`. */
export const PartyImageFileSchema = z.object({ path: z.string().min(1).max(1024), file: z.instanceof(Blob) });
export type PartyImageFile = z.infer<typeof PartyImageFileSchema>;

export const MainToWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lookup'), joinCode: z.string().trim().min(1).max(64) }),
  /** Switches the training engine; refused while this device takes part in a study (its segments live on the current one). */
  z.object({ type: z.literal('engine'), preference: z.enum(ENGINE_PREFERENCES) }),
  /** Times a training step of the study's client layers whenever the study or the engine changes (the contribute page; not the booth's many hospitals). */
  z.object({ type: z.literal('time-steps') }),
  z.object({ type: z.literal('prepare'), images: z.array(ImageCandidateSchema), uidLabels: UidLabelsSchema.optional() }),
  /** The booth demo: build hospital `hospital` (0-based) of `hospitals`'s shard of the generated demo images, instead of 'prepare'. */
  z
    .object({ type: z.literal('prepare-demo'), hospital: count, hospitals: z.number().int().min(1).max(64) })
    .refine((message) => message.hospital < message.hospitals, { message: 'hospital must be below hospitals', path: ['hospital'] }),
  /** A vertical study: this device's table, as party `party`; `idColumn` when the CSV names the patient id column differently from the study. */
  z.object({ type: z.literal('prepare-table'), party: count, table: z.instanceof(Blob), fileName: z.string().max(512), idColumn: z.string().trim().min(1).max(128).optional() }),
  /**
   * A vertical study: this device's images, as image party `party`. `csv` maps each patient id
   * to an image file named relative to the CSV's folder; `csvName` is the CSV's path in the
   * same tree as the images' paths (so its folder is where those names start).
   */
  z.object({
    type: z.literal('prepare-party-images'),
    party: count,
    csv: z.instanceof(Blob),
    csvName: z.string().min(1).max(1024),
    images: z.array(PartyImageFileSchema),
    idColumn: z.string().trim().min(1).max(128).optional(),
  }),
  /** `label` names this participant on the researcher's dashboard (the demo's "Hospital 3"). */
  /** A study with positions: the one this device takes. An intermediate one needs no data; a data holder's images come with 'prepare'. */
  z.object({ type: z.literal('prepare-position'), position: count.max(63) }),
  /** `studyKey`: where the study's hand-off is encrypted, the key from the invite link or typed in (it stays in this browser). */
  z.object({ type: z.literal('join'), resume: credentials.optional(), label: z.string().trim().min(1).max(64).optional(), studyKey: z.string().trim().min(1).max(128).optional() }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('leave') }),
  z.object({ type: z.literal('withdraw') }),
  /** A request with one reply: the worker answers on the MessagePort sent along (event.ports[0]) with an ExportedSegments. */
  z.object({ type: z.literal('export-segments') }),
]);
export type MainToWorker = z.infer<typeof MainToWorkerSchema>;

export const WorkerToMainSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('backend'), backend: BackendSchema }),
  /** One training step of this study's client layers on the engine running, measured here (median of 3 after a warm-up). */
  z.object({ type: z.literal('step-time'), engine: z.enum(['webgpu', 'webgl', 'wasm', 'cpu']), ms: z.number().nonnegative(), batchSize: count }),
  /** `egress` is absent until it is known: a vertical party's depends on which party it is. */
  z.object({ type: z.literal('study'), study: StudySummarySchema, egress: EgressSchema.optional() }),
  z.object({ type: z.literal('decode-progress'), done: count, total: count }),
  z.object({
    type: z.literal('dataset'),
    classes: z.array(ClassPreviewSchema),
    trainCount: count,
    valCount: count,
    skipped: z.array(SkippedSchema),
    notes: z.array(FileNoteSchema).optional(),
    /** SOP Instance UIDs the CSV lists that none of the files read has (local to this page: never sent anywhere). */
    uidsWithoutFile: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('table'), table: TablePreviewSchema }),
  /** A vertical party: how lining its rows up with the other parties' goes. */
  z.object({ type: z.literal('alignment'), alignment: AlignmentSchema }),
  z.object({ type: z.literal('connection'), state: z.enum(['connecting', 'connected', 'reconnecting', 'closed']) }),
  z.object({ type: z.literal('joined'), credentials, study: StudySummarySchema }),
  z.object({ type: z.literal('study-state'), state: studyState, round: count, participants: count, message: z.string().optional() }),
  z.object({ type: z.literal('progress'), phase, round: count, step: count, steps: count, loss: z.number().optional() }),
  z.object({ type: z.literal('round-done'), phase, round: count, steps: count, loss: z.number().optional() }),
  z.object({ type: z.literal('traffic'), traffic: TrafficSchema }),
  /** What leaves this device changed mid-study (the researcher switched the codec). */
  z.object({ type: z.literal('egress'), egress: EgressSchema }),
  z.object({ type: z.literal('participation'), status: z.enum(['active', 'paused', 'left', 'withdrawn']) }),
  z.object({ type: z.literal('error'), error: WorkerErrorSchema }),
]);
export type WorkerToMain = z.infer<typeof WorkerToMainSchema>;

/**
 * This device's trained client segment(s) as tfjs model files (a model .json and its
 * weights file each), for the clinician to save. The reply to 'export-segments'.
 */
export const ExportedSegmentsSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    trainedRounds: count,
    files: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/), bytes: z.instanceof(ArrayBuffer) })).min(2).max(16),
  }),
  z.object({ ok: z.literal(false), error: WorkerErrorSchema }),
]);
export type ExportedSegments = z.infer<typeof ExportedSegmentsSchema>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, data: unknown): ParseResult<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, error: z.prettifyError(parsed.error) };
}

export function parseMainToWorker(data: unknown): ParseResult<MainToWorker> {
  return parseWith(MainToWorkerSchema, data);
}

export function parseWorkerToMain(data: unknown): ParseResult<WorkerToMain> {
  return parseWith(WorkerToMainSchema, data);
}

export function parseExportedSegments(data: unknown): ParseResult<ExportedSegments> {
  return parseWith(ExportedSegmentsSchema, data);
}
