// Serves tfjs-backend-wasm's pthread script as a file of the app. tfjs ships it only as a
// string inside a CommonJS module and starts each pthread worker from a Blob of it, next to a
// Blob of the loader's own source; once the loader is bundled that source no longer runs on
// its own (worker/backend.ts). With the script at a real URL (this plugin) and the loader
// beside it (`?url`), the training worker starts the threaded build itself.
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const VIRTUAL_ID = 'virtual:tfjs-wasm-pthread-url';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;
/** Where `vite dev` serves the script. */
const DEV_PATH = '/@tfjs-wasm-pthread.js';
/** The threaded loader, as the training worker bundles it (not its `?url` copy, which pthreads run). */
const LOADER_FILE = 'tfjs-backend-wasm-threaded-simd.js';
const POOL_SIZE = /var pthreadPoolSize=\d+;/;

function pthreadScript(): string {
  const require = createRequire(import.meta.url);
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  // The same escaping tfjs applies before making its Blob (newlines sit inside string literals).
  return wasmWorkerContents.replace(/\n/g, '\\n');
}

/**
 * `import pthreadUrl from 'virtual:tfjs-wasm-pthread-url'`: the script's URL, in dev and in the
 * build. Also lets the bundled loader take its pthread pool's size from the factory's config
 * (`pthreadPoolSize`): Emscripten starts all of them, 8, before the first step, where the
 * worker needs as many as its threads less one.
 */
export function tfjsWasmPthreadScript(): Plugin {
  let serving = false;
  return {
    name: 'tfjs-wasm-pthread-script',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : null;
    },
    load(id) {
      if (id !== RESOLVED_ID) return null;
      if (serving) return `export default ${JSON.stringify(DEV_PATH)};`;
      const reference = this.emitFile({ type: 'asset', name: 'tfjs-wasm-pthread.js', source: pthreadScript() });
      return `export default import.meta.ROLLUP_FILE_URL_${reference};`;
    },
    transform(code, id) {
      if (!id.endsWith(LOADER_FILE)) return null;
      if (!POOL_SIZE.test(code)) {
        this.warn(`${LOADER_FILE} no longer sizes its pthread pool as expected: the training worker will start 8 pthreads`);
        return null;
      }
      return { code: code.replace(POOL_SIZE, 'var pthreadPoolSize=Module["pthreadPoolSize"]||8;'), map: null };
    },
    configureServer(server) {
      server.middlewares.use(DEV_PATH, (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript');
        response.end(pthreadScript());
      });
    },
  };
}
