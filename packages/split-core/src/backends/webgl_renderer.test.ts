import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSoftwareRenderer, probeWebgl } from './webgl_renderer';
import { fakeWebgl } from './webgl_test_support';

describe('isSoftwareRenderer', () => {
  it.each([
    'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
    'Google SwiftShader',
    'llvmpipe (LLVM 15.0.6, 256 bits)',
    'Mesa/X.org softpipe',
    'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
  ])('recognises software renderer %s', (renderer) => {
    expect(isSoftwareRenderer(renderer)).toBe(true);
  });

  it.each([
    'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
    'Apple M1',
    'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
    'AMD Radeon Pro 5500M OpenGL Engine',
  ])('accepts hardware renderer %s', (renderer) => {
    expect(isSoftwareRenderer(renderer)).toBe(false);
  });
});

describe('probeWebgl', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reports WebGL as unavailable in Node', () => {
    expect(probeWebgl()).toEqual({ available: false, renderer: null, software: false });
  });

  it('reads the unmasked renderer and releases the probe context', () => {
    const fake = fakeWebgl({ unmaskedRenderer: 'Google SwiftShader' });
    vi.stubGlobal('OffscreenCanvas', fake.OffscreenCanvas);
    expect(probeWebgl()).toEqual({ available: true, renderer: 'Google SwiftShader', software: true });
    expect(fake.lostContexts()).toBe(1);
  });

  it('falls back to the masked renderer when the debug extension is blocked', () => {
    vi.stubGlobal('OffscreenCanvas', fakeWebgl({ unmaskedRenderer: null, maskedRenderer: 'WebKit WebGL' }).OffscreenCanvas);
    expect(probeWebgl()).toEqual({ available: true, renderer: 'WebKit WebGL', software: false });
  });

  it('uses document.createElement when there is no OffscreenCanvas', () => {
    const fake = fakeWebgl({ unmaskedRenderer: 'Apple M1' });
    vi.stubGlobal('document', { createElement: (tag: string) => (tag === 'canvas' ? new fake.OffscreenCanvas(1, 1) : null) });
    expect(probeWebgl()).toEqual({ available: true, renderer: 'Apple M1', software: false });
  });
});
