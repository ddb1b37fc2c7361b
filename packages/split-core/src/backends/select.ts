// Chooses the tfjs backend a client or server segment trains on. Order for 'auto':
// WebGL only on a real GPU, else wasm (with our training kernels), else cpu. WebGPU is
// taken only when asked for: in Chromium on SwiftShader it starts and passes a test step but
// fails every upload of a training round, so it is not proven yet and 'auto' leaves it out. Measured on
// the target machines (ARCHITECTURE.md): software WebGL ~0.9 s per cnn-small step, wasm
// ~0.1 s, cpu 2.4-14 s. Platform-free: works in browsers, workers and Node (where WebGL
// is simply unavailable).
import * as tf from '@tensorflow/tfjs';
// Side effect: registers the 'wasm' backend and its built-in kernels.
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './register_kernels';
import type { WebglProbe } from './webgl_renderer';
import { probeWebgl } from './webgl_renderer';
import { probeWebgpu, type WebgpuProbe } from './webgpu_adapter';

export type BackendPreference = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendInfo {
  readonly name: BackendName;
  /**
   * True when no GPU does the work: wasm, cpu, or WebGL on a software renderer such as
   * SwiftShader or llvmpipe. `name === 'webgl' && software` is the slow case to warn about.
   */
  readonly software: boolean;
  /** Human-readable: why this backend, and what was tried before it. */
  readonly reason: string;
  /** What WebGL offers here, where it was looked at ('auto' and 'webgl'): a graphics card, software rendering, or nothing. */
  readonly webgl?: 'hardware' | 'software' | 'unavailable';
  /** What WebGPU offers here, where it was looked at ('auto' and 'webgpu'). */
  readonly webgpu?: 'hardware' | 'software' | 'unavailable';
  /** The backend asked for first failed, and this one runs instead. */
  readonly fellBack?: boolean;
}

export interface InitBackendOptions {
  /**
   * Where the browser fetches tfjs-backend-wasm's .wasm files from (a URL prefix ending in
   * '/'), for bundlers that do not serve them beside the script. Ignored when unset.
   */
  readonly wasmPaths?: string;
}

interface Candidate {
  readonly name: BackendName;
  readonly why: string;
}

function describeWebgl(probe: WebglProbe): string {
  if (!probe.available) return 'WebGL is unavailable here';
  return `WebGL renderer is ${probe.software ? 'software' : 'hardware'} (${probe.renderer ?? 'renderer unknown'})`;
}

function describeWebgpu(probe: WebgpuProbe): string {
  if (!probe.available) return 'WebGPU is unavailable here';
  return `WebGPU adapter is ${probe.software ? 'software' : 'hardware'} (${probe.adapter ?? 'unnamed'})`;
}

/** The 'auto' rule's one question: WebGL only on a graphics card (drawn in software it is slower than wasm). */
export function autoChoosesWebgl(probe: WebglProbe | null): boolean {
  return probe !== null && probe.available && !probe.software;
}

function candidatesFor(preference: BackendPreference, probe: WebglProbe | null, gpu: WebgpuProbe | null): Candidate[] {
  const wasm: Candidate = { name: 'wasm', why: 'WebAssembly with split-core training kernels' };
  const cpu: Candidate = { name: 'cpu', why: 'plain JavaScript fallback (slow for convolutions)' };
  switch (preference) {
    case 'cpu':
      return [{ name: 'cpu', why: 'cpu requested' }];
    case 'wasm':
      return [{ ...wasm, why: `wasm requested: ${wasm.why}` }, cpu];
    case 'webgl':
      return [{ name: 'webgl', why: 'webgl requested' }, wasm, cpu];
    case 'webgpu':
      return [{ name: 'webgpu', why: `webgpu requested${gpu ? `; ${describeWebgpu(gpu)}` : ''}` }, wasm, cpu];
    case 'auto': {
      const hardwareWebgl = autoChoosesWebgl(probe);
      const webglNote = probe === null ? '' : `${describeWebgl(probe)}; `;
      if (hardwareWebgl) return [{ name: 'webgl', why: `auto: ${webglNote.slice(0, -2)}` }, wasm, cpu];
      return [{ ...wasm, why: `auto: ${webglNote}${wasm.why}` }, cpu];
    }
  }
}

async function trySetBackend(name: BackendName): Promise<string | null> {
  try {
    // Registered only when tried: its bundle is large, and Node has no WebGPU to give it.
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend(name))) return `${name} failed to initialise`;
    await tf.ready();
    return null;
  } catch (error) {
    return `${name} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function wasmDetails(): Promise<string> {
  let simd = 'unknown';
  try {
    simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true ? 'SIMD' : 'no SIMD';
  } catch {
    // The flag is registered by tfjs-backend-wasm; without it we simply do not know.
  }
  return `${simd}, ${getThreadsCount()} thread(s)`;
}

/**
 * Registers the wasm training kernels, then sets the first backend that initialises, in
 * the order given by `preference` (an explicit choice falls back to wasm, then cpu).
 * Throws only if not even the cpu backend can be set.
 */
export async function initBackend(preference: BackendPreference = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  registerWasmTrainingKernels();
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
  const needsProbe = preference === 'auto' || preference === 'webgl';
  const probe = needsProbe ? probeWebgl() : null;
  const gpu = preference === 'webgpu' ? await probeWebgpu() : null;

  const failures: string[] = [];
  for (const candidate of candidatesFor(preference, probe, gpu)) {
    const failure = await trySetBackend(candidate.name);
    if (failure !== null) {
      failures.push(failure);
      continue;
    }
    const details = candidate.name === 'wasm' ? ` [${await wasmDetails()}]` : '';
    const webglNote = candidate.name === 'webgl' && probe !== null && preference === 'webgl' ? `; ${describeWebgl(probe)}` : '';
    const tried = failures.length > 0 ? ` (after: ${failures.join('; ')})` : '';
    return {
      name: candidate.name,
      software: candidate.name === 'webgpu' ? gpu?.software !== false : candidate.name !== 'webgl' || probe === null || !probe.available || probe.software,
      reason: `${candidate.why}${webglNote}${details}${tried}`,
      ...(probe !== null ? { webgl: !probe.available ? ('unavailable' as const) : probe.software ? ('software' as const) : ('hardware' as const) } : {}),
      ...(gpu !== null ? { webgpu: !gpu.available ? ('unavailable' as const) : gpu.software ? ('software' as const) : ('hardware' as const) } : {}),
      ...(failures.length > 0 ? { fellBack: true } : {}),
    };
  }
  throw new Error(`No tfjs backend could be initialised: ${failures.join('; ')}`);
}
