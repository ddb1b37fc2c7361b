// The one place that registers our wasm training kernels (STYLE.md §6, after
// tfjs-backend-wasm's register_all_kernels.ts).
//
// Three kinds: kernels tfjs-backend-wasm 4.22 lacks (conv filter gradients, depthwise
// input gradient), without which no conv layer trains on wasm; faster replacements for
// built-in kernels that are scalar loops (Conv2DBackpropInput, MaxPoolGrad); and
// wrappers around built-ins (BatchMatMul, Sum) that route the shapes training produces
// to a fast path and hand everything else back. tfjs's registerKernel overwrites a
// duplicate but logs a warning, so a built-in is unregistered first.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { BatchMatMul, Sum, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
// Side effect: registers the built-in wasm kernels, which must exist before we wrap one.
import '@tensorflow/tfjs-backend-wasm';
import { createBatchMatMulConfig } from './kernels/BatchMatMul';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/DepthwiseConv2dNativeBackpropInput';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad';
import { createSumConfig } from './kernels/Sum';

const BACKEND = 'wasm';

export const wasmTrainingKernelConfigs: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  maxPoolGradConfig,
];

/** Built-in kernels we wrap: each factory receives the built-in it delegates to. */
const wrappedBuiltins: ReadonlyArray<readonly [string, (builtin: KernelConfig) => KernelConfig]> = [
  [BatchMatMul, createBatchMatMulConfig],
  [Sum, createSumConfig],
];

const ourKernelFuncs = new WeakSet<KernelFunc>(wasmTrainingKernelConfigs.map((config) => config.kernelFunc));

function replace(config: KernelConfig): void {
  if (getKernel(config.kernelName, BACKEND) !== undefined) unregisterKernel(config.kernelName, BACKEND);
  registerKernel(config);
  ourKernelFuncs.add(config.kernelFunc);
}

/**
 * Registers the kernels for the 'wasm' backend. Idempotent: a kernel already pointing at
 * our implementation is left alone. Works before or after `tf.setBackend('wasm')`: the
 * kernels bind to the wasm module lazily instead of through a `setupFunc`.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernelConfigs) {
    if (getKernel(config.kernelName, BACKEND)?.kernelFunc !== config.kernelFunc) replace(config);
  }
  for (const [kernelName, wrap] of wrappedBuiltins) {
    const builtin = getKernel(kernelName, BACKEND);
    if (builtin === undefined) throw new Error(`tfjs-backend-wasm registered no ${kernelName} kernel`);
    if (!ourKernelFuncs.has(builtin.kernelFunc)) replace(wrap(builtin));
  }
}

/** True when every kernel of ours is the one registered (e.g. for a start-up self-check). */
export function wasmTrainingKernelsRegistered(): boolean {
  const names = [...wasmTrainingKernelConfigs.map((config) => config.kernelName), ...wrappedBuiltins.map(([name]) => name)];
  return names.every((name) => {
    const current = getKernel(name, BACKEND);
    return current !== undefined && ourKernelFuncs.has(current.kernelFunc);
  });
}
