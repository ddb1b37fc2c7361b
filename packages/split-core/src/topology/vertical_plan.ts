import type { SegmentPlan } from '../model/cuts';
import { ModelSpecError } from '../model/errors';
import { inferShapes } from '../model/shapes';
import type { LayerSpec } from '../model/spec';

// The shapes of a vertical split (PAPER.md, Fig. 2c), without building it: each party's
// segment over what it holds, and the server segment over their cut outputs joined on the
// last axis. tfjs-free, so the dashboard and the contribute page plan exactly what the
// engine (vertical.ts) runs.

export interface VerticalPartySpec {
  layers: LayerSpec[];
  inputShape: number[];
}

export interface VerticalPlan {
  parties: SegmentPlan[];
  server: SegmentPlan;
}

/** Plans each party's segment and the server segment over the concatenated cut outputs. */
export function planVertical(parties: VerticalPartySpec[], serverLayers: LayerSpec[]): VerticalPlan {
  if (parties.length < 2) throw new ModelSpecError('incompatible-parties', `vertical split learning needs at least two parties, got ${parties.length}`);
  const partyPlans = parties.map((party, index): SegmentPlan => {
    const shapes = inferShapes(party.layers, party.inputShape);
    return { index, layers: party.layers, inputShape: party.inputShape, outputShape: shapes[shapes.length - 1] ?? party.inputShape };
  });
  const leading = partyPlans.map((plan) => plan.outputShape.slice(0, -1).join('x'));
  if (new Set(leading).size !== 1) {
    throw new ModelSpecError('incompatible-parties', `party cut outputs can only be concatenated on their last axis: shapes ${partyPlans.map((p) => `[${p.outputShape.join(', ')}]`).join(', ')}`);
  }
  const first = partyPlans[0] as SegmentPlan;
  const width = partyPlans.reduce((sum, plan) => sum + (plan.outputShape[plan.outputShape.length - 1] ?? 0), 0);
  const serverInput = [...first.outputShape.slice(0, -1), width];
  const serverShapes = inferShapes(serverLayers, serverInput);
  return {
    parties: partyPlans,
    server: { index: parties.length, layers: serverLayers, inputShape: serverInput, outputShape: serverShapes[serverShapes.length - 1] ?? serverInput },
  };
}

export interface ExtendedPlan {
  parties: SegmentPlan[];
  /** The intermediate participant's segment, over the parties' cut outputs joined on the last axis. */
  intermediate: SegmentPlan;
  server: SegmentPlan;
}

/**
 * Extended vanilla (PAPER.md, Fig. 4a): the parties' segments as in a vertical split, then an
 * intermediate participant's segment over their joined cut outputs, then the server's.
 */
export function planExtended(parties: VerticalPartySpec[], intermediateLayers: LayerSpec[], serverLayers: LayerSpec[]): ExtendedPlan {
  if (intermediateLayers.length === 0) throw new ModelSpecError('incompatible-parties', 'extended vanilla needs at least one layer at the intermediate participant');
  const joined = planVertical(parties, intermediateLayers);
  const intermediate = joined.server;
  const serverShapes = inferShapes(serverLayers, intermediate.outputShape);
  return {
    parties: joined.parties,
    intermediate,
    server: { index: intermediate.index + 1, layers: serverLayers, inputShape: intermediate.outputShape, outputShape: serverShapes[serverShapes.length - 1] ?? intermediate.outputShape },
  };
}
