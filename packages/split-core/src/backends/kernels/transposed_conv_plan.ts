// How to express an input gradient (a transposed convolution) as a stride-1 forward
// convolution of a zero-inserted dy, shared by the dense and depthwise input gradients.
//
// Along one axis, with forward stride s, filter size k, top padding pt, dx size H and dy
// size Ho: dyd (dy with s-1 zeros between entries) has Hd = (Ho-1)*s + 1 rows, and output
// row h of dx reads dyd rows h - P .. h - P + k - 1 with P = k - 1 - pt. Over all h that is
// dyd rows -P .. L with L = H + k - 2 - P. Rows outside dyd are zero padding (XNNPACK pads
// for free); dyd rows outside that range are never read and get cropped, because XNNPACK
// cannot take negative padding. Output height is then exactly H.
import type { TensorInfo, backend_util } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm_access';
import { heapFloat32 } from './wasm_access';
import type { ConvGeometry } from './xnn_conv2d';
import { shape4 } from './xnn_conv2d';

interface AxisPlan {
  readonly stride: number;
  readonly cropBefore: number;
  readonly keptSize: number;
  readonly padBefore: number;
  readonly padAfter: number;
  readonly needsCopy: boolean;
}

export interface TransposedConvPlan {
  /** Stride 1, dilation 1, non-negative padding, applied to the zero-inserted dy. */
  readonly geometry: ConvGeometry;
  /** False when dy can be used as it is (stride 1, nothing to crop). */
  readonly needsCopy: boolean;
  readonly rows: AxisPlan;
  readonly cols: AxisPlan;
}

function planAxis(stride: number, filterSize: number, padBeforeForward: number, dxSize: number, dySize: number): AxisPlan | 'empty' {
  const dilatedSize = (dySize - 1) * stride + 1;
  const offset = filterSize - 1 - padBeforeForward;
  const lastNeeded = dxSize + filterSize - 2 - offset;
  const cropBefore = Math.max(0, -offset);
  const cropAfter = Math.max(0, dilatedSize - 1 - lastNeeded);
  const keptSize = dilatedSize - cropBefore - cropAfter;
  if (keptSize <= 0) return 'empty';
  return {
    stride,
    cropBefore,
    keptSize,
    padBefore: Math.max(0, offset),
    padAfter: Math.max(0, lastNeeded - (dilatedSize - 1)),
    needsCopy: stride > 1 || cropBefore > 0 || cropAfter > 0,
  };
}

/** 'all-zero' when no dy entry reaches dx (windows lying entirely in explicit padding). */
export function planTransposedConv(info: backend_util.Conv2DInfo): TransposedConvPlan | 'all-zero' {
  const rows = planAxis(info.strideHeight, info.filterHeight, info.padInfo.top, info.inHeight, info.outHeight);
  const cols = planAxis(info.strideWidth, info.filterWidth, info.padInfo.left, info.inWidth, info.outWidth);
  if (rows === 'empty' || cols === 'empty') return 'all-zero';
  return {
    rows,
    cols,
    needsCopy: rows.needsCopy || cols.needsCopy,
    geometry: {
      strideHeight: 1,
      strideWidth: 1,
      dilationHeight: 1,
      dilationWidth: 1,
      padTop: rows.padBefore,
      padBottom: rows.padAfter,
      padLeft: cols.padBefore,
      padRight: cols.padAfter,
    },
  };
}

/** dy [N,Ho,Wo,C] -> zero-inserted and cropped [N, rows.keptSize, cols.keptSize, C]. */
export function zeroInsertedInput(backend: WasmBackend, dy: TensorInfo, plan: TransposedConvPlan): TensorInfo {
  const [batch, dyHeight, dyWidth, channels] = shape4(dy.shape, 'dy');
  const { rows, cols } = plan;
  const out = backend.makeOutput([batch, rows.keptSize, cols.keptSize, channels], 'float32');
  // Views taken after the allocation above: growing the heap detaches older views.
  const source = heapFloat32(backend, dy);
  const target = heapFloat32(backend, out);
  target.fill(0);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < dyHeight; i++) {
      const r = i * rows.stride - rows.cropBefore;
      if (r < 0 || r >= rows.keptSize) continue;
      for (let j = 0; j < dyWidth; j++) {
        const c = j * cols.stride - cols.cropBefore;
        if (c < 0 || c >= cols.keptSize) continue;
        const from = ((n * dyHeight + i) * dyWidth + j) * channels;
        target.set(source.subarray(from, from + channels), ((n * rows.keptSize + r) * cols.keptSize + c) * channels);
      }
    }
  }
  return out;
}
