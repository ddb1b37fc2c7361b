import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countParams, inferLayerShape } from '../model/shapes';
import type { LayerSpec } from '../model/spec';
import { layerFlops, segmentFlops } from './flops';

describe('segmentFlops by hand: conv 3x3x4 valid on 6x6x1, maxPool 2, flatten, dense 3', () => {
  const layers: LayerSpec[] = [
    { type: 'conv2d', name: 'conv', filters: 4, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool2d', name: 'pool', poolSize: 2 },
    { type: 'flatten', name: 'flat' },
    { type: 'dense', name: 'out', units: 3 },
  ];
  // conv: output 4x4x4 = 64 elements; MACs = 64 * (3*3*1) = 576
  //   forward  = 2*576 (MACs) + 64 (bias) + 64 (relu)                        = 1280
  //   backward = 64 (relu') + 2*576 (weight grad) + 64 (bias grad)            = 1280  (raw input: no input grad)
  //            + 2*576 (input grad) when the input gradient is needed          = 2432
  // pool: output 2x2x4 = 16 elements, 2*2 - 1 = 3 comparisons each             = 48 forward, 48 backward
  // flatten: 0
  // dense: 16 -> 3, MACs = 48: forward = 2*48 + 3 = 99; backward = 96 + 3 + 96 (input grad) = 195
  it('counts a client segment fed raw data', () => {
    const flops = segmentFlops(layers, [6, 6, 1], { needsInputGradient: false });
    expect(flops.perLayer).toEqual([
      { name: 'conv', forward: 1280, backward: 1280 },
      { name: 'pool', forward: 48, backward: 48 },
      { name: 'flat', forward: 0, backward: 0 },
      { name: 'out', forward: 99, backward: 195 },
    ]);
    expect(flops.forward).toBe(1280 + 48 + 0 + 99);
    expect(flops.backward).toBe(1280 + 48 + 0 + 195);
  });

  it('adds the first layer input gradient when the segment must return it', () => {
    const flops = segmentFlops(layers, [6, 6, 1], { needsInputGradient: true });
    expect(flops.perLayer[0]).toEqual({ name: 'conv', forward: 1280, backward: 2432 });
    expect(flops.backward).toBe(2432 + 48 + 0 + 195);
  });

  it('skips input gradients until the first layer with weights', () => {
    // pool 2 on 4x4x1: 2x2x1 = 4 outputs * 3 = 12 forward, no backward (nothing upstream needs it)
    // dense 4 -> 2: MACs 8; forward 16 + 2 = 18; backward 16 (weight grad) + 2 (bias grad) = 18, no input grad
    const flops = segmentFlops(
      [
        { type: 'maxPool2d', name: 'pool', poolSize: 2 },
        { type: 'flatten', name: 'flat' },
        { type: 'dense', name: 'out', units: 2 },
      ],
      [4, 4, 1],
      { needsInputGradient: false },
    );
    expect(flops.forward).toBe(12 + 18);
    expect(flops.backward).toBe(0 + 0 + 18);
  });
});

describe('layerFlops by hand', () => {
  it('counts depthwise, global average pooling and activation layers', () => {
    // depthwise k3 mult 2 valid on 5x5x3 -> 3x3x6 = 54 outputs, MACs 54 * 9 = 486
    // forward 972 + 54 = 1026; backward 972 + 54 + 972 = 1998 (linear: no activation cost)
    expect(layerFlops({ type: 'depthwiseConv2d', name: 'dw', kernelSize: 3, depthMultiplier: 2 }, [5, 5, 3], { needsInputGradient: true })).toEqual({
      forward: 1026,
      backward: 1998,
    });
    // global average pooling over 4x4x8: 4*4*8 = 128
    expect(layerFlops({ type: 'globalAvgPool2d', name: 'gap' }, [4, 4, 8], { needsInputGradient: true })).toEqual({ forward: 128, backward: 128 });
    expect(layerFlops({ type: 'globalAvgPool2d', name: 'gap' }, [4, 4, 8], { needsInputGradient: false })).toEqual({ forward: 128, backward: 0 });
    expect(layerFlops({ type: 'activation', name: 'act', activation: 'tanh' }, [10], { needsInputGradient: true })).toEqual({ forward: 10, backward: 10 });
    expect(layerFlops({ type: 'activation', name: 'act', activation: 'linear' }, [10], { needsInputGradient: true })).toEqual({ forward: 0, backward: 0 });
    // dense 10 -> 4 sigmoid: MACs 40; forward 80 + 4 + 4 = 88; backward 4 + 80 + 4 + 80 = 168
    expect(layerFlops({ type: 'dense', name: 'd', units: 4, activation: 'sigmoid' }, [10], { needsInputGradient: true })).toEqual({ forward: 88, backward: 168 });
  });

  it('counts an identity residual block', () => {
    // body conv 3x3 same, 2 filters, relu on 4x4x2: 32 outputs, MACs 32 * 9 * 2 = 576
    //   forward 1152 + 32 + 32 = 1216; then add 32 and block relu 32: 1216 + 64 = 1280
    // backward with input gradient: block relu' 32 + conv (32 + 1152 + 32 + 1152 = 2368)
    //   + summing both branch gradients at the input 4*4*2 = 32 -> 2432
    // backward without: 32 + (32 + 1152 + 32) = 1248
    const block: LayerSpec = {
      type: 'residual',
      name: 'res',
      body: [{ type: 'conv2d', name: 'c', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }],
      activation: 'relu',
    };
    expect(layerFlops(block, [4, 4, 2], { needsInputGradient: true })).toEqual({ forward: 1280, backward: 2432 });
    expect(layerFlops(block, [4, 4, 2], { needsInputGradient: false })).toEqual({ forward: 1280, backward: 1248 });
  });

  it('counts a residual block with a projection shortcut', () => {
    // body conv 1x1 stride 2 same, 3 filters on 4x4x2 -> 2x2x3 = 12 outputs, MACs 12 * 2 = 24:
    //   forward 48 + 12 = 60; backward 48 + 12 + 48 = 108
    // projection 1x1 stride 2, 3 filters: the same counts, 60 and 108
    // add: 12 forward; input gradient sum: 4*4*2 = 32
    const block: LayerSpec = {
      type: 'residual',
      name: 'res',
      body: [{ type: 'conv2d', name: 'c', filters: 3, kernelSize: 1, strides: 2, padding: 'same' }],
      projection: { filters: 3, strides: 2 },
    };
    expect(layerFlops(block, [4, 4, 2], { needsInputGradient: true })).toEqual({ forward: 60 + 60 + 12, backward: 108 + 108 + 32 });
  });
});

/** Small valid image models: a few conv/pool/activation blocks, a residual, flatten, dense head. */
const imageModel = fc
  .record({
    convs: fc.array(
      fc.record({
        filters: fc.integer({ min: 1, max: 4 }),
        kernel: fc.constantFrom(1, 3),
        poolFirst: fc.boolean(),
        activation: fc.constantFrom('relu' as const, 'linear' as const, undefined),
      }),
      { minLength: 0, maxLength: 3 },
    ),
    residual: fc.boolean(),
    hidden: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ convs, residual, hidden }): LayerSpec[] => {
    const layers: LayerSpec[] = [];
    convs.forEach((conv, index) => {
      if (conv.poolFirst) layers.push({ type: 'maxPool2d', name: `pool${index}`, poolSize: 2, strides: 1 });
      layers.push({ type: 'conv2d', name: `conv${index}`, filters: conv.filters, kernelSize: conv.kernel, padding: 'same', activation: conv.activation });
    });
    if (residual) {
      layers.push({
        type: 'residual',
        name: 'res',
        body: [{ type: 'conv2d', name: 'rc', filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }],
        projection: { filters: 2, strides: 2 },
        activation: 'relu',
      });
    }
    layers.push({ type: 'activation', name: 'act', activation: 'tanh' });
    layers.push({ type: 'flatten', name: 'flat' });
    layers.push({ type: 'dense', name: 'hidden', units: hidden, activation: 'relu' });
    layers.push({ type: 'dense', name: 'logits', units: 2 });
    return layers;
  });

describe('segments add up to the whole model', () => {
  const inputShape = [6, 6, 2];

  it('for any cuts and either first-segment input gradient setting', () => {
    fc.assert(
      fc.property(imageModel, fc.array(fc.nat(), { maxLength: 3 }), fc.boolean(), (layers, rawCuts, firstNeedsGradient) => {
        const cuts = [...new Set(rawCuts.map((cut) => 1 + (cut % (layers.length - 1))))].sort((a, b) => a - b);
        const boundaries = [0, ...cuts, layers.length];
        const whole = segmentFlops(layers, inputShape, { needsInputGradient: firstNeedsGradient });

        let forward = 0;
        let backward = 0;
        let shape = inputShape;
        let gradientFlowsAtEveryCut = true;
        let gradientNeededHere = firstNeedsGradient;
        for (let index = 0; index + 1 < boundaries.length; index += 1) {
          const segment = layers.slice(boundaries[index], boundaries[index + 1]);
          const flops = segmentFlops(segment, shape, { needsInputGradient: index === 0 ? firstNeedsGradient : true });
          forward += flops.forward;
          backward += flops.backward;
          for (const layer of segment) {
            gradientNeededHere ||= countParams(layer, shape) > 0;
            shape = inferLayerShape(layer, shape);
          }
          const isInternalCut = index + 2 < boundaries.length;
          if (isInternalCut && !gradientNeededHere) gradientFlowsAtEveryCut = false;
        }

        expect(forward).toBe(whole.forward);
        if (gradientFlowsAtEveryCut) expect(backward).toBe(whole.backward);
        // A cut after a weight-free prefix fed raw data makes the next segment return a
        // gradient the whole model never computes: the split can only cost more there.
        else expect(backward).toBeGreaterThan(whole.backward);
      }),
      { numRuns: 300 },
    );
  });
});
