import { describe, expect, it } from 'vitest';
import { engineName, explainEngine, savedEngine, saveEngine } from './engine_choice';

describe('the training engine in plain words', () => {
  it('says why the automatic choice fell where it did, without the renderer string', () => {
    const reason = 'auto: WebGL renderer is software (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device)))';
    expect(explainEngine({ name: 'wasm', software: true, reason, preference: 'auto', webgl: 'software' })).toMatch(/no graphics card and would draw in software, which is slower than WebAssembly/);
    expect(explainEngine({ name: 'wasm', software: true, reason, preference: 'auto', webgl: 'unavailable' })).toMatch(/WebGL is not available in this browser/);
    expect(explainEngine({ name: 'webgl', software: false, reason, preference: 'auto', webgl: 'hardware' })).toMatch(/graphics card through WebGL/);
    expect(explainEngine({ name: 'wasm', software: true, reason, preference: 'auto', webgl: 'software' })).not.toMatch(/SwiftShader|ANGLE/);
  });

  it('names the clinician’s own choice, its cost on software WebGL, and a fallback', () => {
    expect(explainEngine({ name: 'webgl', software: true, reason: '', preference: 'webgl', webgl: 'software' })).toMatch(/You chose WebGL\. .*runs it in software, which is slower than WebAssembly/);
    expect(explainEngine({ name: 'wasm', software: true, reason: '', preference: 'webgl', fellBack: true })).toBe('You chose WebGL, but it could not start in this browser, so WebAssembly on the processor runs instead.');
    expect(explainEngine({ name: 'wasm', software: true, reason: '', preference: 'wasm' })).toBe('You chose WebAssembly.');
    expect(explainEngine({ name: 'wasm', software: true, reason: '', preference: 'wasm', replaced: 'WebGPU failed a test training step in this browser (out of memory), so WebAssembly runs instead' })).toBe('WebGPU failed a test training step in this browser (out of memory), so WebAssembly runs instead.');
  });

  it('names WebAssembly’s cores when it runs on more than one', () => {
    expect(engineName({ name: 'wasm', software: true, reason: '', threads: 2 })).toBe('WebAssembly on 2 processor cores');
    expect(engineName({ name: 'wasm', software: true, reason: '', threads: 1 })).toBe('WebAssembly on the processor');
    expect(engineName({ name: 'wasm', software: true, reason: '' })).toBe('WebAssembly on the processor');
  });

  it('remembers a chosen engine, and forgets the automatic one', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (key: string) => store.get(key) ?? null, setItem: (key: string, value: string) => void store.set(key, value), removeItem: (key: string) => void store.delete(key) };
    expect(savedEngine(storage)).toBe('auto');
    saveEngine(storage, 'webgl');
    expect(savedEngine(storage)).toBe('webgl');
    saveEngine(storage, 'auto');
    expect(store.size).toBe(0);
    store.set('splitnn.engine', 'quantum');
    expect(savedEngine(storage)).toBe('auto');
  });
});
