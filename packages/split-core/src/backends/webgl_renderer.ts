// Is WebGL here, and is it a real GPU? A software renderer (SwiftShader in headless
// Chromium, llvmpipe in Mesa) trains the project's CNN several times slower than
// tfjs-backend-wasm (ARCHITECTURE.md: ~0.9 s vs ~0.1 s per step), so 'auto' must not pick it.
//
// Platform-free: no DOM types are referenced at module level; the canvas is reached
// through `globalThis` behind `typeof` guards, so in Node this reports "no WebGL".

export interface WebglProbe {
  readonly available: boolean;
  /** Unmasked renderer string when the browser exposes it, else the masked one, else null. */
  readonly renderer: string | null;
  readonly software: boolean;
}

/** The little of the WebGL API the probe touches. */
interface MinimalGl {
  readonly RENDERER: number;
  getExtension(name: string): unknown;
  getParameter(parameter: number): unknown;
}

interface CanvasLike {
  getContext(kind: string): unknown;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render driver/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

function createCanvas(): CanvasLike | null {
  const scope = globalThis as { OffscreenCanvas?: unknown; document?: unknown };
  if (typeof scope.OffscreenCanvas === 'function') {
    const Offscreen = scope.OffscreenCanvas as new (width: number, height: number) => CanvasLike;
    return new Offscreen(1, 1);
  }
  const doc = scope.document as { createElement?: unknown } | undefined;
  if (typeof doc === 'object' && doc !== null && typeof doc.createElement === 'function') {
    return (doc.createElement as (tag: string) => CanvasLike).call(doc, 'canvas');
  }
  return null;
}

function isGl(value: unknown): value is MinimalGl {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getParameter?: unknown }).getParameter === 'function' &&
    typeof (value as { getExtension?: unknown }).getExtension === 'function'
  );
}

function rendererOf(gl: MinimalGl): string | null {
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL?: number } | null;
  if (debugInfo !== null && typeof debugInfo.UNMASKED_RENDERER_WEBGL === 'number') {
    const unmasked = gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL);
    if (typeof unmasked === 'string' && unmasked.length > 0) return unmasked;
  }
  const masked = gl.getParameter(gl.RENDERER);
  return typeof masked === 'string' ? masked : null;
}

/** Creates a throw-away context, reads the renderer and releases the context again. */
export function probeWebgl(): WebglProbe {
  let canvas: CanvasLike | null;
  try {
    canvas = createCanvas();
  } catch {
    canvas = null;
  }
  if (canvas === null) return { available: false, renderer: null, software: false };
  let gl: unknown = null;
  try {
    gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  } catch {
    gl = null;
  }
  if (!isGl(gl)) return { available: false, renderer: null, software: false };
  const renderer = rendererOf(gl);
  const lose = gl.getExtension('WEBGL_lose_context') as { loseContext?: () => void } | null;
  lose?.loseContext?.();
  return { available: true, renderer, software: renderer !== null && isSoftwareRenderer(renderer) };
}
