import { hopEvalStep, hopTrainStep } from '../topology/hop';
import type { Link } from '../topology/link';
import { enterRound, type ClientRole } from '../segment/roles';
import { runEpochLoop, type EpochHooks } from './epoch_loop';
import type { EpochTally } from './tally';

export interface HopEpoch {
  role: ClientRole;
  /** The links from the members feeding this one, in the group's order. */
  upstream: readonly Link[];
  /** The link to the member (or server) this one feeds. */
  downstream: Link;
  phase: 'train' | 'eval';
  /** The training round: its learning rate (the study's schedule). */
  round: number;
  steps: number;
  hooks?: EpochHooks;
}

/** One epoch of an intermediate participant's steps (multi-hop, extended vanilla). */
export function runHopEpoch(epoch: HopEpoch): Promise<EpochTally> {
  const { role, upstream, downstream, phase } = epoch;
  if (phase === 'train') enterRound(role, epoch.round);
  return runEpochLoop(
    epoch.steps,
    async () => {
      try {
        return phase === 'train' ? await hopTrainStep(role, upstream, downstream) : await hopEvalStep(role, upstream, downstream);
      } finally {
        for (const link of upstream) link.nextStep();
        downstream.nextStep();
      }
    },
    epoch.hooks,
  );
}
