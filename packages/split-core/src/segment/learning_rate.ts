// How a study's learning rate moves over its rounds: one rule, tfjs-free, so every role (the
// relay's server segment, each browser and Node client, the simulator) steps its optimizer at
// the same rate in the same round, and the researcher's form can show the curve.

export const LEARNING_RATE_SCHEDULES = ['constant', 'cosine', 'step'] as const;
export type LearningRateScheduleName = (typeof LEARNING_RATE_SCHEDULES)[number];

export interface LearningRateSchedule {
  kind: LearningRateScheduleName;
  /** The study's rounds: cosine decays over them, step decay halves the rate twice within them. */
  rounds: number;
}

/** Cosine decay ends at this share of the base rate, not at 0: the last round still learns. */
export const COSINE_FLOOR = 0.05;
/** Step decay: the rate is multiplied by this at each of its steps. */
export const STEP_FACTOR = 0.3;

/** The learning rate of round `round` (0-based) of a study whose base rate is `base`. */
export function learningRateAt(base: number, schedule: LearningRateSchedule | undefined, round: number): number {
  if (!schedule || schedule.kind === 'constant' || schedule.rounds <= 1) return base;
  const progress = Math.min(Math.max(round, 0), schedule.rounds - 1) / (schedule.rounds - 1);
  if (schedule.kind === 'cosine') return base * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  // Step decay: full rate for the first half, then x0.3, then x0.09 for the last quarter.
  const drops = progress >= 0.75 ? 2 : progress >= 0.5 ? 1 : 0;
  return base * STEP_FACTOR ** drops;
}
