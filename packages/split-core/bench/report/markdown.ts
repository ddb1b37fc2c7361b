// Markdown pieces the reports share.

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A number with `digits` significant digits, in plain notation where it reads well. */
export function sig(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
  return value.toExponential(digits - 1);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median with min and max, as every benchmark figure is given. */
export function spread(values: readonly number[], digits = 3): string {
  return `${sig(median(values), digits)} (${sig(Math.min(...values), digits)}\u2013${sig(Math.max(...values), digits)})`;
}
