import type { RelayError } from './errors';
import type { AckReply, AlignDoneReply, GradientsHeader, AlignPointsReply, AlignSealReply, AlignStart, AlignStartReply, AlignStep, AlignTagsReply, EpochReply, EpochStart, HelloReply, StepHeader, StudyStateMessage, WeightsHeader } from './messages';

// The typed socket.io event maps shared by the relay, the browser client and the Node
// client (STYLE.md §8). Payloads a side receives are still validated with the schemas in
// messages.ts: the types say what a well-behaved peer sends, not what arrives.
// Binary payloads (codec frames and bundles) travel as socket.io binary attachments.

export type Binary = Uint8Array | ArrayBuffer;

export interface ClientToServerEvents {
  'participant:hello': (hello: unknown, ack: (reply: HelloReply) => void) => void;
  'step:frame': (header: StepHeader, payload: Binary) => void;
  'participant:status': (status: unknown) => void;
  /** Ends participation and deletes what the relay stored about this participant. */
  'participant:withdraw': (ack: (reply: AckReply) => void) => void;
  /**
   * Large-batch SGD: this step's whole-model gradients (one bundle; null once the client's
   * batches ran out). The reply is the step's sample-weighted average over every client,
   * which the client applies; an empty bundle when nobody had a batch.
   */
  'gradients:sync': (header: GradientsHeader, bundle: Binary | null, ack: (reply: { ok: true; bundle: Binary } | { ok: false; error: RelayError }) => void) => void;
}

export interface ServerToClientEvents {
  'study:state': (state: StudyStateMessage) => void;
  /** Run `steps` steps of local training (or evaluation) with the server; ack when done. */
  'epoch:start': (start: EpochStart, ack: (reply: EpochReply) => void) => void;
  'step:frame': (header: StepHeader, payload: Binary) => void;
  /** Load these client-segment weights (one codec bundle per segment). */
  'weights:apply': (header: WeightsHeader, bundles: Binary[], ack: (reply: AckReply) => void) => void;
  /** Send the current client-segment weights (one bundle per segment). */
  'weights:request': (header: WeightsHeader, ack: (reply: { ok: true; bundles: Binary[] } | { ok: false; error: RelayError }) => void) => void;
  'relay:error': (error: RelayError) => void;
  /** Vertical studies: the steps of aligning the parties' rows (alignment/coordinator.ts). */
  'align:start': (start: AlignStart, ack: (reply: AlignStartReply) => void) => void;
  /** To the leading party: the other parties' public keys, in party order. */
  'align:seal': (step: AlignStep, publicKeys: Binary[], ack: (reply: AlignSealReply) => void) => void;
  'align:blind': (step: AlignStep, points: Binary, ack: (reply: AlignPointsReply) => void) => void;
  /** A party's own points under every secret, the leader's public key, and its sealed group key (none for the leader). */
  'align:tags': (step: AlignStep, points: Binary, leaderKey: Binary, sealed: Binary | null, ack: (reply: AlignTagsReply) => void) => void;
  /** Every party's tags, in party order. */
  'align:intersect': (step: AlignStep, tagSets: Binary[], ack: (reply: AlignDoneReply) => void) => void;
}
