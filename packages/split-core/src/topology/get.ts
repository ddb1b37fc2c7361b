import { getHorizontalDescriptor, getTopologyDescriptor, UnknownTopologyError } from './descriptors';
import type { HorizontalTopology, Topology } from './topology';
import type { TopologyName } from './descriptor';
import { uShaped } from './u_shaped';
import { multiHop, vanilla } from './vanilla';
import { extended, vertical } from './vertical';

// Multi-task's steps depend on the study's task heads: built by multiTask(heads) from them.
const TOPOLOGIES: Record<Exclude<TopologyName, 'multi-task'>, Topology> = { vanilla, 'u-shaped': uShaped, vertical, extended, 'multi-hop': multiHop };

export function getTopology(name: string): Topology {
  const descriptor = getTopologyDescriptor(name);
  if (descriptor.name === 'multi-task') throw new UnknownTopologyError('a multi-task topology is built from its study\u2019s task heads: use multiTask(heads)');
  return TOPOLOGIES[descriptor.name];
}

/** Topologies where all clients hold the same segments of one model (vanilla, U-shaped). */
export function getHorizontalTopology(name: string): HorizontalTopology {
  return TOPOLOGIES[getHorizontalDescriptor(name).name as 'vanilla' | 'u-shaped'] as HorizontalTopology;
}
