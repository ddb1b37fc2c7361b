import { encodedSize, getTopologyDescriptor, nameByteLength, POINT_BYTES, studyTaskHeads, TAG_BYTES, verticalStudyPlan, type protocol } from '@splitlearn/split-core/pure';
import { clientShare, crossingOf, segmentView, weightTraffic, type CrossingWords } from './segment_view';
import type { AlignmentView, ParticipantView, TopologyDescription } from './topology_description';

// Vertical (PAPER.md Fig. 2c): K parties hold different data about the same patients, each
// runs its own encoder, the relay joins their cut outputs under one head. One column per
// party, from split-core's tfjs-free vertical plan and the topology's descriptor (which
// crossings only the label holder sends, whether rows are aligned first).

type VerticalConfig = protocol.PartiesStudyConfig;
type Party = VerticalConfig['parties'][number];

/** Enough column names to recognise a party's table; the count says the rest. */
const SHOWN_COLUMNS = 3;

/** A vertical party's encoder reads its rows, so it computes no input gradient. */
const FED_RAW_DATA = true;

/**
 * The parties are one training group (study/groups.ts), and a group's weights are its
 * members' segments, each member getting back its own slice: a party only ever exchanges its
 * own encoder, whatever the schedule.
 */
const PARTY_WEIGHTS: Record<'up' | 'down', string> = { up: 'Its encoder’s weights, to the relay', down: 'Its own encoder’s weights, from the relay' };

/** A party gets back only its slice of the gradient of the joined cut outputs. */
const PARTY_WORDS: CrossingWords = { activations: 'Activations', gradients: 'Its slice of the gradient' };

function columnsInWords(columns: readonly string[]): string {
  const more = columns.length - SHOWN_COLUMNS;
  return `${columns.length} ${columns.length === 1 ? 'column' : 'columns'}: ${columns.slice(0, SHOWN_COLUMNS).join(', ')}${more > 0 ? `, … (${more} more)` : ''}`;
}

function dataHeld(party: Party): string {
  return 'columns' in party.input ? `Its table, ${columnsInWords(party.input.columns)}` : `An image region of each patient, ${party.input.image.join('×')} (height × width × channels)`;
}

function dataKept(party: Party): string {
  return 'columns' in party.input ? 'The values of its table' : 'Its images (decoded and used only on its device)';
}

/** Cut outputs are joined on their last axis (topology/vertical_plan.ts). */
function lastAxis(shape: readonly number[]): number {
  return shape[shape.length - 1] ?? 0;
}

function alignmentView(config: VerticalConfig, relayHoldsLabels: boolean): AlignmentView {
  const who = relayHoldsLabels ? `the ${config.parties.length} parties and the relay’s label table` : `the ${config.parties.length} parties`;
  return {
    // A party sends one blinded id and one tag per row it holds; both are this size.
    bytesPerRow: Math.max(POINT_BYTES, TAG_BYTES),
    plain:
      `Once, before training, ${who} line up their rows by private set intersection: each sends its patients’ ids only blinded ` +
      `(${POINT_BYTES} bytes per patient row), blinds the others’ blinded ids in turn and sends a ${TAG_BYTES}-byte tag per row; ` +
      'the shared rows are then ordered by tag, so row k is the same patient everywhere.',
    relayLearns: relayHoldsLabels
      ? 'The relay forwards blinded ids and tags it cannot read; as a holder of ids itself (its label table) it learns which of its labelled patients every party holds, and the counts, never another id.'
      : 'Only counts reach the relay (how many rows each party brought, how many they share): it forwards blinded ids and tags it cannot read.',
  };
}

/** Throws where the parties cannot be planned (an encoder that does not fit its input, unknown head). */
export function describeVertical(config: VerticalConfig): TopologyDescription {
  const descriptor = getTopologyDescriptor(config.topology);
  const plan = verticalStudyPlan(config);
  const holder = config.labelHolder === 'server' ? undefined : config.labelHolder;
  const holderName = holder === undefined ? 'the relay' : (config.parties[holder]?.name ?? `party ${holder}`);
  const count = config.parties.length;
  const participants = config.parties.map((party, index): ParticipantView => {
    const encoder = plan.parties[index];
    if (!encoder) throw new Error(`the vertical plan has no encoder for party ${index}`);
    const holdsLabels = index === holder;
    const segment = segmentView(encoder, 'client-bottom', 'Its encoder (party segment)', FED_RAW_DATA);
    const cut = { sampleShape: encoder.outputShape, label: `cut “${encoder.layers[encoder.layers.length - 1]?.name ?? `party ${index}`}”` };
    return {
      title: `${party.name} (party ${index})`,
      party: index,
      holdsLabels,
      holds: [dataHeld(party), `The patient id column “${config.idColumn}” (sent only blinded)`, ...(holdsLabels ? [`The labels (column “${config.labelColumn}”), sent with every batch`] : [])],
      segments: [segment],
      perStep: descriptor.wirePlan.train.filter((crossing) => holdsLabels || !crossing.labelHolderOnly).map((crossing) => crossingOf(crossing, [cut], config.batchSize, config.codec, PARTY_WORDS)),
      perRound: weightTraffic(config.schedule, [segment], PARTY_WEIGHTS),
      neverLeaves: [dataKept(party), ...descriptor.neverLeaves, ...(holdsLabels ? [] : [`Labels: it sends none (${holderName} holds them)`])],
    };
  });
  // Extended vanilla: the parties feed an intermediate participant, which feeds the relay.
  const intermediate = plan.intermediate;
  if (intermediate) {
    const segment = segmentView(intermediate, 'client-bottom', 'Its layers over the joined party encodings', !FED_RAW_DATA);
    const forward = { direction: 'up' as const, what: 'Activations of its layers, to the relay', shape: [config.batchSize, ...intermediate.outputShape], bytes: encodedSize([config.batchSize, ...intermediate.outputShape], 'float32', config.codec, nameByteLength('activations')), encoding: config.codec };
    const back = { direction: 'down' as const, what: 'Gradients at its output, from the relay (each party’s slice at its input goes back to it)', shape: [config.batchSize, ...intermediate.outputShape], bytes: forward.bytes, encoding: config.codec };
    for (const party of participants) party.perStep = party.perStep.map((crossing) => (crossing.what.startsWith('Labels') ? { ...crossing, what: `${crossing.what}, straight to the relay` } : { ...crossing, what: `${crossing.what} (${crossing.direction === 'up' ? 'to' : 'from'} the intermediate participant)` }));
    participants.push({
      title: `Intermediate participant (position ${count})`,
      party: count,
      holdsLabels: false,
      holds: [...(descriptor.holds.intermediate ?? [])],
      segments: [segment],
      perStep: [forward, back],
      perRound: weightTraffic(config.schedule, [segment]),
      neverLeaves: ['It holds no patient data: it receives the parties’ encodings, never their rows or the labels'],
    });
  }
  const widths = plan.parties.map((encoder) => lastAxis(encoder.outputShape));
  const heads = studyTaskHeads(config);
  const lossHere = descriptor.lossHolder === 'server' ? ', loss' : '';
  const relaySegments = [segmentView(plan.server, 'server', `Server head over ${intermediate ? 'the intermediate participant’s outputs' : 'the joined cut outputs'}${lossHere}`, !FED_RAW_DATA)];
  return {
    topology: config.topology,
    model: `${count} parties, head ${config.head}`,
    schedule: config.schedule,
    codec: config.codec,
    participants,
    relay: {
      holds: [
        intermediate
          ? `Takes the intermediate participant’s outputs (${lastAxis(intermediate.outputShape)} values per patient), which join the ${count} parties’ cut outputs: ${widths.join(' + ')} = ${lastAxis(intermediate.inputShape)}`
          : `Joins the ${count} parties’ cut outputs: ${widths.join(' + ')} = ${lastAxis(plan.server.inputShape)} values per patient`,
        ...(heads ? [`One head per task: ${heads.map((head) => `${head.name} (${head.classes} classes, weight ${head.weight})`).join(', ')}; the loss is their weighted sum`] : []),
        holder === undefined ? `The labels: a table of patient id and label from the researcher; the loss is computed over it, and no party sends labels` : `The loss: it receives the labels from ${holderName}, the label holder`,
      ],
      segments: relaySegments,
    },
    ...(descriptor.alignsRows ? { alignment: alignmentView(config, holder === undefined) } : {}),
    schedulePlain: `Schedule ${config.schedule} over one group: the ${count} parties train together on their aligned rows, so there is no other group to take turns or average with. Each party sends, and gets back, only its own encoder’s weights.`,
    neverLeaves: ['Each party’s own columns and images', ...descriptor.neverLeaves, ...(holder === undefined ? ['Labels (the relay holds them)'] : [])],
    clientFlopsShare: clientShare(participants, relaySegments),
  };
}
