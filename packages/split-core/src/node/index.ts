// @splitlearn/split-core/node: the Node-only adapters (disk, sockets, command lines).
export { readImageFolder } from './data/image_folder';
export { saveLayersModel } from './save_model';
export { connectNodeParticipant, type ClientSocket, type NodeParticipant } from './client/connect';
export { DEMO_DATA_SEED, loadLocalData, type LocalData, type LocalDataOptions } from './client/local_data';
export { runSim, type SimResult } from './sim/run';
export { MODEL_JSON, readSegment, segmentModelPaths, writeSegmentFiles } from './segment_files';
export { runInfer, type InferResult } from './infer/run';
export { downloadServerSegment, ExportRequestError, type ServerSegmentDownload } from './export/download';
export { initNodeBackend, type NodeBackendInfo } from './native_backend';
export { initNodeWasmBackend, useWasmThreads, wasmThreadsFromEnv, WASM_THREADS_ENV, type WasmThreads } from './wasm_threads';
