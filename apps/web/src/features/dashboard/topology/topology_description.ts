import type { protocol } from '@splitlearn/split-core/pure';

// What the topology view says about a study, whatever its topology: a list of participant
// columns (every hospital alike in a horizontal study, so one column; a vertical study's K
// parties, each its own), the relay, and what crosses between them. Horizontal and vertical
// share this one shape so the diagram reads the description, not the topology's name.

export type Config = protocol.StudyInfo['config'];
export type Encoding = Config['codec'];

export type SegmentRole = 'client-bottom' | 'server' | 'client-head';

export interface SegmentView {
  role: SegmentRole;
  title: string;
  /** Layer names with their kind, input side first. */
  layers: string[];
  params: number;
  /** Forward + backward FLOPs per sample. */
  flopsPerSample: number;
  inputShape: number[];
  outputShape: number[];
}

export interface Crossing {
  direction: 'up' | 'down';
  what: string;
  /** [batch, ...per-sample shape] for tensors; absent for weight bundles. */
  shape?: number[];
  bytes: number;
  encoding: Encoding | 'int32';
}

/** One column of the diagram: a kind of client, with what it holds, runs and sends. */
export interface ParticipantView {
  title: string;
  /** Its index among a vertical study's parties (`--party N`); absent where every client is alike. */
  party?: number;
  /** Whether its batches carry the labels (every horizontal client; one vertical party, or none when the relay holds them). */
  holdsLabels: boolean;
  holds: string[];
  segments: SegmentView[];
  /** Tensors its link carries at every training step, in the order they are sent. */
  perStep: Crossing[];
  /** Its weight traffic per round, by schedule. */
  perRound: Crossing[];
  /** What never leaves it, its raw data included. */
  neverLeaves: string[];
}

/** The one-time row alignment of topologies whose clients hold different data about the same patients. */
export interface AlignmentView {
  /** Bytes of one blinded id (and of one tag): what each party sends per patient row it holds. */
  bytesPerRow: number;
  plain: string;
  /** What the relay learns from it. */
  relayLearns: string;
}

export interface TopologyDescription {
  topology: Config['topology'];
  /** A baseline study: the method's title and what crosses to the relay, in a few words (no split). */
  method?: { title: string; feed: string };
  /** The model in a few words: a catalogue model's name, or a vertical study's parties and head. */
  model: string;
  schedule: string;
  codec: Encoding;
  /** One column per kind of client, input side first. */
  participants: ParticipantView[];
  relay: { holds: string[]; segments: SegmentView[] };
  /** Present when the topology aligns rows before training (its descriptor's `alignsRows`). */
  alignment?: AlignmentView;
  schedulePlain: string;
  /** What never leaves any client. */
  neverLeaves: string[];
  /** Share of a training step's FLOPs that run on the clients. */
  clientFlopsShare: number;
}

export type TopologyResult = { ok: true; description: TopologyDescription } | { ok: false; problem: string };
