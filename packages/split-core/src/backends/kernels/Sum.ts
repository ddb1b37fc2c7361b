// Sum over leading axes on wasm. Every bias gradient is one (dy [N,H,W,C] summed over
// N,H,W), and the built-in kernel reduces only innermost axes, so it first transposes
// the whole of dy to put C in front (a strided copy; ~6 ms for cnn-small's first conv
// layer). Summing rows straight off the heap in JS reads dy once, in order, and
// accumulates in float64 like the cpu backend. Other reductions go to the built-in.
import type { KernelConfig, KernelFunc, SumAttrs, SumInputs, TensorInfo } from '@tensorflow/tfjs';
import { Sum, util } from '@tensorflow/tfjs';
import { callableBuiltin } from './builtin_kernel';
import { asWasmBackend, heapFloat32 } from './wasm_access';

/** Number of leading axes reduced, or null when the axes are not a leading prefix. */
export function leadingAxesCount(axes: readonly number[]): number | null {
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((axis, i) => axis === i) && sorted.length > 0 ? sorted.length : null;
}

function sumLeadingAxes(x: Float32Array, rows: number, columns: number, out: Float32Array): void {
  const totals = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    const base = r * columns;
    for (let c = 0; c < columns; c++) totals[c] = (totals[c] as number) + (x[base + c] as number);
  }
  out.set(totals);
}

export function createSumConfig(builtin: KernelConfig): KernelConfig {
  const builtinSum = callableBuiltin(builtin);

  function sum(args: { inputs: SumInputs; backend: unknown; attrs: SumAttrs }): TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs;
    if (x === undefined) throw new Error('Sum needs input x');
    const { axis, keepDims } = args.attrs;
    const axes = util.parseAxisParam(axis, x.shape);
    const leading = leadingAxesCount(axes);
    if (x.dtype !== 'float32' || leading === null || util.sizeFromShape(x.shape) === 0) {
      return builtinSum(backend, { x }, { axis, keepDims });
    }
    const kept = x.shape.slice(leading);
    const rows = util.sizeFromShape(x.shape.slice(0, leading));
    const columns = util.sizeFromShape(kept);
    const outShape = keepDims ? [...x.shape.slice(0, leading).map(() => 1), ...kept] : kept;
    const out = backend.makeOutput(outShape, 'float32');
    // Views after the allocation: growing the heap detaches older views.
    sumLeadingAxes(heapFloat32(backend, x), rows, columns, heapFloat32(backend, out));
    return out;
  }

  return { kernelName: Sum, backendName: 'wasm', kernelFunc: sum as unknown as KernelFunc };
}
