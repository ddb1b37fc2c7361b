import type { TrafficMeter } from '../accounting/traffic';
import type { Encoding } from '../codec/types';
import type { Sample } from '../data/dataset';
import type { BatchOrderKey } from './batch_order';
import type { ClientRole } from '../segment/roles';
import { createInProcessLinkPair } from '../topology/in_process_link';
import type { Link } from '../topology/link';
import { routedLink } from '../topology/routed_link';
import { serverLinksOf } from './server_links';
import { checkWiring, directWiring, WiringError, type GroupWiring, type Stage } from '../topology/wiring';
import type { Topology } from '../topology/topology';
import { runClientEpoch } from './client_epoch';
import { runHopEpoch } from './hop_epoch';
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
  /** The group's epoch (study seed, group, round): the round's learning rate, and the seed of each member's augmentation. */
  key: BatchOrderKey;
  steps: number;
  numClasses: number;
  /** Multi-task: every task's class count. */
  taskClasses?: readonly number[];
  /** Encoding of cut tensors; every tensor crosses the real codec. */
  encoding: Encoding;
  meter?: TrafficMeter;
  /** A vertical study whose server holds the labels: each batch's labels, in this epoch's batch order. */
  serverLabels?: readonly (readonly number[])[];
  /** After every step, with what the role holding the loss reported. */
  onStep?: (outcome: StepOutcome) => void;
  /** Who feeds whom (multi-hop, extended vanilla); every member feeds the server when absent. */
  wiring?: GroupWiring;
  /** The server's side of each link, as the study defends and watches it (privacy/server_defences.ts). */
  serverLink?: (link: Link) => Link;
}

type LinkPair = ReturnType<typeof createInProcessLinkPair>;

/**
 * One epoch of a group against a server copy, all in this process: each member's loop (a
 * data holder's client epoch, an intermediate participant's hop epoch) and the server's run
 * side by side, joined as the group's wiring says by in-process links that encode, meter and
 * decode every tensor as the wire would. The same loops run over the network.
 */
export async function runInProcessEpoch(epoch: InProcessEpoch): Promise<{ members: EpochTally[]; server: EpochTally }> {
  const { topology, phase, steps, numClasses, encoding, meter, onStep, key } = epoch;
  const wiring = epoch.wiring ?? directWiring(epoch.members.length);
  if (wiring.stages.length !== epoch.members.length) throw new WiringError(`the wiring places ${wiring.stages.length} members, the group has ${epoch.members.length}`);
  checkWiring(wiring);
  const pair = (member: InProcessMember): ReturnType<typeof createInProcessLinkPair> => createInProcessLinkPair({ encoding, participantId: member.id, ...(meter ? { meter } : {}) });
  // Each member's link to whoever it feeds; a label holder that feeds a hop has its own line to the server.
  const feeds = epoch.members.map(pair);
  const labelLines = epoch.members.map((member, index) => (member.holdsLabels !== false && wiring.stages[index]?.feeds !== 'server' && wiring.stages[index]?.kind === 'data' ? pair(member) : undefined));
  const lossOnServer = topology.descriptor.lossHolder === 'server';
  const report = onStep ? { afterStep: (_step: number, outcome: StepOutcome) => onStep(outcome) } : undefined;

  // The server's end of each member's line to it: the member's feed, or its label line.
  const serverLinks = serverLinksOf(
    wiring,
    (index) => labelLines[index] !== undefined,
    (index) => {
      const line = labelLines[index] ?? feeds[index];
      if (!line) throw new WiringError(`no member ${index} in the group`);
      return line.server;
    },
  );

  // Where a client computes the loss (U-shaped), the group's first data holder reports it.
  const reporter = lossOnServer ? -1 : wiring.stages.findIndex((stage) => stage.kind === 'data');
  const memberLoops = epoch.members.map((member, index) => {
    const stage = wiring.stages[index] as Stage;
    const own = (feeds[index] as LinkPair).client;
    if (stage.kind === 'hop') {
      return runHopEpoch({ role: member.role, upstream: stage.from.map((source) => (feeds[source] as LinkPair).server), downstream: own, phase, round: key.round, steps });
    }
    const line = labelLines[index];
    const link = line ? routedLink({ activations: own, gradients: own, labels: line.client }) : own;
    return runClientEpoch({
      topology,
      role: member.role,
      link,
      phase,
      key,
      batches: member.batches,
      steps,
      sampleShape: member.sampleShape,
      numClasses,
      ...(epoch.taskClasses ? { taskClasses: epoch.taskClasses } : {}),
      ...(member.holdsLabels !== undefined ? { holdsLabels: member.holdsLabels } : {}),
      ...(index === reporter && report ? { hooks: report } : {}),
    });
  });
  const [server, ...members] = await Promise.all([
    runServerEpoch({
      topology,
      copy: epoch.server,
      links: [...(epoch.serverLabels ? [serverLabelsLink(epoch.serverLabels)] : []), ...(epoch.serverLink ? serverLinks.map(epoch.serverLink) : serverLinks)],
      phase,
      round: key.round,
      steps,
      ...(lossOnServer && report ? { hooks: report } : {}),
    }),
    ...memberLoops,
  ]);
  return { members, server };
}
