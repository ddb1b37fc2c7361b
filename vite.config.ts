import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Builds apps/web into apps/web/dist, which the relay serves.
export default defineConfig({
  root: 'apps/web',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  worker: { format: 'es' },
});
