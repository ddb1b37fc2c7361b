import type { protocol } from '@splitlearn/split-core';
import type { MetricRecord } from '../storage/metrics';

// The dashboard's rounds, read back from the metrics table: per round the study's 'train'
// row, its merged 'val' row and the participants' 'train' rows (their traffic). A snapshot
// and a live 'dashboard:round' are built by this one function, so they cannot disagree. A
// round re-run after a restart has its rows twice: the latest of each wins.

type Metrics = Record<string, unknown>;

interface RoundRows {
  train?: MetricRecord;
  val?: MetricRecord;
  perClient: Map<string, MetricRecord>;
}

function finiteOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function nonNegative(value: unknown): number {
  return Math.max(0, finiteOr(value, 0));
}

type ValFigures = Omit<protocol.DashboardValMetrics, 'tasks'>;

function valFigures(metrics: Metrics): ValFigures | null {
  const loss = finiteOr(metrics.loss, null);
  const accuracy = finiteOr(metrics.accuracy, null);
  // A diverged round (NaN loss) has no curve point: the contract's loss and accuracy are numbers.
  if (loss === null || accuracy === null) return null;
  return {
    loss,
    accuracy,
    auc: finiteOr(metrics.auc, null),
    sensitivity: finiteOr(metrics.sensitivity, null),
    specificity: finiteOr(metrics.specificity, null),
    confusion: (metrics.confusion as number[][] | undefined) ?? [],
    count: nonNegative(metrics.count),
  };
}

function valMetrics(record: MetricRecord | undefined): protocol.DashboardValMetrics | null {
  if (!record) return null;
  const figures = valFigures(record.metrics);
  if (!figures) return null;
  const tasks = Array.isArray(record.metrics.tasks)
    ? (record.metrics.tasks as Metrics[]).flatMap((task) => {
        const taskFigures = valFigures(task);
        return taskFigures && typeof task.name === 'string' ? [{ name: task.name, ...taskFigures }] : [];
      })
    : [];
  const point = record.metrics.operatingPoint as protocol.DashboardValMetrics['operatingPoint'] | undefined;
  const operatingPoint = point && [point.threshold, point.sensitivity, point.specificity, point.balancedAccuracy].every(Number.isFinite) ? { threshold: point.threshold, sensitivity: point.sensitivity, specificity: point.specificity, balancedAccuracy: point.balancedAccuracy } : undefined;
  return { ...figures, ...(operatingPoint ? { operatingPoint } : {}), ...(tasks.length > 0 ? { tasks } : {}) };
}

function toRound(round: number, rows: RoundRows & { train: MetricRecord }): protocol.DashboardRound {
  const train = rows.train.metrics as Metrics;
  const schedule = typeof train.schedule === 'string' ? train.schedule : undefined;
  const codec = train.codec === 'fp32' || train.codec === 'fp16' || train.codec === 'int8' ? train.codec : undefined;
  const leak = typeof train.leak === 'object' && train.leak !== null ? (train.leak as Metrics) : undefined;
  return {
    round,
    at: Math.max(rows.train.createdAt, rows.val?.createdAt ?? 0),
    seconds: nonNegative(train.seconds),
    trainLoss: finiteOr(train.loss, null),
    trainAccuracy: finiteOr(train.accuracy, null),
    val: valMetrics(rows.val),
    samples: nonNegative(train.samples),
    samplesPerSecond: nonNegative(train.samplesPerSecond),
    bytesUp: nonNegative(train.bytesUp),
    bytesDown: nonNegative(train.bytesDown),
    clientFlops: nonNegative(train.clientFlops),
    serverFlops: nonNegative(train.serverFlops),
    perClient: [...rows.perClient.values()].map((record) => ({
      participantId: record.participantId as string,
      bytesUp: nonNegative(record.metrics.bytesUp),
      bytesDown: nonNegative(record.metrics.bytesDown),
    })),
    completed: nonNegative(train.completed),
    failed: nonNegative(train.failed),
    ...(schedule !== undefined ? { schedule } : {}),
    ...(leak ? { leak: { norm: finiteOr(leak.norm, null), direction: finiteOr(leak.direction, null) } } : {}),
    ...(codec !== undefined ? { codec } : {}),
  };
}

/** Finished rounds (those with a study 'train' row), in round order. */
export function toDashboardRounds(records: readonly MetricRecord[]): protocol.DashboardRound[] {
  const byRound = new Map<number, RoundRows>();
  for (const record of records) {
    let rows = byRound.get(record.round);
    if (!rows) {
      rows = { perClient: new Map() };
      byRound.set(record.round, rows);
    }
    if (record.participantId === null) {
      if (record.phase === 'train') rows.train = record;
      else rows.val = record;
    } else if (record.phase === 'train') {
      rows.perClient.set(record.participantId, record);
    }
  }
  return [...byRound.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([round, rows]) => (rows.train ? [toRound(round, { ...rows, train: rows.train })] : []));
}
