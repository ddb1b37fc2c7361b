import { study as studyLib, type protocol } from '@splitlearn/split-core';
import type { SegmentPlan } from '@splitlearn/split-core/pure';
import type { StudySummary } from './messages';
import type { EgressInput } from './what_leaves';

type StudyInfo = protocol.StudyInfo;

export function toStudySummary(study: StudyInfo): StudySummary {
  const config = study.config;
  const names = studyLib.positionNames(config);
  const positions = names?.map((name, index) => ({ name, intermediate: studyLib.isIntermediate(config, index) }));
  const common = {
    id: study.id,
    name: config.name,
    state: study.state,
    round: study.round,
    rounds: config.rounds,
    topology: config.topology,
    schedule: config.schedule,
    codec: config.codec,
    classes: config.classes,
    batchSize: config.batchSize,
    validationFraction: config.validationFraction,
    minClients: config.minClients,
    ...(config.handoffKeyCheck !== undefined ? { handoffKeyCheck: config.handoffKeyCheck } : {}),
    ...(config.maxStepsPerRound !== undefined ? { maxStepsPerRound: config.maxStepsPerRound } : {}),
    ...(positions ? { positions } : {}),
  };
  if (!('parties' in config)) return { ...common, model: config.model, inputShape: config.inputShape };
  return {
    ...common,
    model: config.head,
    inputShape: [],
    vertical: {
      parties: config.parties.map((party) => ({ name: party.name, ...('columns' in party.input ? { columns: party.input.columns } : { image: party.input.image }) })),
      labelHolder: config.labelHolder,
      idColumn: config.idColumn,
      labelColumn: config.labelColumn,
      fileColumn: config.fileColumn,
      ...(config.topology === 'multi-task' ? { taskColumns: config.tasks.map((task) => task.column ?? task.name) } : {}),
    },
  };
}

/**
 * Per-sample shape at every cut this client's link carries, input side first: the output of
 * every segment but the model's last. A vertical party's one cut is its encoder's output.
 */
export function cutShapes(clientPlans: readonly SegmentPlan[], serverPlans: readonly SegmentPlan[]): number[][] {
  const segments = [...clientPlans, ...serverPlans].sort((a, b) => a.index - b.index);
  return segments.slice(0, -1).map((segment) => segment.outputShape);
}

/** This client's roles in the study: the segments it holds and the server's, and whether its batches carry the labels. */
export interface ClientRoleView {
  client: readonly SegmentPlan[];
  server: readonly SegmentPlan[];
  holdsLabels: boolean;
}

/** What a client trains on: images in a horizontal study; a vertical party's table or images, as its input says. */
export function clientDataKind(study: StudyInfo, party: number | undefined): NonNullable<EgressInput['data']> {
  const { config } = study;
  if (!('parties' in config)) return 'images';
  const input = party === undefined ? undefined : config.parties[party]?.input;
  return input !== undefined && 'image' in input ? 'images' : 'table';
}

/**
 * `vertical`: which party this client is, and the rows it brings to the alignment once they
 * are read; `position`: in a study with positions, the one this client takes.
 */
export function egressInputFor(study: StudyInfo, role: ClientRoleView, clientWeights: EgressInput['clientWeights'], vertical?: { party: number; alignmentRows?: number }, position?: number): EgressInput {
  const { config } = study;
  const name = position === undefined ? undefined : studyLib.positionNames(config)?.[position];
  if (position !== undefined && studyLib.isIntermediate(config, position)) {
    const [segment] = role.client;
    return {
      topology: config.topology,
      codec: config.codec,
      batchSize: config.batchSize,
      cutShapes: [segment?.outputShape ?? []],
      clientWeights,
      holdsLabels: false,
      data: 'none',
      position: { name: name ?? `Position ${position}`, intermediateInput: segment?.inputShape ?? [] },
      privacy: studyLib.privacyDisclosure(config),
      ...(config.handoffKeyCheck !== undefined ? { sealedHandoff: true } : {}),
    };
  }
  const method = 'method' in config ? config.method : undefined;
  return {
    ...(name !== undefined ? { position: { name } } : {}),
    ...(method !== undefined && method !== 'splitnn' ? { method } : {}),
    privacy: studyLib.privacyDisclosure(config),
    ...(config.handoffKeyCheck !== undefined ? { sealedHandoff: true } : {}),
    topology: config.topology,
    codec: config.codec,
    batchSize: config.batchSize,
    cutShapes: cutShapes(role.client, role.server),
    clientWeights,
    holdsLabels: role.holdsLabels,
    data: clientDataKind(study, vertical?.party),
    ...(vertical?.alignmentRows !== undefined ? { alignmentRows: vertical.alignmentRows } : {}),
  };
}
