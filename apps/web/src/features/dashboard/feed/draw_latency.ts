// How long a live point takes from the relay to the screen: from the event's `sentAt` (the
// relay's Date.now()) until every chart showing it has drawn it (uPlot's draw hook). Both
// clocks are wall clocks; on one machine (the benchmark) they agree, across machines the
// figure includes their skew.

export interface LatencySample {
  round: number;
  delayMs: number;
}

interface Pending {
  round: number;
  sentAt: number;
  waitingFor: Set<string>;
}

/** Entries kept while charts have not drawn them (a chart that never draws must not leak). */
const MAX_PENDING = 1_000;

export class DrawLatency {
  private pending: Pending[] = [];

  constructor(
    private readonly now: () => number,
    private readonly report: (sample: LatencySample) => void,
  ) {}

  /** A live round was handed to `charts` (at flush time); with no chart it counts as shown now. */
  expect(round: number, sentAt: number, charts: Iterable<string>): void {
    const waitingFor = new Set(charts);
    if (waitingFor.size === 0) {
      this.report({ round, delayMs: this.now() - sentAt });
      return;
    }
    this.pending.push({ round, sentAt, waitingFor });
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
  }

  /** `chart` has drawn every round up to `upToRound`. */
  drawn(chart: string, upToRound: number): void {
    if (this.pending.length === 0) return;
    const now = this.now();
    this.pending = this.pending.filter((entry) => {
      if (entry.round > upToRound) return true;
      entry.waitingFor.delete(chart);
      if (entry.waitingFor.size > 0) return true;
      this.report({ round: entry.round, delayMs: now - entry.sentAt });
      return false;
    });
  }

  /** A chart went away: nothing waits for it any more. */
  forget(chart: string): void {
    this.drawn(chart, Number.POSITIVE_INFINITY);
  }
}
