import { describe, expect, it } from 'vitest';
import { alignment } from '@splitlearn/split-core';
import { encodedSize, nameByteLength, protocol, segmentFlops, verticalStudyPlan, type SegmentPlan } from '@splitlearn/split-core/pure';
import { studyInfo } from '../feed/test_support';
import { describeTopology, type Crossing, type ParticipantView, type TopologyDescription } from './describe_topology';

type Config = protocol.HorizontalStudyConfig;
const base = (): Config => protocol.horizontalStudy(studyInfo().config);

function described(overrides: Partial<Config> = {}): TopologyDescription {
  const result = describeTopology({ ...base(), ...overrides });
  if (!result.ok) throw new Error(result.problem);
  return result.description;
}

/** A horizontal study's one column: every hospital alike. */
function column(topology: TopologyDescription): ParticipantView {
  const [first] = topology.participants;
  if (!first) throw new Error('no participant column');
  return first;
}

describe('describeTopology', () => {
  it('a baseline: each hospital holds every layer and the loss, the relay none; gradients cross every step (large-batch SGD), weights once a round (federated averaging)', () => {
    const lbsgd = described({ method: 'lbsgd' });
    const layers = column(described()).segments.concat(described().relay.segments).flatMap((segment) => segment.layers);
    expect(column(lbsgd).segments.flatMap((segment) => segment.layers)).toEqual(layers);
    expect(lbsgd.relay.segments).toEqual([]);
    expect(lbsgd.clientFlopsShare).toBe(1);
    expect(lbsgd.method?.title).toMatch(/Large-batch synchronous SGD/);
    const params = column(lbsgd).segments[0]?.params ?? 0;
    expect(column(lbsgd).perStep.map((crossing) => [crossing.direction, crossing.bytes])).toEqual([
      ['up', params * 4],
      ['down', params * 4],
    ]);
    expect(lbsgd.neverLeaves.join(' ')).toMatch(/Labels/);
    const fedavg = described({ method: 'fedavg', localEpochs: 3 });
    expect(column(fedavg).perStep).toEqual([]);
    expect(column(fedavg).perRound.map((crossing) => crossing.what)).toEqual(['The whole model after 3 local epoch(s)', 'The sample-weighted average of every hospital’s model']);
  });

  it('vanilla: the hospital runs the layers up to the cut, labels go up with the activations', () => {
    const topology = described();
    expect(column(topology).segments.map((segment) => segment.layers)).toEqual([['conv1 (conv 3×3, 32 filters)', 'pool1 (max pool 2×2)']]);
    expect(topology.relay.segments[0]?.layers[0]).toBe('conv2 (conv 3×3, 64 filters)');
    expect(column(topology).perStep.map((crossing) => [crossing.direction, crossing.what, crossing.shape])).toEqual([
      ['up', 'Activations at cut “pool1”', [32, 14, 14, 32]],
      ['up', 'Labels of the batch', [32]],
      ['down', 'Gradients at cut “pool1”', [32, 14, 14, 32]],
    ]);
    expect(topology.relay.holds.join(' ')).toMatch(/receives the labels/);
    expect(topology.neverLeaves).not.toContain('Labels');
  });

  it('sizes tensors with the codec (fp16 halves the activations) and labels raw', () => {
    const fp32 = described();
    const fp16 = described({ codec: 'fp16' });
    const activations32 = column(fp32).perStep[0]?.bytes ?? 0;
    const activations16 = column(fp16).perStep[0]?.bytes ?? 0;
    expect(activations32).toBeGreaterThan(32 * 14 * 14 * 32 * 4);
    expect(activations16).toBeLessThan(activations32 / 2 + 200);
    expect(column(fp16).perStep[1]).toMatchObject({ encoding: 'int32', bytes: column(fp32).perStep[1]?.bytes });
  });

  it('U-shaped: the hospital holds the head and the labels, which never leave', () => {
    const topology = described({ topology: 'u-shaped' });
    expect(column(topology).segments.map((segment) => segment.role)).toEqual(['client-bottom', 'client-head']);
    expect(column(topology).segments[1]?.layers).toEqual(['logits (dense, 2 units)']);
    expect(topology.relay.segments[0]?.layers).toEqual(['conv2 (conv 3×3, 64 filters)', 'pool2 (max pool 2×2)', 'flatten (flatten)', 'dense1 (dense, 128 units)']);
    expect(column(topology).perStep.map((crossing) => `${crossing.direction} ${crossing.what}`)).toEqual([
      'up Activations at cut 1 “pool1”',
      'down Activations at cut 2 “dense1”',
      'up Gradients at cut 2 “dense1”',
      'down Gradients at cut 1 “pool1”',
    ]);
    expect(column(topology).perStep.some((crossing) => crossing.what.includes('Labels'))).toBe(false);
    expect(topology.neverLeaves).toEqual(expect.arrayContaining(['Labels', 'Predictions']));
  });

  it('follows configured cuts', () => {
    const topology = described({ cuts: ['conv2'] });
    expect(column(topology).segments[0]?.layers).toHaveLength(3);
    expect(column(topology).perStep[0]?.shape).toEqual([32, 14, 14, 64]);
  });

  it('describes weight traffic by schedule', () => {
    expect(column(described({ schedule: 'round-robin' })).perRound.map((crossing) => crossing.direction)).toEqual(['down', 'up']);
    expect(column(described({ schedule: 'splitfed-v2' })).perRound.map((crossing) => crossing.what)).toEqual(['Its client-segment weights, at the end of the round', 'The averaged client segments (FedAvg)']);
    expect(described({ schedule: 'splitfed-v1' }).schedulePlain).toMatch(/own copy of the server segment/);
    // conv1 has 3*3*1*32 + 32 parameters, sent as fp32.
    expect(column(described()).perRound[0]?.bytes).toBe((3 * 3 * 32 + 32) * 4);
  });

  it('puts most of the compute on the relay for the catalogue models', () => {
    const share = described().clientFlopsShare;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.5);
  });

  it('explains a configuration it cannot split', () => {
    const result = describeTopology({ ...base(), cuts: ['no-such-layer'] });
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problem).toMatch(/no layer named 'no-such-layer'/);
    expect(describeTopology({ ...base(), model: 'gpt-9' })).toMatchObject({ ok: false });
  });
});

// Vertical studies: a breast-cancer-like table split between parties, and an image region.
const MEAN_COLUMNS = ['mean_radius', 'mean_texture', 'mean_perimeter', 'mean_area', 'mean_smoothness', 'mean_compactness', 'mean_concavity', 'mean_concave_points', 'mean_symmetry', 'mean_fractal_dimension'];
const WORST_COLUMNS = ['worst_radius', 'worst_texture', 'worst_perimeter', 'worst_area', 'worst_smoothness'];

function verticalConfig(overrides: Record<string, unknown> = {}): protocol.VerticalStudyConfig {
  // Through the schema, so the fixture is a configuration the relay would accept (defaults included).
  return protocol.VerticalStudyConfigSchema.parse({
    name: 'Breast cancer, vertical',
    topology: 'vertical',
    classes: ['benign', 'malignant'],
    schedule: 'round-robin',
    parties: [
      { name: 'Cytology', input: { columns: MEAN_COLUMNS } },
      { name: 'Radiology', input: { columns: WORST_COLUMNS } },
    ],
    labelHolder: 0,
    ...overrides,
  });
}

const threeParties = (overrides: Record<string, unknown> = {}): protocol.VerticalStudyConfig =>
  verticalConfig({
    parties: [
      { name: 'Cytology', input: { columns: MEAN_COLUMNS } },
      { name: 'Imaging', input: { image: [28, 14, 1] } },
      { name: 'Radiology', input: { columns: WORST_COLUMNS } },
    ],
    labelHolder: 1,
    ...overrides,
  });

function describedVertical(config: protocol.VerticalStudyConfig): TopologyDescription {
  const result = describeTopology(config);
  if (!result.ok) throw new Error(result.problem);
  return result.description;
}

const labelCrossings = (participant: ParticipantView): Crossing[] => participant.perStep.filter((crossing) => crossing.encoding === 'int32');

describe('describeTopology, vertical', () => {
  it('draws one column per party, each with what it holds and its own encoder', () => {
    const two = describedVertical(verticalConfig());
    expect(two.participants.map((party) => party.title)).toEqual(['Cytology (party 0)', 'Radiology (party 1)']);
    expect(two.participants[0]?.holds[0]).toBe('Its table, 10 columns: mean_radius, mean_texture, mean_perimeter, … (7 more)');
    expect(two.participants[1]?.holds[0]).toBe('Its table, 5 columns: worst_radius, worst_texture, worst_perimeter, … (2 more)');
    expect(two.participants[0]?.segments[0]?.layers).toEqual(['p0_dense1 (dense, 32 units)', 'p0_dense2 (dense, 16 units)']);
    // 10→32 and 32→16 dense layers, weights and biases.
    expect(two.participants[0]?.segments[0]?.params).toBe(10 * 32 + 32 + 32 * 16 + 16);
    expect(two.model).toBe('2 parties, head mlp-head');

    const three = describedVertical(threeParties());
    expect(three.participants).toHaveLength(3);
    expect(three.participants[1]?.holds[0]).toBe('An image region of each patient, 28×14×1 (height × width × channels)');
    expect(three.participants[1]?.segments[0]?.layers[0]).toBe('p1_conv1 (conv 3×3, 16 filters)');
    expect(three.participants.map((party) => party.segments[0]?.outputShape)).toEqual([[16], [32], [16]]);
    expect(three.participants.map((party) => party.holdsLabels)).toEqual([false, true, false]);
    expect(three.participants[1]?.holds).toContain('The labels (column “label”), sent with every batch');
    expect(three.clientFlopsShare).toBeGreaterThan(0);
    expect(three.clientFlopsShare).toBeLessThan(1);
  });

  it('counts no input gradient for an encoder fed the party’s own rows, and one for the head fed cut outputs', () => {
    const config = threeParties();
    const plan = verticalStudyPlan(config);
    const three = describedVertical(config);
    const total = (segment: SegmentPlan, needsInputGradient: boolean): number => {
      const flops = segmentFlops(segment.layers, segment.inputShape, { needsInputGradient });
      return flops.forward + flops.backward;
    };
    const cytology = plan.parties[0] as SegmentPlan;
    expect(total(cytology, false)).toBeLessThan(total(cytology, true));
    expect(three.participants[0]?.segments[0]?.flopsPerSample).toBe(total(cytology, false));
    expect(three.relay.segments[0]?.flopsPerSample).toBe(total(plan.server, true));
  });

  it('only the label holder sends labels (raw int32); every party sends its activations and gets its gradient slice', () => {
    const three = describedVertical(threeParties());
    expect(three.participants.map((party) => labelCrossings(party).length)).toEqual([0, 1, 0]);
    expect(labelCrossings(three.participants[1] as ParticipantView)[0]).toMatchObject({ direction: 'up', what: 'Labels of the batch', shape: [32] });
    expect(three.participants[1]?.perStep.map((crossing) => `${crossing.direction} ${crossing.what}`)).toEqual(['up Activations at cut “p1_dense”', 'up Labels of the batch', 'down Its slice of the gradient at cut “p1_dense”']);
    expect(three.participants[0]?.perStep.map((crossing) => `${crossing.direction} ${crossing.what}`)).toEqual(['up Activations at cut “p0_dense2”', 'down Its slice of the gradient at cut “p0_dense2”']);
    expect(three.relay.holds.join(' ')).toMatch(/labels from Imaging, the label holder/);
  });

  it('sizes each party’s activations by its encoder’s output width and the batch; the server head joins them all', () => {
    const config = threeParties({ batchSize: 24 });
    const three = describedVertical(config);
    const plan = verticalStudyPlan(config);
    three.participants.forEach((party, index) => {
      const tensors = party.perStep.filter((crossing) => crossing.encoding !== 'int32');
      expect(tensors.map((crossing) => crossing.shape)).toEqual([
        [24, ...(plan.parties[index]?.outputShape ?? [])],
        [24, ...(plan.parties[index]?.outputShape ?? [])],
      ]);
    });
    expect(three.participants.map((party) => party.perStep[0]?.shape)).toEqual([
      [24, 16],
      [24, 32],
      [24, 16],
    ]);
    expect(three.relay.segments[0]?.inputShape).toEqual([16 + 32 + 16]);
    expect(three.relay.segments[0]?.layers).toEqual(['head_dense (dense, 32 units)', 'logits (dense, 2 units)']);
    expect(three.relay.holds[0]).toBe('Joins the 3 parties’ cut outputs: 16 + 32 + 16 = 64 values per patient');
  });

  it('sizes tensors as codec frames (fp16 smaller) and labels raw whatever the codec', () => {
    const fp32 = describedVertical(threeParties());
    const fp16 = describedVertical(threeParties({ codec: 'fp16' }));
    const imaging32 = fp32.participants[1]?.perStep ?? [];
    const imaging16 = fp16.participants[1]?.perStep ?? [];
    expect(imaging32[0]?.bytes).toBe(encodedSize([32, 32], 'float32', 'fp32', nameByteLength('activations')));
    expect(imaging16[0]?.bytes).toBe(encodedSize([32, 32], 'float32', 'fp16', nameByteLength('activations')));
    expect(imaging32[0]?.bytes).toBeGreaterThan(32 * 32 * 4);
    expect(imaging16[0]?.bytes ?? Infinity).toBeLessThan(imaging32[0]?.bytes ?? 0);
    expect(imaging16[0]?.encoding).toBe('fp16');
    expect(imaging16[1]).toMatchObject({ encoding: 'int32', bytes: imaging32[1]?.bytes });
    expect(imaging32[1]?.bytes).toBe(encodedSize([32], 'int32', 'fp32', nameByteLength('labels')));
    expect(imaging32[2]?.bytes).toBe(encodedSize([32, 32], 'float32', 'fp32', nameByteLength('gradients')));
  });

  it('moves each party’s own encoder weights per round, by schedule', () => {
    const three = describedVertical(threeParties({ schedule: 'splitfed-v2' }));
    expect(three.participants.map((party) => party.perRound.map((crossing) => crossing.bytes))).toEqual(three.participants.map((party) => [(party.segments[0]?.params ?? 0) * 4, (party.segments[0]?.params ?? 0) * 4]));
    expect(three.participants[0]?.perRound[0]?.bytes).toBe((10 * 32 + 32 + 32 * 16 + 16) * 4);
    expect(three.participants[0]?.perRound.map((crossing) => `${crossing.direction} ${crossing.what}`)).toEqual(['up Its encoder’s weights, to the relay', 'down Its own encoder’s weights, from the relay']);
    expect(three.schedulePlain).toMatch(/over one group: the 3 parties train together/);
  });

  it('says what never leaves each party: patient ids, other parties’ data and, but at the label holder, the labels', () => {
    const three = describedVertical(threeParties());
    for (const party of three.participants) {
      expect(party.neverLeaves).toEqual(expect.arrayContaining(['Patient ids (only blinded ids are exchanged to align rows)', 'Other parties’ data']));
    }
    expect(three.participants[0]?.neverLeaves).toContain('Labels: it sends none (Imaging holds them)');
    expect(three.participants[1]?.neverLeaves.some((item) => item.startsWith('Labels'))).toBe(false);
    expect(three.participants[1]?.neverLeaves[0]).toMatch(/Its images/);
    expect(three.participants[2]?.neverLeaves[0]).toBe('The values of its table');
  });

  it('where the relay holds the labels, no party sends any', () => {
    const three = describedVertical(threeParties({ labelHolder: 'server' }));
    expect(three.participants.flatMap(labelCrossings)).toEqual([]);
    expect(three.participants.every((party) => party.neverLeaves.includes('Labels: it sends none (the relay holds them)'))).toBe(true);
    expect(three.relay.holds[1]).toMatch(/table of patient id and label/);
    expect(three.alignment?.plain).toMatch(/the relay’s label table/);
  });

  it('aligns rows once by private set intersection, 32 bytes per blinded id, counts only to the relay', () => {
    const two = describedVertical(verticalConfig());
    expect(two.alignment?.bytesPerRow).toBe(alignment.POINT_BYTES);
    expect(two.alignment?.bytesPerRow).toBe(alignment.TAG_BYTES);
    expect(two.alignment?.plain).toMatch(/private set intersection.*blinded \(32 bytes per patient row\)/);
    expect(two.alignment?.relayLearns).toMatch(/^Only counts reach the relay/);
    // Horizontal hospitals hold different patients: nothing to align.
    expect(described().alignment).toBeUndefined();
  });

  it('explains a party it cannot plan', () => {
    const result = describeTopology(threeParties({ parties: [{ name: 'A', input: { columns: ['x'] } }, { name: 'B', input: { image: [28, 14, 1] }, model: 'mlp-party' }], labelHolder: 0 }));
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problem).toMatch(/mlp-party takes a row of features/);
  });
});

describe('describeTopology, the paper’s remaining configurations', () => {
  it('multi-hop: the data holders, then each hop, each saying what it sends to whom; labels straight to the relay', () => {
    const result = describeTopology({ ...base(), topology: 'multi-hop', cuts: ['pool1', 'pool2', 'dense1'], schedule: 'round-robin' });
    if (!result.ok) throw new Error(result.problem);
    const chain = result.description;
    expect(chain.participants.map((place) => place.title)).toEqual(['Each data holder (browser or Node client, position 0)', 'Hop 1 of 2 (position 1)', 'Hop 2 of 2 (position 2)']);
    expect(chain.participants.map((place) => place.perStep.map((crossing) => `${crossing.direction} ${crossing.what}`))).toEqual([
      ['up Activations at cut “pool1”, to hop 1', 'up Labels of the batch, straight to the relay', 'down Gradients at cut “pool1”, from hop 1'],
      ['up Activations at cut “pool2”, to hop 2', 'down Gradients at cut “pool2”, from hop 2'],
      ['up Activations at cut “dense1”, to the relay', 'down Gradients at cut “dense1”, from the relay'],
    ]);
    expect(chain.participants.map((place) => place.holdsLabels)).toEqual([true, false, false]);
    // Each place continues where the previous one ends, and the relay runs the logits.
    expect(chain.participants[1]?.segments[0]?.inputShape).toEqual(chain.participants[0]?.segments[0]?.outputShape);
    expect(chain.relay.segments[0]?.layers).toEqual(['logits (dense, 2 units)']);
  });

  it('extended vanilla: the parties feed an intermediate participant, which feeds the relay; multi-task: one head per task', () => {
    const extended = describedVertical({ ...verticalConfig(), topology: 'extended', intermediate: 'mlp-intermediate' } as unknown as protocol.VerticalStudyConfig);
    expect(extended.participants.map((party) => party.title)).toEqual(['Cytology (party 0)', 'Radiology (party 1)', 'Intermediate participant (position 2)']);
    expect(extended.participants[0]?.perStep.map((crossing) => crossing.what)).toEqual(['Activations at cut “p0_dense2” (to the intermediate participant)', 'Labels of the batch, straight to the relay', 'Its slice of the gradient at cut “p0_dense2” (from the intermediate participant)']);
    expect(extended.participants[2]?.segments[0]?.inputShape).toEqual([32]);
    expect(extended.participants[2]?.holdsLabels).toBe(false);
    const multiTask = describedVertical({ ...verticalConfig(), topology: 'multi-task', labelWeight: 1, tasks: [{ name: 'grade', classes: ['low', 'mid', 'high'], weight: 0.5 }] } as unknown as protocol.VerticalStudyConfig);
    expect(multiTask.relay.holds.join(' ')).toMatch(/One head per task: label \(2 classes, weight 1\), grade \(3 classes, weight 0.5\)/);
    expect(multiTask.relay.segments[0]?.outputShape).toEqual([5]);
  });
});
