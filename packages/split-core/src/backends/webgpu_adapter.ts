import { isSoftwareRenderer } from './webgl_renderer';

// Is WebGPU here, and on a real GPU? Chromium offers it on a graphics card, or (headless,
// with --enable-unsafe-webgpu) on SwiftShader, which is correct but slow: 'auto' takes it
// only on hardware. Platform-free: Node has no navigator.gpu, so this reports "no WebGPU".

export interface WebgpuProbe {
  readonly available: boolean;
  /** The adapter's vendor, architecture and description, as the browser names them. */
  readonly adapter: string | null;
  readonly software: boolean;
}

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

const NONE: WebgpuProbe = { available: false, adapter: null, software: false };

export async function probeWebgpu(): Promise<WebgpuProbe> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return NONE;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return NONE;
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.device, info.description].filter((part) => part !== undefined && part !== '').join(' ') || 'unnamed adapter';
    return { available: true, adapter: name, software: adapter.isFallbackAdapter === true || isSoftwareRenderer(name) };
  } catch {
    return NONE;
  }
}
