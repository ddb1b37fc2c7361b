import { backends } from '@splitlearn/split-core';
import { env } from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendChoice, EnginePreference } from './messages';

// The worker's one tfjs backend, chosen by split-core's rule (WebGL on a hardware GPU, wasm
// where WebGL is software-rendered or missing, cpu last). Vite gives the .wasm files hashed
// names, so a path prefix cannot find them: the map names each binary explicitly (which
// is why initBackend's string-only `wasmPaths` option is not used here).
//
// Multithreaded wasm is switched off. In this bundled module worker, tfjs 4.22's threaded
// build starts its pthread workers from a Blob holding `factory.toString()`, which breaks
// once the factory is bundled: minified, every pthread worker throws "e is not defined";
// unminified, setBackend('wasm') never settles. Measured in headless Chromium with the page
// cross-origin isolated. Single-threaded SIMD wasm is what the Node client runs as well.

/** A backend that has not initialised by then is not coming: say so instead of waiting forever. */
const BACKEND_TIMEOUT_MS = 60_000;

/** The backend for the clinician's choice of engine: split-core's rule under 'auto', else the one named (falling back, with the reason, when it fails). */
export async function chooseBackend(preference: EnginePreference = 'auto'): Promise<BackendChoice> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no tfjs backend was ready after ${BACKEND_TIMEOUT_MS / 1000} s`)), BACKEND_TIMEOUT_MS);
  });
  try {
    const info = await Promise.race([backends.initBackend(preference), timeout]);
    return { name: info.name, software: info.software, reason: info.reason, preference, ...(info.webgl ? { webgl: info.webgl } : {}), ...(info.webgpu ? { webgpu: info.webgpu } : {}), ...(info.fellBack ? { fellBack: true } : {}) };
  } finally {
    clearTimeout(timer);
  }
}
