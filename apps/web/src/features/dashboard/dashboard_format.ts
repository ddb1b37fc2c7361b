import { formatBytes } from '../../lib/format';

// The dashboard's numbers: compact axis labels, percentages and "last seen" times.

// One formatter for every count: Number#toLocaleString builds a new one per call, which
// profiled as the clients table's main cost at 100 rows updated ten times a second.
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12345 -> "12,345" (as lib/format's formatCount, without its per-call cost). */
export function formatInteger(value: number): string {
  return INTEGER.format(value);
}

const SI = [
  { exponent: 15, symbol: 'P' },
  { exponent: 12, symbol: 'T' },
  { exponent: 9, symbol: 'G' },
  { exponent: 6, symbol: 'M' },
  { exponent: 3, symbol: 'k' },
];

/** 1234567 -> "1.23 M": for FLOPs and rates, where exact digits do not matter. */
export function formatSi(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  for (const { exponent, symbol } of SI) {
    const scale = 10 ** exponent;
    if (magnitude >= scale) {
      const scaled = value / scale;
      return `${scaled.toFixed(Math.abs(scaled) < 10 ? 2 : Math.abs(scaled) < 100 ? 1 : 0)} ${symbol}${unit}`;
    }
  }
  const digits = magnitude === 0 || magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === '' ? '' : ` ${unit}`}`;
}

/** A byte count as an axis label: "0" rather than "0 bytes", decimal units otherwise. */
export function formatAxisBytes(value: number): string {
  if (value === 0) return '0';
  return formatBytes(value).replace(' bytes', ' B');
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}

export function formatMetric(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** "just now", "12 s ago", "4 min ago", "3 h ago", "2 d ago"; a future time (clock skew) is "just now". */
export function formatRelativeTime(then: number, now: number): string {
  if (!Number.isFinite(then) || then <= 0) return 'never';
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** The round as people count it: the relay's round 0 is "round 1". */
export function roundLabel(round: number): string {
  return `round ${round + 1}`;
}
