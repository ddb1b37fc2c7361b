import type { Column, ScalarColumn, SeriesStore } from '../feed/series_store';

// The metrics history as CSV, from what the dashboard holds (snapshot plus live rounds), so
// it works for read-only viewers and matches the charts exactly. RFC 4180: CRLF line ends,
// a header row; an empty cell where a round has no value (e.g. no validation that round).
// `round` counts from 1 as everywhere on the dashboard.

const CSV_COLUMNS: readonly { header: string; column: ScalarColumn; iso?: boolean }[] = [
  { header: 'finished_at', column: 'at', iso: true },
  { header: 'seconds', column: 'seconds' },
  { header: 'train_loss', column: 'trainLoss' },
  { header: 'train_accuracy', column: 'trainAccuracy' },
  { header: 'val_loss', column: 'valLoss' },
  { header: 'val_accuracy', column: 'valAccuracy' },
  { header: 'val_auc', column: 'valAuc' },
  { header: 'val_sensitivity', column: 'valSensitivity' },
  { header: 'val_specificity', column: 'valSpecificity' },
  { header: 'val_samples', column: 'valCount' },
  { header: 'train_samples', column: 'samples' },
  { header: 'samples_per_second', column: 'samplesPerSecond' },
  { header: 'bytes_up', column: 'bytesUp' },
  { header: 'bytes_down', column: 'bytesDown' },
  { header: 'client_flops', column: 'clientFlops' },
  { header: 'server_flops', column: 'serverFlops' },
  { header: 'clients_completed', column: 'completed' },
  { header: 'clients_failed', column: 'failed' },
  { header: 'clients_with_traffic', column: 'clients' },
  { header: 'bytes_up_per_client_min', column: 'upMin' },
  { header: 'bytes_up_per_client_median', column: 'upMedian' },
  { header: 'bytes_up_per_client_max', column: 'upMax' },
  { header: 'bytes_down_per_client_min', column: 'downMin' },
  { header: 'bytes_down_per_client_median', column: 'downMedian' },
  { header: 'bytes_down_per_client_max', column: 'downMax' },
];

function cell(column: Column, index: number, iso: boolean): string {
  const value = column[index];
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return iso ? new Date(value).toISOString() : String(value);
}

export function metricsCsv(store: SeriesStore): string {
  const lines = [['round', ...CSV_COLUMNS.map((entry) => entry.header)].join(',')];
  for (let index = 0; index < store.length; index += 1) {
    const cells = [String(store.roundNumbers[index]), ...CSV_COLUMNS.map((entry) => cell(store.columns[entry.column], index, entry.iso === true))];
    lines.push(cells.join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
