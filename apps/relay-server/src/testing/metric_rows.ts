/** One row of `GET /api/studies/:id/metrics`. */
export interface MetricRow {
  round: number;
  phase: string;
  participantId: string | null;
  metrics: Record<string, unknown>;
}

/**
 * What each round computed (losses, accuracies, confusion matrices, weight digests) without
 * its timings and traffic, which vary from run to run: two runs of one seeded study compare equal.
 */
export function computedFigures(rows: MetricRow[]): unknown[] {
  const computed = (metrics: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(metrics).filter(([key]) => !/second|perSecond|bytes|traffic|messages/i.test(key)));
  return rows.map((row) => ({ round: row.round, phase: row.phase, participantId: row.participantId, metrics: computed(row.metrics) }));
}
