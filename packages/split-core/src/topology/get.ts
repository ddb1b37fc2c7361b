import type { HorizontalTopology, Topology, TopologyName } from './topology';
import { TOPOLOGY_NAMES } from './topology';
import { uShaped } from './u_shaped';
import { vanilla } from './vanilla';
import { vertical } from './vertical';

const TOPOLOGIES: Record<TopologyName, Topology> = { vanilla, 'u-shaped': uShaped, vertical };

export class UnknownTopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownTopologyError';
  }
}

function unknown(name: string): UnknownTopologyError {
  return new UnknownTopologyError(`unknown topology '${name}': choose one of ${TOPOLOGY_NAMES.join(', ')}`);
}

export function getTopology(name: string): Topology {
  const topology = (TOPOLOGIES as Record<string, Topology | undefined>)[name];
  if (!topology) throw unknown(name);
  return topology;
}

/** Topologies where all clients hold the same segments of one model (vanilla, U-shaped). */
export function getHorizontalTopology(name: string): HorizontalTopology {
  if (name === 'vanilla') return vanilla;
  if (name === 'u-shaped') return uShaped;
  if (name === 'vertical') {
    throw new UnknownTopologyError("the vertical topology needs one model per party (planVertical); here choose 'vanilla' or 'u-shaped'");
  }
  throw unknown(name);
}
