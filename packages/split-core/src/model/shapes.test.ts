import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelSpecError } from './errors';
import { convOutputLength, countParams, countSegmentParams, elementCount, inferLayerShape, inferShapes } from './shapes';
import type { LayerSpec, ResidualLayer } from './spec';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Drops tfjs's leading batch dimension (null) from a layer or model output shape. */
function perSample(shape: tf.Shape | tf.Shape[]): number[] {
  const single = shape[0] === null || typeof shape[0] === 'number' ? (shape as tf.Shape) : (shape as tf.Shape[])[0];
  if (single === undefined) throw new Error('empty shape');
  return single.slice(1).map((size) => {
    if (size === null) throw new Error('unexpected unknown size');
    return size;
  });
}

function expectSpecError(run: () => unknown, code: ModelSpecError['code'], layerName: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelSpecError);
    const specError = error as ModelSpecError;
    expect(specError.code).toBe(code);
    expect(specError.layerName).toBe(layerName);
    expect(specError.message).toContain(`"${layerName}"`);
    return;
  }
  throw new Error(`expected a ModelSpecError ${code}`);
}

describe('inferShapes by hand', () => {
  it('follows conv valid -> pool -> flatten -> dense', () => {
    const layers: LayerSpec[] = [
      { type: 'conv2d', name: 'conv', filters: 4, kernelSize: 3 }, // valid: 6 - 3 + 1 = 4
      { type: 'maxPool2d', name: 'pool', poolSize: 2 }, // strides 2, valid: ceil((4 - 2 + 1) / 2) = 2
      { type: 'flatten', name: 'flat' }, // 2 * 2 * 4 = 16
      { type: 'dense', name: 'out', units: 3 },
    ];
    expect(inferShapes(layers, [6, 6, 1])).toEqual([[4, 4, 4], [2, 2, 4], [16], [3]]);
  });

  it('rounds strided sizes up like tfjs', () => {
    // same: ceil(7 / 2) = 4; valid k3: ceil((7 - 3 + 1) / 2) = ceil(2.5) = 3
    expect(inferLayerShape({ type: 'conv2d', name: 's', filters: 2, kernelSize: 3, strides: 2, padding: 'same' }, [7, 7, 1])).toEqual([4, 4, 2]);
    expect(inferLayerShape({ type: 'conv2d', name: 'v', filters: 2, kernelSize: 3, strides: 2 }, [7, 7, 1])).toEqual([3, 3, 2]);
    // pool 3, stride 2: ceil((7 - 3 + 1) / 2) = 3
    expect(inferLayerShape({ type: 'maxPool2d', name: 'p', poolSize: 3, strides: 2 }, [7, 5, 2])).toEqual([3, 2, 2]);
  });

  it('multiplies depthwise channels, averages globally, keeps activation shapes', () => {
    expect(inferLayerShape({ type: 'depthwiseConv2d', name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same' }, [5, 5, 3])).toEqual([5, 5, 6]);
    expect(inferLayerShape({ type: 'globalAvgPool2d', name: 'gap' }, [4, 4, 8])).toEqual([8]);
    expect(inferLayerShape({ type: 'activation', name: 'act', activation: 'relu' }, [4, 4, 8])).toEqual([4, 4, 8]);
    expect(inferLayerShape({ type: 'flatten', name: 'flat' }, [10])).toEqual([10]);
  });

  it('accepts a residual block whose projection matches the body', () => {
    const block: ResidualLayer = {
      type: 'residual',
      name: 'res',
      body: [
        { type: 'conv2d', name: 'a', filters: 8, kernelSize: 3, strides: 2, padding: 'same' }, // ceil(8 / 2) = 4
        { type: 'conv2d', name: 'b', filters: 8, kernelSize: 3, padding: 'same' },
      ],
      projection: { filters: 8, strides: 2 }, // 1x1 same: ceil(8 / 2) = 4
    };
    expect(inferLayerShape(block, [8, 8, 4])).toEqual([4, 4, 8]);
  });

  it('counts elements', () => {
    expect(elementCount([2, 3, 4])).toBe(24);
    expect(elementCount([])).toBe(1);
  });
});

describe('countParams by hand', () => {
  it('counts weights and biases per layer type', () => {
    // 3 * 3 * 2 * 5 + 5 = 95
    expect(countParams({ type: 'conv2d', name: 'c', filters: 5, kernelSize: 3 }, [6, 6, 2])).toBe(95);
    // 3 * 3 * 3 * 2 + 3 * 2 = 60
    expect(countParams({ type: 'depthwiseConv2d', name: 'd', kernelSize: 3, depthMultiplier: 2 }, [6, 6, 3])).toBe(60);
    // 16 * 3 + 3 = 51
    expect(countParams({ type: 'dense', name: 'o', units: 3 }, [16])).toBe(51);
    expect(countParams({ type: 'maxPool2d', name: 'p', poolSize: 2 }, [6, 6, 3])).toBe(0);
  });

  it('adds body and projection for a residual block', () => {
    const block: ResidualLayer = {
      type: 'residual',
      name: 'res',
      body: [
        { type: 'conv2d', name: 'a', filters: 8, kernelSize: 3, padding: 'same' }, // 9 * 4 * 8 + 8 = 296
        { type: 'conv2d', name: 'b', filters: 8, kernelSize: 1 }, // 1 * 8 * 8 + 8 = 72
      ],
      projection: { filters: 8 }, // 4 * 8 + 8 = 40
    };
    expect(countParams(block, [5, 5, 4])).toBe(296 + 72 + 40);
    // Segment: the block, then flatten (5 * 5 * 8 = 200), then dense 2: 200 * 2 + 2 = 402.
    expect(countSegmentParams([block, { type: 'flatten', name: 'f' }, { type: 'dense', name: 'o', units: 2 }], [5, 5, 4])).toBe(408 + 402);
  });
});

describe('spec errors', () => {
  it('rejects dense after a conv without flatten', () => {
    expectSpecError(
      () => inferShapes([{ type: 'conv2d', name: 'c1', filters: 2, kernelSize: 3 }, { type: 'dense', name: 'head', units: 2 }], [6, 6, 1]),
      'rank-mismatch',
      'head',
    );
  });

  it('rejects a conv on a flat input', () => {
    expectSpecError(() => inferLayerShape({ type: 'conv2d', name: 'c1', filters: 2, kernelSize: 3 }, [20]), 'rank-mismatch', 'c1');
    expectSpecError(() => inferLayerShape({ type: 'globalAvgPool2d', name: 'gap' }, [20]), 'rank-mismatch', 'gap');
  });

  it('rejects a residual whose body changes shape without projection, naming the block', () => {
    const block: ResidualLayer = { type: 'residual', name: 'res1', body: [{ type: 'conv2d', name: 'c', filters: 8, kernelSize: 3, padding: 'same' }] };
    expectSpecError(() => inferLayerShape(block, [6, 6, 4]), 'residual-shape-mismatch', 'res1');
    // Projection with the wrong stride: body 6x6, shortcut ceil(6 / 2) = 3.
    expectSpecError(() => inferLayerShape({ ...block, projection: { filters: 8, strides: 2 } }, [6, 6, 4]), 'residual-shape-mismatch', 'res1');
    expectSpecError(() => inferLayerShape({ ...block, body: [] }, [6, 6, 4]), 'invalid-layer-parameter', 'res1');
  });

  it('names the inner layer of a residual body by path', () => {
    const block: ResidualLayer = { type: 'residual', name: 'res1', body: [{ type: 'dense', name: 'fc', units: 2 }] };
    expectSpecError(() => inferLayerShape(block, [6, 6, 4]), 'rank-mismatch', 'res1/fc');
  });

  it('rejects windows larger than the input and non-positive parameters', () => {
    // valid: 3 - 5 + 1 = -1
    expectSpecError(() => inferLayerShape({ type: 'conv2d', name: 'big', filters: 2, kernelSize: 5 }, [3, 3, 1]), 'non-positive-output', 'big');
    expectSpecError(() => inferLayerShape({ type: 'maxPool2d', name: 'pool', poolSize: 4 }, [3, 3, 1]), 'non-positive-output', 'pool');
    expectSpecError(() => inferLayerShape({ type: 'conv2d', name: 'zero', filters: 0, kernelSize: 3 }, [6, 6, 1]), 'invalid-layer-parameter', 'zero');
    expectSpecError(() => inferLayerShape({ type: 'dense', name: 'frac', units: 2.5 }, [6]), 'invalid-layer-parameter', 'frac');
    expectSpecError(() => inferLayerShape({ type: 'conv2d', name: 's0', filters: 1, kernelSize: 1, strides: 0 }, [6, 6, 1]), 'invalid-layer-parameter', 's0');
    expectSpecError(() => inferLayerShape({ type: 'flatten', name: 'f' }, [0, 6, 1]), 'invalid-input-shape', 'f');
  });

  it('rejects a layer type the format does not define', () => {
    const bogus = { type: 'lstm', name: 'rnn' } as unknown as LayerSpec;
    expectSpecError(() => inferLayerShape(bogus, [6]), 'unknown-layer-type', 'rnn');
  });
});

describe('agreement with tfjs-layers', () => {
  it('matches a sequential conv/pool/dense model', () => {
    const spec: LayerSpec[] = [
      { type: 'conv2d', name: 'c1', filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'depthwiseConv2d', name: 'dw', kernelSize: 3, depthMultiplier: 2 },
      { type: 'maxPool2d', name: 'p', poolSize: 2, strides: 1 },
      { type: 'flatten', name: 'f' },
      { type: 'dense', name: 'o', units: 3 },
    ];
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ],
    });
    const shapes = inferShapes(spec, [9, 9, 3]);
    expect(shapes).toEqual(model.layers.map((layer) => perSample(layer.outputShape)));
    expect(countSegmentParams(spec, [9, 9, 3])).toBe(model.countParams());
    const output = model.predict(tf.zeros([1, 9, 9, 3])) as tf.Tensor;
    expect(output.shape).toEqual([1, 3]);
    model.dispose();
  });

  it('matches a functional residual block with a projection shortcut', () => {
    const spec: LayerSpec[] = [
      {
        type: 'residual',
        name: 'res',
        body: [
          { type: 'conv2d', name: 'a', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
          { type: 'conv2d', name: 'b', filters: 8, kernelSize: 3, padding: 'same' },
        ],
        projection: { filters: 8, strides: 2 },
        activation: 'relu',
      },
      { type: 'residual', name: 'identity', body: [{ type: 'conv2d', name: 'c', filters: 8, kernelSize: 3, padding: 'same' }] },
      { type: 'globalAvgPool2d', name: 'gap' },
    ];
    const input = tf.input({ shape: [7, 7, 4] });
    const a = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(a) as tf.SymbolicTensor;
    const shortcut = tf.layers.conv2d({ filters: 8, kernelSize: 1, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([b, shortcut]) as tf.SymbolicTensor;
    const res = tf.layers.activation({ activation: 'relu' }).apply(sum) as tf.SymbolicTensor;
    const c = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(res) as tf.SymbolicTensor;
    const identity = tf.layers.add().apply([c, res]) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(identity) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: gap });

    const shapes = inferShapes(spec, [7, 7, 4]);
    expect(shapes).toEqual([perSample(res.shape), perSample(identity.shape), perSample(gap.shape)]);
    expect(countSegmentParams(spec, [7, 7, 4])).toBe(model.countParams());
    model.dispose();
  });

  it('agrees with tfjs conv2d output shapes for random sizes, kernels, strides and paddings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('same' as const, 'valid' as const),
        (size, kernel, stride, padding) => {
          fc.pre(padding === 'same' || kernel <= size);
          const layer = tf.layers.conv2d({ filters: 1, kernelSize: kernel, strides: stride, padding });
          const expected = perSample(layer.computeOutputShape([null, size, size, 1]));
          const spec: LayerSpec = { type: 'conv2d', name: 'c', filters: 1, kernelSize: kernel, strides: stride, padding };
          expect(inferLayerShape(spec, [size, size, 1])).toEqual(expected);
          expect(convOutputLength(size, kernel, padding, stride)).toBe(expected[0]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
