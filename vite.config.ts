import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { tfjsWasmPthreadScript } from './apps/web/vite/tfjs_pthread_script';

// Builds apps/web into apps/web/dist, which the relay serves at the same origin.
// The relay serves the app cross-origin isolated (COOP/COEP), which the multithreaded
// tfjs wasm build needs (SharedArrayBuffer); dev and preview set the same headers so the
// worker picks the same backend as in production, and forward the relay's socket.io and
// REST paths to a relay on localhost:8080.

const RELAY = process.env.RELAY_URL ?? 'http://localhost:8080';

const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const relayProxy = {
  '/socket.io': { target: RELAY, ws: true, changeOrigin: true },
  '/api': { target: RELAY, changeOrigin: true },
};

export default defineConfig({
  root: 'apps/web',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  // The training worker imports the pthread script's URL (worker bundles take their own plugins).
  worker: { format: 'es', plugins: () => [tfjsWasmPthreadScript()] },
  server: { headers: crossOriginIsolation, proxy: relayProxy },
  preview: { headers: crossOriginIsolation, proxy: relayProxy },
});
