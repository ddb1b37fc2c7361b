import { model } from '@splitlearn/split-core';
import type { SegmentPlan } from '@splitlearn/split-core/pure';

// Names and shapes of each client segment's variables, exactly as readWeights will name them
// when the relay asks for a hand-off or aggregation. Layer types differ in what they hold
// (batch norm keeps moving statistics besides its trainable parameters), so rather than
// re-deriving tfjs's variable list, the segment is built once, read and thrown away.

export function clientWeightLayout(plans: readonly SegmentPlan[], seed: number): { name: string; shape: number[] }[][] {
  return plans.map((plan) => {
    const built = model.buildLayersModel(plan.layers, plan.inputShape, { seed, name: `layout_client_segment${plan.index}` });
    try {
      return built.weights.map((weight) => ({ name: weight.originalName, shape: weight.shape.map((size) => size ?? 0) }));
    } finally {
      built.dispose();
    }
  });
}
