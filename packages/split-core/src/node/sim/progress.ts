// A progress bar on stderr, so stdout stays clean for --json. On a terminal it redraws one
// line; elsewhere (CI logs, pipes) it prints a line per epoch.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: ProgressStream,
    private readonly totalSteps: number,
    private readonly label: string,
  ) {}

  /** Redraws at most ten times a second. */
  update(step: number, detail: string): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && step < this.totalSteps) return;
    this.lastDraw = now;
    const fraction = this.totalSteps > 0 ? Math.min(1, step / this.totalSteps) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? elapsed / fraction - elapsed : Number.NaN;
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const line = `${this.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail} eta ${formatSeconds(eta)}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
  }

  /** Ends the bar with a permanent summary line. */
  finish(summary: string): void {
    this.stream.write(`${this.stream.isTTY ? '\r\x1b[K' : ''}${this.label} ${summary}\n`);
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
