import type { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import type { Sample } from '../data/dataset';
import type { ClientRole } from '../segment/roles';
import { createInProcessLinkPair } from '../topology/in_process_link';
import type { Topology } from '../topology/topology';
import { runClientEpoch } from './client_epoch';
import { runServerEpoch } from './server_epoch';
import { serverLabelsLink } from './server_labels';
import type { ServerCopy } from './server_pool';
import type { EpochTally, StepOutcome } from './tally';

/** A member of a group training in this process: its role and this epoch's batches. */
export interface InProcessMember {
  id: string;
  role: ClientRole;
  batches: readonly (readonly Sample[])[];
  sampleShape: readonly number[];
  holdsLabels?: boolean;
}

export interface InProcessEpoch {
  topology: Topology;
  members: readonly InProcessMember[];
  server: ServerCopy;
  phase: 'train' | 'eval';
  steps: number;
  numClasses: number;
  /** Encoding of cut tensors; every tensor crosses the real codec. */
  encoding: Encoding;
  meter?: TrafficMeter;
  /** A vertical study whose server holds the labels: each batch's labels, in this epoch's batch order. */
  serverLabels?: readonly (readonly number[])[];
  /** After every step, with what the role holding the loss reported. */
  onStep?: (outcome: StepOutcome) => void;
}

/**
 * One epoch of a group against a server copy, all in this process: each member's client
 * epoch and the server epoch run side by side, joined by in-process links that encode,
 * meter and decode every tensor as the wire would. The same loops run over the network.
 */
export async function runInProcessEpoch(epoch: InProcessEpoch): Promise<{ members: EpochTally[]; server: EpochTally }> {
  const { topology, phase, steps, numClasses, encoding, meter, onStep } = epoch;
  const joined = epoch.members.map((member) => ({ member, link: createInProcessLinkPair({ encoding, participantId: member.id, ...(meter ? { meter } : {}) }) }));
  const lossOnServer = topology.descriptor.lossHolder === 'server';
  const report = onStep ? { afterStep: (_step: number, outcome: StepOutcome) => onStep(outcome) } : undefined;
  const [server, ...members] = await Promise.all([
    runServerEpoch({
      topology,
      copy: epoch.server,
      links: [...(epoch.serverLabels ? [serverLabelsLink(epoch.serverLabels)] : []), ...joined.map(({ link }) => link.server)],
      phase,
      steps,
      ...(lossOnServer && report ? { hooks: report } : {}),
    }),
    ...joined.map(({ member, link }, i) =>
      runClientEpoch({
        topology,
        role: member.role,
        link: link.client,
        phase,
        batches: member.batches,
        steps,
        sampleShape: member.sampleShape,
        numClasses,
        ...(member.holdsLabels !== undefined ? { holdsLabels: member.holdsLabels } : {}),
        // The client computing the loss (U-shaped) reports it; one member does in a group that does.
        ...(!lossOnServer && report && i === 0 ? { hooks: report } : {}),
      }),
    ),
  ]);
  return { members, server };
}
