import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { alignInProcess } from '../alignment/align_in_process';
import { alignParty } from '../alignment/aligned_parties';
import type { Dataset, Sample } from '../data/dataset';
import { createRng } from '../data/random';
import { buildLayersModel } from '../model/build';
import type { LayerSpec } from '../model/spec';
import { readWeights } from '../model/weights';
import { trainingBatches } from '../runtime/batch_order';
import { RoundRobinSchedule } from '../schedule/round_robin';
import { relativeWeightDistances, useBackend } from '../testing/fixtures';
import { verticalRolePlans } from '../topology/role_plans';
import { planVertical } from '../topology/vertical_plan';
import { InProcessFederation } from './in_process_federation';

// Vertical split learning through the role runtime equals the unsplit network on the
// concatenated features (issue acceptance): two parties with overlapping patients align
// their rows by PSI, train one round of a vertical group (20 steps, SGD, batch 8), and end
// with the weights of the joint network trained in one place on the same batches, where the
// parties' encoders are one block-diagonal layer over [features A | features B].

const SGD = { name: 'sgd' as const, learningRate: 0.1 };
const SEED = 3;
const partyA: LayerSpec[] = [{ type: 'dense', name: 'p0_dense', units: 4, activation: 'relu' }];
const partyB: LayerSpec[] = [{ type: 'dense', name: 'p1_dense', units: 3, activation: 'relu' }];
const head: LayerSpec[] = [
  { type: 'dense', name: 'head_dense', units: 5, activation: 'relu' },
  { type: 'dense', name: 'logits', units: 2 },
];

beforeAll(() => useBackend('cpu'));

/** Patients P000.. with features split over two parties; party A also has the labels. */
function patients(count: number): { a: Sample[]; b: Sample[] } {
  const rng = createRng(7);
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const id = `P${String(i).padStart(3, '0')}`;
    const xa = Float32Array.from({ length: 6 }, () => rng.normal());
    const xb = Float32Array.from({ length: 10 }, () => rng.normal());
    const label = (xa[0] as number) + (xb[0] as number) > 0 ? 1 : 0;
    a.push({ id, label, values: xa });
    b.push({ id, label: 0, values: xb });
  }
  return { a, b };
}

const dataset = (samples: Sample[], width: number): Dataset => ({ classes: ['no', 'yes'], sampleShape: [width], samples });

describe('vertical split learning through the runtime', () => {
  it.each([
    ['party A holds the labels', 0],
    ['the server holds the labels', 'server'],
  ] as const)('equals the joint network on the concatenated features after 20 steps (SGD, same init, same batches): %s', async (_what, holder) => {
    const all = patients(220);
    // Each party holds a different part of the patients: 160 in common, in a different order at each.
    const serverHolds = holder === 'server';
    const a = all.a.slice(0, 190).map((sample) => (serverHolds ? { ...sample, label: 0 } : sample));
    const b = all.b.slice(30, 220).reverse();
    // Where the server holds the labels, it takes part in the alignment with its own table (every patient's label, no features).
    const labelTable = all.a.map((sample) => ({ ...sample, values: new Float32Array(0) }));
    const [inA, inB, inServer] = await alignInProcess([a.map((s) => s.id), b.map((s) => s.id), ...(serverHolds ? [labelTable.map((s) => s.id)] : [])], 'equivalence');
    const study = { seed: SEED, validationFraction: 0 };
    const alignedA = alignParty(dataset(a, 6), inA as NonNullable<typeof inA>, study);
    const alignedB = alignParty(dataset(b, 10), inB as NonNullable<typeof inB>, study);
    const serverLabels = serverHolds ? alignParty(dataset(labelTable, 0), inServer as NonNullable<typeof inServer>, study).train : undefined;
    expect(alignedA.aligned).toBe(160);
    expect(alignedB.train.samples.map((s) => s.id)).toEqual(alignedA.train.samples.map((s) => s.id));

    const plan = planVertical(
      [
        { layers: partyA, inputShape: [6] },
        { layers: partyB, inputShape: [10] },
      ],
      head,
    );
    const meter = new TrafficMeter();
    const federation = new InProcessFederation({
      plans: verticalRolePlans(plan, 2, serverHolds ? undefined : 0, (id) => (id === 'hospital-a' ? 0 : 1)),
      clients: [
        { id: 'hospital-a', data: alignedA.train },
        { id: 'hospital-b', data: alignedB.train },
      ],
      groups: [{ id: 'group', members: ['hospital-a', 'hospital-b'], sampleCount: 160 }],
      batchSize: 8,
      seed: SEED,
      optimizer: SGD,
      encoding: 'fp32',
      meter,
      ...(serverLabels ? { serverLabels } : {}),
    });
    // The reference: the same parameters as one model on [features A | features B].
    const inputA = tf.input({ shape: [6] });
    const inputB = tf.input({ shape: [10] });
    const modelA = buildLayersModel(partyA, [6], { seed: SEED, name: 'refA' });
    const modelB = buildLayersModel(partyB, [10], { seed: SEED, name: 'refB' });
    const top = buildLayersModel(head, [7], { seed: SEED, name: 'refTop' });
    const joined = tf.layers.concatenate().apply([modelA.apply(inputA) as tf.SymbolicTensor, modelB.apply(inputB) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const reference = tf.model({ inputs: [inputA, inputB], outputs: top.apply(joined) as tf.SymbolicTensor });
    const optimizer = tf.train.sgd(SGD.learningRate);
    const initial = [modelA, modelB, top].flatMap((model) => readWeights(model));

    await new RoundRobinSchedule().runRound(federation);
    // The batch-order rule, keyed by the group and the round, over the common row order.
    const positions = trainingBatches(Array.from({ length: 160 }, (_, i) => i), 8, { seed: SEED, group: 'group', round: 0 });
    expect(positions).toHaveLength(20);
    for (const batch of positions) {
      const rows = (samples: Sample[]): Float32Array[] => batch.map((i) => (samples[i] as Sample).values);
      const xa = tf.tensor2d(rows(alignedA.train.samples).flatMap((values) => [...values]), [batch.length, 6]);
      const xb = tf.tensor2d(rows(alignedB.train.samples).flatMap((values) => [...values]), [batch.length, 10]);
      const labels = tf.tensor1d(batch.map((i) => (all.a.find((sample) => sample.id === alignedA.train.samples[i]?.id) as Sample).label), 'int32');
      optimizer.minimize(() => {
        const loss: tf.Scalar = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), reference.apply([xa, xb], { training: true }) as tf.Tensor);
        return loss;
      });
      tf.dispose([xa, xb, labels]);
    }

    const expected = [modelA, modelB, top].flatMap((model) => readWeights(model));
    const actual = [...federation.clientRole('hospital-a').segments, ...federation.clientRole('hospital-b').segments, ...federation.sharedServer.role.segments].flatMap((segment) => readWeights(segment.model));
    for (const [name, distance] of relativeWeightDistances(expected, actual)) expect(distance, name).toBeLessThanOrEqual(1e-4);
    expect(Math.max(...relativeWeightDistances(initial, expected).values())).toBeGreaterThan(1e-2);
    // Only the label holder sent labels; none crossed where the server holds them.
    const traffic = meter.snapshot();
    expect(traffic.byParticipant['hospital-a']?.byKind.labels?.up.messages).toBe(serverHolds ? undefined : 20);
    expect(traffic.byParticipant['hospital-b']?.byKind.labels).toBeUndefined();
    if (serverHolds) expect(serverLabels?.samples.map((sample) => sample.id)).toEqual(alignedA.train.samples.map((sample) => sample.id));
    federation.dispose();
  });
});
