import { z } from 'zod';
import { CATALOGUE_MODEL_NAMES } from '../model/catalogue';
import { SCHEDULE_NAMES } from '../schedule/schedule';
import { OPTIMIZER_NAMES } from '../segment/optimizer_names';

// What a researcher sets when creating a study. Validated where it enters (REST, the
// study table) and sent to every participant, which rebuilds its segments from it.

const positiveInt = z.number().int().positive();

/** How cut tensors travel (codec/types.ts Encoding). */
export const CODEC_NAMES = ['fp32', 'fp16', 'int8'] as const;

export const StudyConfigSchema = z.object({
  name: z.string().trim().min(1).max(120),
  model: z.enum(CATALOGUE_MODEL_NAMES as [string, ...string[]]),
  /** [height, width, channels]; images are converted to it on the client. */
  inputShape: z.array(positiveInt.max(4096)).min(1).max(3),
  /** Declared class names; clients' folder names and CSV labels are matched case-insensitively. */
  classes: z.array(z.string().trim().min(1).max(64)).min(2).max(100),
  /** The horizontal topologies (one model, every client the same segments). */
  topology: z.enum(['vanilla', 'u-shaped']),
  schedule: z.enum(SCHEDULE_NAMES as [string, ...string[]]),
  /** Cut layer names or indices; the model's defaults for the topology when absent. */
  cuts: z.array(z.union([z.string().min(1).max(64), z.number().int().nonnegative()])).max(2).optional(),
  optimizer: z.enum(OPTIMIZER_NAMES as [string, ...string[]]).default('adam'),
  learningRate: z.number().positive().max(10).default(0.001),
  batchSize: positiveInt.max(1024).default(32),
  rounds: positiveInt.max(100_000).default(10),
  /** Caps each client's steps per round (quick studies, tests); all local data when absent. */
  maxStepsPerRound: positiveInt.max(1_000_000).optional(),
  codec: z.enum(CODEC_NAMES).default('fp32'),
  minClients: positiveInt.max(10_000).default(1),
  seed: z.number().int().default(1),
  /** Share of each client's labelled data kept on the device for validation. */
  validationFraction: z.number().min(0.05).max(0.5).default(0.2),
});

export type StudyConfig = z.infer<typeof StudyConfigSchema>;
export type StudyConfigInput = z.input<typeof StudyConfigSchema>;

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
