import { z } from 'zod';
import type { protocol } from '@splitlearn/split-core';
import { CLIENT_STATUSES } from '../../../lib/split_core_pure';

// Schemas for what the relay sends on the '/dashboard' namespace (the contract is
// split-core's protocol/dashboard.ts, which declares types only). Everything that arrives is
// `unknown` until these say otherwise (STYLE.md §10). The study is checked loosely: split-core's
// StudyInfoSchema pulls in tfjs (through the optimizer list) and the dashboard reads only a
// few fields, so unknown fields pass through and a newer relay's additions do not break it.

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'a finite number');
const nullableFinite = finite.nullable();
const id = z.string().min(1).max(128);

export const StudyViewSchema = z.looseObject({
  id,
  state: z.enum(['open', 'training', 'paused', 'finished']),
  round: count,
  config: z.looseObject({
    name: z.string(),
    model: z.string(),
    inputShape: z.array(count).max(3),
    classes: z.array(z.string()).min(1).max(100),
    topology: z.enum(['vanilla', 'u-shaped']),
    schedule: z.string(),
    cuts: z.array(z.union([z.string(), count])).max(2).optional(),
    codec: z.enum(['fp32', 'fp16', 'int8']),
    rounds: count,
    batchSize: count,
    optimizer: z.string().optional(),
    learningRate: z.number().optional(),
    minClients: count.optional(),
    maxStepsPerRound: count.optional(),
  }),
});
/** The part of the relay's StudyInfo that the dashboard reads. */
export type StudyView = z.infer<typeof StudyViewSchema>;

export const DashboardClientSchema = z.object({
  participantId: id,
  label: z.string().max(128).nullable(),
  kind: z.enum(['browser', 'node']),
  backend: z.string().max(64),
  status: z.enum(CLIENT_STATUSES),
  trainCount: count,
  valCount: count,
  samples: count,
  steps: count,
  bytesUp: count,
  bytesDown: count,
  lastSeen: finite,
}) satisfies z.ZodType<protocol.DashboardClient>;

const ValMetricsSchema = z.object({
  loss: finite,
  accuracy: finite,
  auc: nullableFinite,
  sensitivity: nullableFinite,
  specificity: nullableFinite,
  confusion: z.array(z.array(count).max(100)).max(100),
  count,
}) satisfies z.ZodType<protocol.DashboardValMetrics>;

export const DashboardRoundSchema = z.object({
  round: count,
  at: finite,
  seconds: finite,
  trainLoss: nullableFinite,
  trainAccuracy: nullableFinite,
  val: ValMetricsSchema.nullable(),
  samples: count,
  samplesPerSecond: finite,
  bytesUp: count,
  bytesDown: count,
  clientFlops: finite,
  serverFlops: finite,
  perClient: z.array(z.object({ participantId: id, bytesUp: count, bytesDown: count })).max(100_000),
  completed: count,
  failed: count,
}) satisfies z.ZodType<protocol.DashboardRound>;

export const SnapshotSchema = z.object({
  study: StudyViewSchema,
  rounds: z.array(DashboardRoundSchema),
  clients: z.array(DashboardClientSchema),
  sentAt: finite,
});

export const RelayErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(2000) });

export const WatchReplySchema = z.union([z.object({ ok: z.literal(true), snapshot: SnapshotSchema }), z.object({ ok: z.literal(false), error: RelayErrorSchema })]);

export const StudyUpdateSchema = z.object({ study: StudyViewSchema, sentAt: finite });
export const RoundUpdateSchema = z.object({ round: DashboardRoundSchema, sentAt: finite });
export const ClientsUpdateSchema = z.object({ clients: z.array(DashboardClientSchema), sentAt: finite });
