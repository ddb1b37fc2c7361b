import type { protocol } from '@splitlearn/split-core';

// A study's rounds as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it
// holds a comma, a quote or a line break, quotes doubled), one row per finished round, for
// spreadsheets and papers. The numbers are the dashboard's, at full precision; an empty field
// is a figure nobody computed (no validation data, accuracy in a topology that has none).

export const METRICS_CSV_COLUMNS = [
  'round',
  'time',
  'seconds',
  'schedule',
  'codec',
  'train_loss',
  'train_accuracy',
  'val_loss',
  'val_accuracy',
  'val_auc',
  'val_sensitivity',
  'val_specificity',
  'val_count',
  'samples',
  'samples_per_second',
  'bytes_up',
  'bytes_down',
  'client_flops',
  'server_flops',
] as const;

type Cell = string | number | null | undefined;

export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function row(round: protocol.DashboardRound): Cell[] {
  const val = round.val;
  return [
    round.round,
    new Date(round.at).toISOString(),
    round.seconds,
    round.schedule,
    round.codec,
    round.trainLoss,
    round.trainAccuracy,
    val?.loss,
    val?.accuracy,
    val?.auc,
    val?.sensitivity,
    val?.specificity,
    val?.count,
    round.samples,
    round.samplesPerSecond,
    round.bytesUp,
    round.bytesDown,
    round.clientFlops,
    round.serverFlops,
  ];
}

/** Figures a multi-task study's CSV has per task, after the fixed columns: `val_<task>_<figure>`. */
const TASK_FIGURES = ['loss', 'accuracy', 'auc', 'count'] as const;

export function metricsCsv(rounds: readonly protocol.DashboardRound[]): string {
  const tasks = [...new Set(rounds.flatMap((round) => round.val?.tasks?.map((task) => task.name) ?? []))];
  const taskColumns = tasks.flatMap((task) => TASK_FIGURES.map((figure) => `val_${task}_${figure}`));
  const taskCells = (round: protocol.DashboardRound): Cell[] =>
    tasks.flatMap((name) => {
      const task = round.val?.tasks?.find((entry) => entry.name === name);
      return TASK_FIGURES.map((figure) => task?.[figure]);
    });
  const lines = [[...METRICS_CSV_COLUMNS, ...taskColumns].map(csvField).join(','), ...rounds.map((round) => [...row(round), ...taskCells(round)].map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
