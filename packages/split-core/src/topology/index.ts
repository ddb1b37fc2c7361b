export type { Batch, ClientRole, EvalResult, HorizontalTopology, RoleAssignment, ServerRole, StepResult, Topology, TopologyName } from './topology';
export { TOPOLOGY_NAMES } from './topology';
export { ProtocolError, WIRE_KINDS, type Link, type WireKind } from './link';
export { createInProcessLinkPair, type InProcessLinkOptions } from './in_process_link';
export { vanilla } from './vanilla';
export { uShaped } from './u_shaped';
export { planVertical, vertical, type VerticalPartySpec, type VerticalPlan } from './vertical';
export { getHorizontalTopology, getTopology, UnknownTopologyError } from './get';
