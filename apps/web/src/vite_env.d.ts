/// <reference types="vite/client" />

declare module 'virtual:tfjs-wasm-pthread-url' {
  /** tfjs-backend-wasm's pthread script, served as a file of the app (apps/web/vite/tfjs_pthread_script.ts). */
  const url: string;
  export default url;
}
