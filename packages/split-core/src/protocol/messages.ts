import { z } from 'zod';
import { WIRE_KINDS, type WireKind } from '../topology/link';
import { WEIGHTS_DIGEST_PATTERN } from '../model/weights_digest';
import { THRESHOLD_GRID } from '../metrics/operating_point';
import { CODEC_NAMES, StudyConfigSchema, STUDY_STATES, type StudyState } from '../study/config';
import type { RelayError } from './errors';
import type { Binary } from './events';

// Control messages are JSON and validated on arrival, on both sides. Tensors never travel
// here: they go as binary attachments next to a StepHeader (see events.ts).

const id = z.string().min(1).max(128);
const count = z.number().int().nonnegative();

/** Identifies a step frame; a frame whose header is not the next expected one is refused. */
export const StepHeaderSchema = z.object({
  studyId: id,
  round: count,
  /** Step index within the round, for this participant. */
  step: count,
  /** Per-direction sequence number within the round, starting at 0. */
  seq: count,
  kind: z.enum(WIRE_KINDS as [WireKind, ...WireKind[]]),
  phase: z.enum(['train', 'eval']),
  /**
   * Where a group's members feed each other (multi-hop, extended vanilla): the other end of
   * the frame's edge, as a member index of the group. On a frame a participant sends, who it
   * is for; on a frame it receives, who it is from. Absent: the server.
   */
  peer: count.max(63).optional(),
});
export type StepHeader = z.infer<typeof StepHeaderSchema>;

const consumer = z.union([count.max(63), z.literal('server')]);

/** One member's place in a group's step (topology/wiring.ts). */
export const StageSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('data'), feeds: consumer }), z.object({ kind: z.literal('hop'), from: z.array(count.max(63)).min(1).max(64), feeds: consumer })]);
export type Stage = z.infer<typeof StageSchema>;

export const HelloSchema = z.object({
  protocolVersion: z.number().int(),
  joinCode: z.string().trim().min(4).max(64),
  /** Present on a reconnect or page reload: rejoin as the same participant. */
  participantId: id.optional(),
  /** In a vertical study: which of the study's parties this participant is (0-based). */
  party: count.max(7).optional(),
  resumeToken: z.string().min(16).max(128).optional(),
  /** In a study whose hand-off is encrypted: the check of the study key this participant holds (never the key). */
  handoffKeyCheck: z.string().max(64).optional(),
  client: z.object({
    kind: z.enum(['browser', 'node']),
    backend: z.string().max(32),
    label: z.string().max(64).optional(),
  }),
  /** What the client holds locally: counts only, never samples. */
  data: z.object({
    trainCount: count.max(10_000_000),
    valCount: count.max(10_000_000),
    classCounts: z.record(z.string().max(64), count).refine((record) => Object.keys(record).length <= 100, 'at most 100 classes'),
  }),
});
export type Hello = z.infer<typeof HelloSchema>;

export const StudyInfoSchema = z.object({
  id,
  config: StudyConfigSchema,
  state: z.enum(STUDY_STATES as [StudyState, ...StudyState[]]),
  round: count,
});
export type StudyInfo = z.infer<typeof StudyInfoSchema>;

export type HelloReply = { ok: true; participantId: string; resumeToken: string; study: StudyInfo } | { ok: false; error: RelayError };

export const EpochStartSchema = z.object({
  studyId: id,
  round: count,
  /** Steps the server will run with this client; the client trains exactly these. */
  steps: count,
  phase: z.enum(['train', 'eval']),
  /**
   * The codec of this epoch's cut tensors. The researcher may change a running study's codec;
   * the relay switches at a round boundary and says so here. Absent: the study's configured one.
   */
  codec: z.enum(CODEC_NAMES).optional(),
  /**
   * The training group this epoch is for: with the study seed and the round it keys the batch
   * order, so the parties of a vertical group draw the same batches. Absent: the participant itself.
   */
  group: id.optional(),
  /**
   * Where some members feed others (multi-hop, extended vanilla): who feeds whom in the group,
   * and which member this participant is. Absent: every member feeds the server.
   */
  wiring: z.object({ index: count.max(63), stages: z.array(StageSchema).min(1).max(64) }).optional(),
});
export type EpochStart = z.infer<typeof EpochStartSchema>;

export const EpochReplySchema = z.union([
  z.object({
    ok: z.literal(true),
    steps: count,
    /** Mean loss over the epoch where the client computes it (U-shaped). */
    loss: z.number().optional(),
    /** Training accuracy over the epoch where the client computes the loss (U-shaped). */
    accuracy: z.number().min(0).max(1).optional(),
    /**
     * Evaluation: the digest of the client segment weights the epoch ran with, so the relay
     * knows which model a validation figure belongs to (model/weights_digest.ts).
     */
    weightsDigest: z.string().regex(WEIGHTS_DIGEST_PATTERN).optional(),
    /** U-shaped evaluation: the client scores locally and reports only these. */
    metrics: z
      .object({
        accuracy: z.number(),
        loss: z.number(),
        auc: z.number().nullable(),
        sensitivity: z.number().nullable(),
        specificity: z.number().nullable(),
        confusion: z.array(z.array(count)).max(100),
        count,
        /** Binary: counts of each class on either side of every threshold of the grid (metrics/operating_point.ts), for the study's threshold. */
        thresholds: z
          .object({ truePositives: z.array(count).length(THRESHOLD_GRID.length), trueNegatives: z.array(count).length(THRESHOLD_GRID.length), positives: count, negatives: count })
          .optional(),
      })
      .optional(),
  }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string().max(64), message: z.string().max(2000) }) }),
]);
export type EpochReply = z.infer<typeof EpochReplySchema>;

/** Large-batch SGD: which step's gradients a bundle holds, and over how many samples (0: the client has no batch left and only asks for the average). */
export const GradientsHeaderSchema = z.object({ studyId: id, round: count, step: count.max(10_000_000), samples: count.max(1024) });
export type GradientsHeader = z.infer<typeof GradientsHeaderSchema>;

export const WeightsHeaderSchema = z.object({
  studyId: id,
  round: count,
  segments: count.max(8),
  /** At a study's end: these are the weights of its best round, after this many rounds (what the participant's export then says). */
  trainedRounds: count.optional(),
});
export type WeightsHeader = z.infer<typeof WeightsHeaderSchema>;

export const StudyStateMessageSchema = z.object({
  studyId: id,
  state: z.enum(STUDY_STATES as [StudyState, ...StudyState[]]),
  round: count,
  participants: count,
  message: z.string().max(500).optional(),
  /**
   * The study's current configuration. The researcher may change a running study's schedule
   * and codec; participants learn of it here (the relay applies it from the next round).
   */
  config: StudyConfigSchema.optional(),
});
export type StudyStateMessage = z.infer<typeof StudyStateMessageSchema>;

export const ParticipantStatusSchema = z.object({ status: z.enum(['ready', 'paused']) });
export type ParticipantStatus = z.infer<typeof ParticipantStatusSchema>;

export type AckReply = { ok: true } | { ok: false; error: RelayError };

// Aligning a vertical study's rows (alignment/coordinator.ts): the relay asks each party for
// its steps of the private set intersection. Lists of 32-byte points and tags travel packed
// in one binary attachment each (alignment/packing.ts); nothing else of the rows does.

export const AlignStartSchema = z.object({ studyId: id, party: count.max(7), parties: z.number().int().min(2).max(8) });
export type AlignStart = z.infer<typeof AlignStartSchema>;
export const AlignStepSchema = z.object({ studyId: id });
export type AlignStep = z.infer<typeof AlignStepSchema>;

type Failure = { ok: false; error: RelayError };
export type AlignStartReply = { ok: true; publicKey: Binary; points: Binary } | Failure;
export type AlignSealReply = { ok: true; sealed: Binary[] } | Failure;
export type AlignPointsReply = { ok: true; points: Binary } | Failure;
export type AlignTagsReply = { ok: true; tags: Binary } | Failure;

/** What a party reports once aligned: counts only. */
export const AlignDoneSchema = z.object({ ok: z.literal(true), aligned: count, train: count, val: count });
export type AlignDoneReply = z.infer<typeof AlignDoneSchema> | Failure;
