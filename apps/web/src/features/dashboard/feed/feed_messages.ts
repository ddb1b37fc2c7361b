import { z } from 'zod';
import { protocol } from '@splitlearn/split-core/pure';
import { describeIssues } from '../../../lib/describe_issues';
import type { LatestEvaluation, RoundRow } from './round_row';

// The contract between the dashboard page and its feed worker, which owns the '/dashboard'
// socket (the page's main thread loads no socket.io: main_thread_imports.test.ts). The page
// parses what the worker posts like anything else that arrives (STYLE.md §10).

const finite = z.number().refine(Number.isFinite, 'a finite number');
const nullableFinite = finite.nullable();
const count = z.number().int().nonnegative();
const spread = z.object({ min: finite, median: finite, max: finite }).nullable();

const RoundRowSchema = z.object({
  round: count,
  at: finite,
  seconds: finite,
  trainLoss: nullableFinite,
  trainAccuracy: nullableFinite,
  valLoss: nullableFinite,
  valAccuracy: nullableFinite,
  valAuc: nullableFinite,
  valSensitivity: nullableFinite,
  valSpecificity: nullableFinite,
  valCount: count.nullable(),
  samples: count,
  samplesPerSecond: finite,
  bytesUp: count,
  bytesDown: count,
  clientFlops: finite,
  serverFlops: finite,
  completed: count,
  failed: count,
  clients: count,
  upSpread: spread,
  downSpread: spread,
  perClient: z.array(z.object({ participantId: z.string().min(1), bytesUp: count, bytesDown: count })).optional(),
  leakNorm: nullableFinite,
  leakDirection: nullableFinite,
}) satisfies z.ZodType<RoundRow>;

const LatestEvaluationSchema = z
  .object({
    round: count,
    metrics: z.object({
      loss: finite,
      accuracy: finite,
      auc: nullableFinite,
      sensitivity: nullableFinite,
      specificity: nullableFinite,
      confusion: z.array(z.array(count)),
      count,
    }),
  })
  .nullable() satisfies z.ZodType<LatestEvaluation | null>;

const RelayErrorSchema = z.object({ code: z.string(), message: z.string() });

export const FeedToPageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connection'), status: z.enum(['connecting', 'live', 'reconnecting']), detail: z.string().optional() }),
  /** The relay refused to show this study (unknown id, protocol mismatch): retrying will not help. */
  z.object({ type: z.literal('refused'), error: RelayErrorSchema }),
  z.object({ type: z.literal('snapshot'), study: protocol.StudyInfoSchema, rows: z.array(RoundRowSchema), latest: LatestEvaluationSchema, clients: z.array(protocol.DashboardClientSchema), sentAt: finite }),
  z.object({ type: z.literal('round'), row: RoundRowSchema, latest: LatestEvaluationSchema, sentAt: finite }),
  z.object({ type: z.literal('study'), study: protocol.StudyInfoSchema, sentAt: finite }),
  z.object({ type: z.literal('clients'), clients: z.array(protocol.DashboardClientSchema), sentAt: finite }),
  /** A relay message that failed its schema: shown, never silently dropped. */
  z.object({ type: z.literal('bad-message'), event: z.string(), detail: z.string() }),
]);
export type FeedToPage = z.infer<typeof FeedToPageSchema>;

export const PageToFeedSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('watch'), studyId: z.string().min(1).max(128), origin: z.string().min(1).max(2048) })]);
export type PageToFeed = z.infer<typeof PageToFeedSchema>;

export function parseFeedToPage(data: unknown): { ok: true; message: FeedToPage } | { ok: false; error: string } {
  const parsed = FeedToPageSchema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, error: describeIssues(parsed.error) };
}
