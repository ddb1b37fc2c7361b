import type { OperatingRule } from '../metrics/operating_point';

// Which round of a study is its best, by its validation figures: one rule for the relay
// (which keeps that round's checkpoint and exports it), the dashboard (which marks it) and
// inference (which names it). tfjs-free.

export const BEST_ROUND_METRICS = ['auc', 'accuracy', 'balanced-accuracy', 'loss'] as const;
export type BestRoundMetric = (typeof BEST_ROUND_METRICS)[number];

/** A round's pooled validation figures, as the relay stores them (null where undefined). */
export interface RoundFigures {
  round: number;
  auc?: number | null;
  accuracy?: number | null;
  loss?: number | null;
  sensitivity?: number | null;
  specificity?: number | null;
}

function score(figures: RoundFigures, metric: BestRoundMetric): number | undefined {
  const finite = (value: number | null | undefined): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  switch (metric) {
    case 'auc':
      return finite(figures.auc);
    case 'accuracy':
      return finite(figures.accuracy);
    case 'loss': {
      const loss = finite(figures.loss);
      return loss === undefined ? undefined : -loss;
    }
    case 'balanced-accuracy': {
      const sensitivity = finite(figures.sensitivity);
      const specificity = finite(figures.specificity);
      return sensitivity === undefined || specificity === undefined ? undefined : (sensitivity + specificity) / 2;
    }
  }
}

/** The round with the best figure (the earliest among equals: a later round must do better to take its place); undefined when no round has the figure. */
export function bestRound(rounds: readonly RoundFigures[], metric: BestRoundMetric = 'auc'): number | undefined {
  let best: { round: number; value: number } | undefined;
  for (const figures of [...rounds].sort((a, b) => a.round - b.round)) {
    const value = score(figures, metric);
    if (value !== undefined && (best === undefined || value > best.value)) best = { round: figures.round, value };
  }
  return best?.round;
}

/** The study's rule for its decision threshold. */
export function operatingRule(config: { targetSensitivity?: number | undefined }): OperatingRule {
  return config.targetSensitivity === undefined ? { kind: 'balanced-accuracy' } : { kind: 'sensitivity', target: config.targetSensitivity };
}
