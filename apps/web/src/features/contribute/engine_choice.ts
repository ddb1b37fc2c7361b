import type { BackendChoice, EnginePreference } from '../../worker/messages';

// The training engine in the clinician's words: which one runs, and why, without renderer
// strings (those go in a details line). The choice itself is remembered in this browser.

export const ENGINE_LABELS: Record<EnginePreference, string> = {
  auto: 'Automatic (recommended)',
  webgl: 'WebGL (graphics card)',
  wasm: 'WebAssembly (processor)',
};

export function engineName(backend: BackendChoice): string {
  if (backend.name === 'webgpu') return backend.software ? 'WebGPU, run in software' : 'WebGPU on the graphics card';
  if (backend.name === 'webgl') return backend.software ? 'WebGL, drawn in software' : 'WebGL on the graphics card';
  if (backend.name === 'wasm') return backend.threads !== undefined && backend.threads > 1 ? `WebAssembly on ${backend.threads} processor cores` : 'WebAssembly on the processor';
  return 'JavaScript on the processor (slow)';
}

/** Why this engine runs, in plain words. */
export function explainEngine(backend: BackendChoice): string {
  if (backend.replaced !== undefined) return `${backend.replaced.charAt(0).toUpperCase()}${backend.replaced.slice(1)}.`;
  const asked = backend.preference ?? 'auto';
  if (asked !== 'auto') {
    const wanted = asked === 'webgl' ? 'WebGL' : 'WebAssembly';
    if (backend.fellBack) return `You chose ${wanted}, but it could not start in this browser, so ${engineName(backend)} runs instead.`;
    if ((backend.name === 'webgl' || backend.name === 'webgpu') && backend.software) return `You chose ${wanted}. This browser has no graphics card for it and runs it in software, which is slower than WebAssembly here.`;
    return `You chose ${wanted}.`;
  }
  if (backend.name === 'webgpu') return 'Chosen automatically: this browser can train on the graphics card through WebGPU, the fastest engine here.';
  if (backend.name === 'webgl') return 'Chosen automatically: this browser can train on the graphics card through WebGL, the fastest engine here.';
  if (backend.webgl === 'software') return 'Chosen automatically: WebGL here has no graphics card and would draw in software, which is slower than WebAssembly on the processor.';
  if (backend.webgl === 'unavailable') return 'Chosen automatically: WebGL is not available in this browser, so training runs on the processor.';
  if (backend.name === 'cpu') return 'Chosen automatically: neither WebGL nor WebAssembly could start in this browser; training works but is slow.';
  return 'Chosen automatically.';
}

const STORAGE_KEY = 'splitnn.engine';

export function savedEngine(storage: Pick<Storage, 'getItem'>): EnginePreference {
  const saved = storage.getItem(STORAGE_KEY);
  return saved === 'webgl' || saved === 'wasm' ? saved : 'auto';
}

export function saveEngine(storage: Pick<Storage, 'setItem' | 'removeItem'>, preference: EnginePreference): void {
  if (preference === 'auto') storage.removeItem(STORAGE_KEY);
  else storage.setItem(STORAGE_KEY, preference);
}
