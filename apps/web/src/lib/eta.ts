// Estimated time left in a round, from the steps seen so far. The first step of a round
// includes one-off work (shader compilation on WebGL, the wait for the server's turn in
// round-robin), so timing starts at the first reported step rather than at the round start.

export interface StepTiming {
  /** Step reported when timing started (1-based) and when. */
  firstStep: number;
  firstAt: number;
  /** Latest step reported and when. */
  step: number;
  at: number;
  steps: number;
}

export function estimateRemainingMs(timing: StepTiming): number | undefined {
  const stepsTimed = timing.step - timing.firstStep;
  if (stepsTimed <= 0 || timing.at <= timing.firstAt) return undefined;
  const perStep = (timing.at - timing.firstAt) / stepsTimed;
  return Math.max(0, timing.steps - timing.step) * perStep;
}
