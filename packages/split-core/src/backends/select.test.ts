// initBackend in Node: no WebGL here, so the interesting decisions are made visible
// through a fake OffscreenCanvas (the probe) and the reason string.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { wasmTrainingKernelsRegistered } from './register_kernels';
import { initBackend } from './select';
import { fakeWebgl } from './webgl_test_support';

describe('initBackend', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('auto picks wasm in Node, says why, and registers the training kernels', async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.software).toBe(true);
    expect(info.reason).toMatch(/WebGL is unavailable/);
    expect(info.reason).toMatch(/thread/);
    expect(wasmTrainingKernelsRegistered()).toBe(true);
  });

  it('honours an explicit cpu preference', async () => {
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', software: true });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back from an unavailable webgl to wasm and reports the failure', async () => {
    const info = await initBackend('webgl');
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/webgl failed/);
  });

  it('auto skips a software WebGL renderer without trying it', async () => {
    vi.stubGlobal('OffscreenCanvas', fakeWebgl({ unmaskedRenderer: 'Google SwiftShader' }).OffscreenCanvas);
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/software \(Google SwiftShader\)/);
    expect(info.reason).not.toMatch(/webgl failed/);
  });

  it('auto tries a hardware WebGL renderer first', async () => {
    vi.stubGlobal('OffscreenCanvas', fakeWebgl({ unmaskedRenderer: 'Apple M1' }).OffscreenCanvas);
    const info = await initBackend('auto');
    // tfjs cannot create a real WebGL backend in Node, so it must have tried and fallen back.
    expect(info.reason).toMatch(/webgl failed/);
    expect(info.name).toBe('wasm');
  });
  it('takes WebGPU only when asked (falling back with the reason), never under auto', async () => {
    vi.stubGlobal('navigator', { gpu: { requestAdapter: () => Promise.resolve({ info: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA RTX A2000' } }) } });
    const asked = await initBackend('webgpu');
    expect(asked.webgpu).toBe('hardware');
    // Node gives the backend no device: it fails, and wasm runs, saying so.
    expect(asked).toMatchObject({ name: 'wasm', fellBack: true });
    expect(asked.reason).toMatch(/webgpu failed/);
    const auto = await initBackend('auto');
    expect(auto.name).toBe('wasm');
    expect(auto.reason).not.toMatch(/webgpu/i);
  });
});
