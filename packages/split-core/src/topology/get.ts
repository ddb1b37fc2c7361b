import { getHorizontalDescriptor, getTopologyDescriptor } from './descriptors';
import type { HorizontalTopology, Topology } from './topology';
import type { TopologyName } from './descriptor';
import { uShaped } from './u_shaped';
import { vanilla } from './vanilla';
import { vertical } from './vertical';

const TOPOLOGIES: Record<TopologyName, Topology> = { vanilla, 'u-shaped': uShaped, vertical };

export function getTopology(name: string): Topology {
  return TOPOLOGIES[getTopologyDescriptor(name).name];
}

/** Topologies where all clients hold the same segments of one model (vanilla, U-shaped). */
export function getHorizontalTopology(name: string): HorizontalTopology {
  return TOPOLOGIES[getHorizontalDescriptor(name).name] as HorizontalTopology;
}
