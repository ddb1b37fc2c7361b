import { EpochTally, type StepOutcome } from './tally';

// The loop over the steps of an epoch, for every role and process: a participant in a
// browser or in Node, the relay's segment worker, the in-process federation, the
// centralized reference and inference all run their epochs through it and keep one tally.

/** An epoch ended before its last step, for the reason given (e.g. the participant paused). */
export class EpochStoppedError extends Error {
  constructor(
    readonly reason: string,
    readonly stepsDone: number,
  ) {
    super(reason);
    this.name = 'EpochStoppedError';
  }
}

export interface EpochHooks {
  /** Asked before every step; a reason stops the epoch with EpochStoppedError. */
  stopReason?(): string | undefined;
  /** After every step, with what it reported and the tally so far. */
  afterStep?(step: number, outcome: StepOutcome, tally: EpochTally): void;
}

export async function runEpochLoop(steps: number, runStep: (step: number) => Promise<StepOutcome>, hooks: EpochHooks = {}): Promise<EpochTally> {
  const tally = new EpochTally();
  for (let step = 0; step < steps; step++) {
    const reason = hooks.stopReason?.();
    if (reason !== undefined) throw new EpochStoppedError(reason, step);
    const outcome = await runStep(step);
    // Read before the tally disposes the tensors: a hook sees the numbers, not the tensors.
    tally.add(outcome);
    hooks.afterStep?.(step, { loss: outcome.loss, correct: outcome.correct, samples: outcome.samples }, tally);
  }
  return tally;
}
