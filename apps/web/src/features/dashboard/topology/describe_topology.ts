import { studyMethod } from '@splitlearn/split-core/pure';
import { describeBaseline } from './describe_baseline';
import { describeChain } from './describe_chain';
import { describeHorizontal } from './describe_horizontal';
import { describeVertical } from './describe_vertical';
import type { Config, TopologyResult } from './topology_description';

// Who holds what in a study and what crosses the network, derived from the study's
// configuration with split-core's own planning and topology and schedule descriptors
// (tfjs-free), so the diagram matches what the engine builds. A configuration the engine
// would refuse is explained, not drawn.

export type { AlignmentView, Crossing, ParticipantView, SegmentRole, SegmentView, TopologyDescription, TopologyResult } from './topology_description';

export function describeTopology(config: Config): TopologyResult {
  try {
    // The configuration picks the planner (one model for all, or one encoder per party).
    if ('parties' in config) return { ok: true, description: describeVertical(config) };
    if (!studyMethod(config).serverSegment && config.topology !== 'multi-hop') return { ok: true, description: describeBaseline(config) };
    if (config.topology === 'multi-hop') return { ok: true, description: describeChain(config) };
    return { ok: true, description: describeHorizontal(config) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
