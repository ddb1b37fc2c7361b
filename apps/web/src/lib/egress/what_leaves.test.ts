import * as tf from '@tensorflow/tfjs';
import { accounting, codec, model, network, privacy } from '@splitlearn/split-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchSizeAt, declaredStepBytes, describeEgress, type EgressInput } from './what_leaves';

const ENCODINGS = ['fp32', 'fp16', 'int8'] as const;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function vanillaInput(encoding: codec.Encoding): EgressInput {
  return {
    topology: 'vanilla',
    codec: encoding,
    batchSize: 32,
    cutShapes: [[14, 14, 8]],
    clientWeights: [[{ name: 'conv1/kernel', shape: [3, 3, 1, 8] }, { name: 'conv1/bias', shape: [8] }]],
  };
}

function uShapedInput(encoding: codec.Encoding): EgressInput {
  return {
    topology: 'u-shaped',
    codec: encoding,
    batchSize: 16,
    cutShapes: [[14, 14, 8], [64]],
    clientWeights: [
      [{ name: 'conv1/kernel', shape: [3, 3, 1, 8] }, { name: 'conv1/bias', shape: [8] }],
      [{ name: 'logits/kernel', shape: [64, 2] }, { name: 'logits/bias', shape: [2] }],
    ],
  };
}

/** The real frame the codec would produce, as the reference for every declared size. */
function realFrameBytes(kind: string, shape: number[], dtype: 'float32' | 'int32', encoding: codec.Encoding): number {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = dtype === 'int32' ? new Int32Array(size) : Float32Array.from({ length: size }, (_, i) => i / size);
  return codec.encodeTensor({ name: kind, dtype, shape, values }, dtype === 'int32' ? 'fp32' : encoding).byteLength;
}

/** A vertical party with a 3-column table and a 16-wide encoder. */
function partyInput(holdsLabels: boolean): EgressInput {
  return {
    topology: 'vertical',
    codec: 'fp32',
    batchSize: 16,
    cutShapes: [[16]],
    clientWeights: [[{ name: 'party0_dense1/kernel', shape: [3, 16] }, { name: 'party0_dense1/bias', shape: [16] }]],
    holdsLabels,
    data: 'table',
    alignmentRows: 220,
  };
}

describe('describeEgress', () => {
  it('a vertical party: blinded ids and tags for its rows before training, its activations each step, labels only at the label holder', () => {
    const holder = describeEgress(partyInput(true));
    const other = describeEgress(partyInput(false));
    expect(holder.train.map((item) => item.kind)).toEqual(['activations', 'labels']);
    expect(other.train.map((item) => item.kind)).toEqual(['activations']);
    expect(other.eval.map((item) => item.kind)).toEqual(['activations']);
    expect(other.train[0]).toMatchObject({ shape: [16, 16], bytes: realFrameBytes('activations', [16, 16], 'float32', 'fp32') });
    expect(holder.alignment?.rows).toBe(220);
    expect(holder.alignment).toMatchObject({ blindedIdBytes: 220 * 32, tagBytes: 220 * 32 });
    expect(holder.alignment?.items.filter((item) => item.bytes !== undefined).map((item) => item.bytes)).toEqual([32, 220 * 32, 220 * 32]);
    expect(other.neverLeaves.join(' ')).toMatch(/Patient ids.*blinded/);
    expect(other.neverLeaves.join(' ')).toMatch(/label column/);
    expect(holder.neverLeaves.join(' ')).not.toMatch(/label column/);
    expect(holder.neverLeaves[0]).toMatch(/table/);
    // A horizontal client aligns nothing.
    expect(describeEgress(vanillaInput('fp32')).alignment).toBeUndefined();
  });

  it('a vertical image party: its images and file names never leave, nor a label column of its mapping CSV when another holds the labels', () => {
    const images = describeEgress({ ...partyInput(false), data: 'images' });
    expect(images.data).toBe('images');
    expect(describeEgress(partyInput(false)).data).toBe('table');
    expect(images.neverLeaves[0]).toMatch(/Your images/);
    expect(images.neverLeaves.join(' ')).toMatch(/File names/);
    expect(images.neverLeaves.join(' ')).not.toMatch(/Your table/);
    expect(images.neverLeaves.join(' ')).toMatch(/label column your mapping CSV has/);
    expect(images.alignment?.rows).toBe(220);
    expect(describeEgress({ ...partyInput(true), data: 'images' }).neverLeaves.join(' ')).not.toMatch(/label column/);
  });

  for (const encoding of ENCODINGS) {
    it(`vanilla with ${encoding}: activations and labels per step, as the codec encodes them`, () => {
      const egress = describeEgress(vanillaInput(encoding));
      expect(egress.train.map((item) => item.kind)).toEqual(['activations', 'labels']);
      expect(egress.eval.map((item) => item.kind)).toEqual(['activations', 'labels']);
      const [activations, labels] = egress.train;
      expect(activations).toMatchObject({ shape: [32, 14, 14, 8], dtype: 'float32', encoding, bytes: realFrameBytes('activations', [32, 14, 14, 8], 'float32', encoding) });
      expect(labels).toMatchObject({ shape: [32], dtype: 'int32', encoding: 'fp32', bytes: realFrameBytes('labels', [32], 'int32', encoding) });
      expect(egress.neverLeaves.join(' ')).not.toMatch(/labels/i);
    });

    it(`U-shaped with ${encoding}: cut-1 activations and cut-2 gradients, never labels`, () => {
      const egress = describeEgress(uShapedInput(encoding));
      expect(egress.train.map((item) => item.kind)).toEqual(['activations', 'gradients']);
      expect(egress.eval.map((item) => item.kind)).toEqual(['activations']);
      expect(egress.train[0]?.bytes).toBe(realFrameBytes('activations', [16, 14, 14, 8], 'float32', encoding));
      expect(egress.train[1]).toMatchObject({ shape: [16, 64], encoding, bytes: realFrameBytes('gradients', [16, 64], 'float32', encoding) });
      expect(egress.neverLeaves).toEqual(expect.arrayContaining(['Labels']));
    });
  }

  it('lossy codecs shrink the activations: fp16 about half, int8 about a quarter of fp32', () => {
    const [fp32 = 0, fp16 = 0, int8 = 0] = ENCODINGS.map((encoding) => describeEgress(vanillaInput(encoding)).train[0]?.bytes ?? 0);
    expect(fp16 / fp32).toBeCloseTo(0.5, 2);
    expect(int8 / fp32).toBeCloseTo(0.25, 2);
  });

  it('sizes each client segment weight bundle exactly as encodeWeights does', () => {
    const input = uShapedInput('int8');
    const egress = describeEgress(input);
    expect(egress.weights).toHaveLength(2);
    input.clientWeights.forEach((weights, segment) => {
      const bundle = model.encodeWeights(weights.map((w) => ({ ...w, values: new Float32Array(w.shape.reduce((a, b) => a * b, 1)) })));
      expect(egress.weights[segment]).toMatchObject({ segment, tensors: weights.length, bytes: bundle.byteLength });
    });
    expect(egress.weights[0]?.values).toBe(3 * 3 * 8 + 8);
  });

  it('sizes a sealed hand-off exactly as the study key’s cipher makes it', async () => {
    const input = { ...vanillaInput('fp32'), sealedHandoff: true };
    const [weights] = input.clientWeights;
    const bundle = model.encodeWeights((weights ?? []).map((w) => ({ ...w, values: new Float32Array(w.shape.reduce((a, b) => a * b, 1)) })));
    const cipher = await privacy.handoffCipher(privacy.generateStudyKey(), 'study');
    expect(describeEgress(input).weights[0]?.bytes).toBe((await cipher.seal(bundle, 0)).byteLength);
  });
});

describe('describeEgress for the baselines', () => {
  const whole = [
    { name: 'conv1/kernel', shape: [3, 3, 1, 8] },
    { name: 'conv1/bias', shape: [8] },
    { name: 'bn1/gamma', shape: [8] },
    { name: 'bn1/beta', shape: [8] },
    { name: 'bn1/moving_mean', shape: [8] },
    { name: 'bn1/moving_variance', shape: [8] },
    { name: 'logits/kernel', shape: [8, 2] },
    { name: 'logits/bias', shape: [2] },
  ];
  const input = (method: 'fedavg' | 'lbsgd'): EgressInput => ({ topology: 'vanilla', codec: 'int8', batchSize: 32, cutShapes: [], clientWeights: [whole], method });

  it('large-batch SGD: each training step sends the trainable weights\' gradients as one fp32 bundle, validation nothing, and labels stay', () => {
    const egress = describeEgress(input('lbsgd'));
    const trainable = whole.filter((weight) => !weight.name.includes('moving'));
    const bundle = model.encodeWeights(trainable.map((w) => ({ ...w, values: new Float32Array(w.shape.reduce((a, b) => a * b, 1)) })));
    expect(egress.train).toEqual([expect.objectContaining({ kind: 'gradients', encoding: 'fp32', bytes: bundle.byteLength })]);
    expect(egress.eval).toEqual([]);
    expect(declaredStepBytes(input('lbsgd'), 'train', 5)).toEqual({ activations: 0, labels: 0, gradients: bundle.byteLength });
    expect(egress.method?.title).toMatch(/Large-batch/);
    expect(egress.neverLeaves.join(' ')).toMatch(/Labels/);
    expect(egress.weights[0]?.values).toBe(whole.reduce((sum, weight) => sum + weight.shape.reduce((a, b) => a * b, 1), 0));
  });

  it('federated averaging sends nothing during its steps: only the whole model\'s weights after the local epochs', () => {
    const egress = describeEgress(input('fedavg'));
    expect(egress.train).toEqual([]);
    expect(egress.eval).toEqual([]);
    expect(declaredStepBytes(input('fedavg'), 'train', 32)).toEqual({ activations: 0, labels: 0, gradients: 0 });
    expect(egress.weights).toHaveLength(1);
    expect(egress.method?.summary).toMatch(/local epochs/);
  });
});

describe('declared bytes match what the network link meters', () => {
  for (const encoding of ENCODINGS) {
    it(`a StreamLink step with ${encoding} sends exactly the declared bytes (vanilla, partial batch)`, async () => {
      const meter = new accounting.TrafficMeter();
      const link = new network.StreamLink({
        studyId: 's',
        round: 0,
        phase: 'train',
        encoding,
        maxFrameBytes: 1 << 24,
        receiveTimeoutMs: 1000,
        sink: () => undefined,
        meter: { meter, participantId: 'self', direction: 'up' },
      });
      const activations = tf.randomUniform([5, 14, 14, 8]);
      const labels = tf.tensor1d([0, 1, 1, 0, 1], 'int32');
      await link.send('activations', activations);
      await link.send('labels', labels);
      tf.dispose([activations, labels]);
      const measured = meter.snapshot().byKind;
      const declared = declaredStepBytes(vanillaInput(encoding), 'train', 5);
      expect(measured.activations?.up.bytes).toBe(declared.activations);
      expect(measured.labels?.up.bytes).toBe(declared.labels);
      expect(declared.gradients).toBe(0);
    });
  }

  it('U-shaped validation steps send only the cut-1 activations', () => {
    const declared = declaredStepBytes(uShapedInput('fp16'), 'eval', 16);
    expect(declared.labels).toBe(0);
    expect(declared.gradients).toBe(0);
    expect(declared.activations).toBe(realFrameBytes('activations', [16, 14, 14, 8], 'float32', 'fp16'));
  });
});

describe('batchSizeAt', () => {
  it('cycles full batches with the remainder last', () => {
    expect([0, 1, 2, 3, 4].map((step) => batchSizeAt(70, 32, step))).toEqual([32, 32, 6, 32, 32]);
    expect(batchSizeAt(64, 32, 1)).toBe(32);
    expect(batchSizeAt(10, 32, 0)).toBe(10);
    expect(batchSizeAt(0, 32, 0)).toBe(0);
  });
});
