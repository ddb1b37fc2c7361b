import { enterRound } from '../segment/roles';
import type { Link } from '../topology/link';
import type { Topology } from '../topology/topology';
import { runEpochLoop, type EpochHooks } from './epoch_loop';
import type { ServerCopy } from './server_pool';
import type { EpochTally, StepOutcome } from './tally';

export interface ServerEpoch {
  topology: Topology;
  copy: ServerCopy;
  /** One link per member of the group, in the group's order (a vertical label holder first). */
  links: Link[];
  phase: 'train' | 'eval';
  /** The training round: its learning rate (the study's schedule). */
  round: number;
  steps: number;
  hooks?: EpochHooks;
}

/**
 * One epoch of the server's side of a group's steps. Groups sharing a server copy
 * (round-robin, SplitFed V2) take turns step by step under the copy's lock.
 */
export function runServerEpoch(epoch: ServerEpoch): Promise<EpochTally> {
  const { topology, copy, links, phase } = epoch;
  return runEpochLoop(
    epoch.steps,
    async () => {
      try {
        return await copy.lock.run<StepOutcome>(() => {
          if (phase !== 'train') return topology.serverEvalStep(copy.role, links);
          // Under the lock: groups sharing the copy may be in different rounds' epochs (a straggler's).
          enterRound(copy.role, epoch.round);
          return topology.serverTrainStep(copy.role, links);
        });
      } finally {
        for (const link of links) link.nextStep();
      }
    },
    epoch.hooks,
  );
}
