// The backends module's surface: choosing webgl / wasm / cpu, and the wasm training
// kernels (registered by initBackend; registerWasmTrainingKernels for callers that pick
// the backend themselves, e.g. a worker that always uses wasm).
export { autoChoosesWebgl, initBackend, type BackendInfo, type BackendName, type BackendPreference, type InitBackendOptions } from './select';
export { registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from './register_kernels';
export { isSoftwareRenderer, probeWebgl, type WebglProbe } from './webgl_renderer';
export { probeWebgpu, type WebgpuProbe } from './webgpu_adapter';
export { instantiateForThreads, MAX_WASM_THREADS, registerThreadedWasm, wasmBackendStarted, type EmscriptenModule, type InstantiateHook } from './threaded_wasm';
