import type { protocol } from '@splitlearn/split-core/pure';

// A finished round flattened to the numbers the charts and the CSV read. The relay's round
// carries one traffic entry per client; with a hundred clients over ten thousand rounds that
// is a million objects, so the feed worker folds them here and only the flat rows cross to
// the page: per-client values while there are few clients (one line each), otherwise the
// spread across clients (min, median, max), which stays readable at any client count.

/** Beyond this many distinct clients a per-client line chart is a tangle; show the spread instead. */
export const PER_CLIENT_LINES = 8;

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface ClientTraffic {
  participantId: string;
  bytesUp: number;
  bytesDown: number;
}

export interface RoundRow {
  round: number;
  at: number;
  seconds: number;
  trainLoss: number | null;
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  valAuc: number | null;
  valSensitivity: number | null;
  valSpecificity: number | null;
  valCount: number | null;
  samples: number;
  samplesPerSecond: number;
  bytesUp: number;
  bytesDown: number;
  clientFlops: number;
  serverFlops: number;
  completed: number;
  failed: number;
  /** Clients with traffic in this round. */
  clients: number;
  /** Spread of per-client traffic in this round; null when no client had traffic. */
  upSpread: Spread | null;
  downSpread: Spread | null;
  /** Per-client traffic, present only while the study has at most PER_CLIENT_LINES clients. */
  perClient?: ClientTraffic[];
  /** Multi-task: each task's validation figures, in head order. */
  tasks?: TaskFigures[];
  /** What the round's cut gradients revealed of the labels (leak AUCs), where labels reach the server. */
  leakNorm: number | null;
  leakDirection: number | null;
}

export interface TaskFigures {
  name: string;
  accuracy: number;
  auc: number | null;
}

/** The latest validation, for the confusion matrix. */
export interface LatestEvaluation {
  round: number;
  metrics: protocol.DashboardValMetrics;
}

export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}

export function toRoundRow(round: protocol.DashboardRound, keepPerClient: boolean): RoundRow {
  const row: RoundRow = {
    round: round.round,
    at: round.at,
    seconds: round.seconds,
    trainLoss: round.trainLoss,
    trainAccuracy: round.trainAccuracy,
    valLoss: round.val?.loss ?? null,
    valAccuracy: round.val?.accuracy ?? null,
    valAuc: round.val?.auc ?? null,
    valSensitivity: round.val?.sensitivity ?? null,
    valSpecificity: round.val?.specificity ?? null,
    valCount: round.val?.count ?? null,
    samples: round.samples,
    samplesPerSecond: round.samplesPerSecond,
    bytesUp: round.bytesUp,
    bytesDown: round.bytesDown,
    clientFlops: round.clientFlops,
    serverFlops: round.serverFlops,
    completed: round.completed,
    failed: round.failed,
    clients: round.perClient.length,
    upSpread: spreadOf(round.perClient.map((entry) => entry.bytesUp)),
    downSpread: spreadOf(round.perClient.map((entry) => entry.bytesDown)),
    leakNorm: round.leak?.norm ?? null,
    leakDirection: round.leak?.direction ?? null,
  };
  if (keepPerClient) row.perClient = round.perClient.map(({ participantId, bytesUp, bytesDown }) => ({ participantId, bytesUp, bytesDown }));
  if (round.val?.tasks) row.tasks = round.val.tasks.map(({ name, accuracy, auc }) => ({ name, accuracy, auc }));
  return row;
}

/**
 * Folds relay rounds into rows, remembering the clients seen so far (`seen` is updated):
 * per-client values are kept only while the study has had few enough clients for one line each.
 */
export function toRoundRows(rounds: readonly protocol.DashboardRound[], seen: Set<string>): RoundRow[] {
  for (const round of rounds) for (const entry of round.perClient) seen.add(entry.participantId);
  const keep = seen.size <= PER_CLIENT_LINES;
  return rounds.map((round) => toRoundRow(round, keep));
}

/** The evaluation of the highest round that has one, or `current` when that is later. */
export function latestEvaluation(rounds: readonly protocol.DashboardRound[], current: LatestEvaluation | null): LatestEvaluation | null {
  let latest = current;
  for (const round of rounds) {
    if (round.val && (latest === null || round.round >= latest.round)) latest = { round: round.round, metrics: round.val };
  }
  return latest;
}
