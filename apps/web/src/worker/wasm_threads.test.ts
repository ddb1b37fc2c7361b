import { describe, expect, it } from 'vitest';
import { THREADED_WORKER_NAME } from './messages';
import { wasmThreadPlan } from './wasm_threads';

describe('the training worker’s WebAssembly threads', () => {
  const contribute = { name: THREADED_WORKER_NAME, crossOriginIsolated: true };
  it('takes the cores the browser reports, up to four, on the contribute page', () => {
    expect(wasmThreadPlan({ ...contribute, navigator: { hardwareConcurrency: 2 } })).toEqual({ threads: 2 });
    expect(wasmThreadPlan({ ...contribute, navigator: { hardwareConcurrency: 16 } })).toEqual({ threads: 4 });
  });
  it('runs on one thread, and says why, where threads cannot help or cannot run', () => {
    expect(wasmThreadPlan({ ...contribute, navigator: { hardwareConcurrency: 1 } })).toEqual({ single: expect.stringMatching(/one processor core/) as string });
    expect(wasmThreadPlan({ ...contribute, crossOriginIsolated: false, navigator: { hardwareConcurrency: 8 } })).toEqual({ single: expect.stringMatching(/not cross-origin isolated/) as string });
    expect(wasmThreadPlan({ name: 'St. Elsewhere', crossOriginIsolated: true, navigator: { hardwareConcurrency: 8 } })).toEqual({ single: expect.stringMatching(/booth demo/) as string });
  });
});
