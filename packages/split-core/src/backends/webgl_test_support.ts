// Test-only: a fake OffscreenCanvas whose WebGL context reports a chosen renderer, to
// exercise the software/hardware decision in Node, where there is no WebGL at all.

export const UNMASKED_RENDERER_WEBGL = 0x9246;
const RENDERER = 0x1f01;

export interface FakeWebglOptions {
  readonly unmaskedRenderer: string | null;
  readonly maskedRenderer?: string;
}

export interface FakeWebgl {
  readonly OffscreenCanvas: new (width: number, height: number) => { getContext(kind: string): unknown };
  readonly lostContexts: () => number;
}

export function fakeWebgl(options: FakeWebglOptions): FakeWebgl {
  let lost = 0;
  const gl = {
    RENDERER,
    getExtension(name: string): unknown {
      if (name === 'WEBGL_debug_renderer_info') return options.unmaskedRenderer === null ? null : { UNMASKED_RENDERER_WEBGL };
      if (name === 'WEBGL_lose_context') return { loseContext: () => void lost++ };
      return null;
    },
    getParameter(parameter: number): unknown {
      if (parameter === UNMASKED_RENDERER_WEBGL) return options.unmaskedRenderer;
      if (parameter === RENDERER) return options.maskedRenderer ?? 'WebKit WebGL';
      return null;
    },
  };
  class OffscreenCanvas {
    constructor(_width: number, _height: number) {}
    getContext(kind: string): unknown {
      return kind === 'webgl2' || kind === 'webgl' ? gl : null;
    }
  }
  return { OffscreenCanvas, lostContexts: () => lost };
}
