// Attribute checks shared by the convolution gradient kernels.
import { backend_util } from '@tensorflow/tfjs';

/** The wasm convolutions are channels-last only, like tfjs-backend-wasm's own Conv2D. */
export function assertChannelsLast(dataFormat: 'NHWC' | 'NCHW' | undefined, kernelName: string): void {
  if (dataFormat !== undefined && backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(`${kernelName} on wasm supports only dataFormat 'NHWC' (got '${dataFormat}'); transpose the input to NHWC.`);
  }
}

/**
 * tfjs computes conv gradients only for dilation 1 (its gradient functions assert it), and
 * the cpu reference kernels ignore dilations, so there is nothing to check a dilated
 * gradient against: refuse instead of returning something unverified.
 */
export function assertUnitDilations(attrs: object, kernelName: string): void {
  const dilations: unknown = 'dilations' in attrs ? attrs.dilations : undefined;
  if (dilations === undefined || dilations === null) return;
  const values = Array.isArray(dilations) ? (dilations as unknown[]) : [dilations];
  if (values.some((d) => d !== 1)) {
    throw new Error(`${kernelName} on wasm does not support dilations other than 1 (got ${JSON.stringify(dilations)}).`);
  }
}
