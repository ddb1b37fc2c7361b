import { encodedBundleSize } from '../codec/bundle';
import { encodedSize, nameByteLength } from '../codec/encoded_size';
import type { Encoding } from '../codec/types';
import { planSegments } from '../model/cuts';
import { countParams, inferLayerShape } from '../model/shapes';
import type { CutPoint, LayerSpec, ModelSpec } from '../model/spec';
import type { MethodName } from '../study/method';
import { segmentFlops } from './flops';

export { METHOD_NAMES, type MethodName } from '../study/method';

// What each method costs a client over a whole training run, from the model and the setting
// alone (PAPER.md Tables 1-2): split learning (vanilla, round-robin with weight hand-off),
// federated averaging and large-batch synchronous SGD. Counted the way the simulator and the
// relay meter a real run: tensors as codec frames, weights and gradients as bundles. Assumes
// the samples are shared out equally and every batch is full but the last of each pass.


export interface CostSetting {
  spec: ModelSpec;
  /** Split learning's cut (vanilla); the model's default when absent. */
  cut?: CutPoint;
  /** Training samples of all clients together. */
  samples: number;
  clients: number;
  /** Passes over each client's data. */
  epochs: number;
  batchSize: number;
  /** Federated averaging: local passes per round (rounds = epochs / localEpochs). */
  localEpochs?: number;
  /** Encoding of split learning's cut tensors (weights and gradients always travel fp32). */
  codec?: Encoding;
}

export interface MethodCost {
  /** Training FLOPs one client spends over the run (forward and backward). */
  clientFlops: number;
  /** Bytes one client sends and receives over the run. */
  bytesUp: number;
  bytesDown: number;
}

/** Bytes of a weight (or gradient) bundle of these layers: one fp32 frame per kernel and per bias. */
export function weightBundleBytes(layers: readonly LayerSpec[], inputShape: readonly number[]): number {
  const frames: number[] = [];
  let shape: readonly number[] = inputShape;
  for (const layer of layers) {
    const params = countParams(layer, shape);
    const outputShape = inferLayerShape(layer, shape);
    if (params > 0) {
      const bias = outputShape[outputShape.length - 1] ?? 0;
      const kernelRank = layer.type === 'dense' ? 2 : 4;
      frames.push(encodedSize([params - bias, ...Array.from({ length: kernelRank - 1 }, () => 1)], 'float32', 'fp32', nameByteLength(`${layer.name}/kernel`)));
      frames.push(encodedSize([bias], 'float32', 'fp32', nameByteLength(`${layer.name}/bias`)));
    }
    shape = outputShape;
  }
  return encodedBundleSize(frames);
}

function trainingFlops(layers: readonly LayerSpec[], inputShape: readonly number[], needsInputGradient: boolean): number {
  const flops = segmentFlops(layers, inputShape, { needsInputGradient });
  return flops.forward + flops.backward;
}

/** Each method's cost to one client over the run. */
export function methodCosts(setting: CostSetting): Record<MethodName, MethodCost> {
  const { spec, clients, epochs, batchSize } = setting;
  if (!(clients >= 1) || !(setting.samples >= clients)) throw new RangeError(`need at least one sample per client: ${setting.samples} samples, ${clients} clients`);
  const perClient = setting.samples / clients;
  // Batches hold whole samples: a client's share, rounded, sets its steps.
  const rows = Math.max(1, Math.round(perClient));
  const steps = Math.ceil(rows / batchSize);
  const lastBatch = rows - (steps - 1) * batchSize;
  const codec = setting.codec ?? 'fp32';
  const whole = planSegments(spec, [])[0];
  if (!whole) throw new Error(`model ${spec.name} has no layers`);
  const wholeFlops = trainingFlops(whole.layers, whole.inputShape, false);
  const wholeBundle = weightBundleBytes(whole.layers, whole.inputShape);

  const [bottom] = planSegments(spec, [setting.cut ?? spec.defaultCuts.vanilla]);
  if (!bottom) throw new Error(`model ${spec.name} cannot be cut`);
  const frame = (batch: number, kind: 'activations' | 'gradients'): number => encodedSize([batch, ...bottom.outputShape], 'float32', codec, nameByteLength(kind));
  const labels = (batch: number): number => encodedSize([batch], 'int32', 'fp32', nameByteLength('labels'));
  const pass = (bytes: (batch: number) => number): number => (steps - 1) * bytes(batchSize) + bytes(lastBatch);
  const clientBundle = weightBundleBytes(bottom.layers, bottom.inputShape);
  const rounds = epochs / (setting.localEpochs ?? 1);

  return {
    // Per pass: cut activations and labels up, the cut gradient down; per round the client segment's hand-off, in and out.
    splitnn: {
      clientFlops: perClient * epochs * trainingFlops(bottom.layers, bottom.inputShape, false),
      bytesUp: epochs * (pass((batch) => frame(batch, 'activations') + labels(batch)) + clientBundle),
      bytesDown: epochs * (pass((batch) => frame(batch, 'gradients')) + clientBundle),
    },
    // Per round: the global model down, the client's model up.
    fedavg: { clientFlops: perClient * epochs * wholeFlops, bytesUp: rounds * wholeBundle, bytesDown: rounds * wholeBundle },
    // Per step: the weights down, the gradient (the model's size) up.
    lbsgd: { clientFlops: perClient * epochs * wholeFlops, bytesUp: epochs * steps * wholeBundle, bytesDown: epochs * steps * wholeBundle },
  };
}

/**
 * The fewest clients from which split learning sends each client fewer bytes than federated
 * averaging, with the total samples fixed (Singh et al. 2019); undefined when it never does
 * below `maxClients`.
 */
export function splitBeatsFedAvgFrom(setting: Omit<CostSetting, 'clients'>, maxClients = 100_000): number | undefined {
  const total = (cost: MethodCost): number => cost.bytesUp + cost.bytesDown;
  for (let clients = 1; clients <= Math.min(maxClients, setting.samples); clients++) {
    const costs = methodCosts({ ...setting, clients });
    if (total(costs.splitnn) < total(costs.fedavg)) return clients;
  }
  return undefined;
}
