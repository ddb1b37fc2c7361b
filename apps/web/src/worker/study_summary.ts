import type { protocol, study } from '@splitlearn/split-core';
import { protocol as contract } from '@splitlearn/split-core/pure';
import type { StudySummary } from './messages';
import type { EgressInput } from './what_leaves';

type StudyInfo = protocol.StudyInfo;
type SplitPlan = ReturnType<typeof study.studySplit>;

export function toStudySummary(study: StudyInfo): StudySummary {
  const config = contract.horizontalStudy(study.config);
  return {
    id: study.id,
    name: config.name,
    state: study.state,
    round: study.round,
    rounds: config.rounds,
    model: config.model,
    topology: config.topology,
    schedule: config.schedule,
    codec: config.codec,
    classes: config.classes,
    inputShape: config.inputShape,
    batchSize: config.batchSize,
    validationFraction: config.validationFraction,
    minClients: config.minClients,
    ...(config.maxStepsPerRound !== undefined ? { maxStepsPerRound: config.maxStepsPerRound } : {}),
  };
}

/** Per-sample shape at every cut, input side first (segment i ends at cut i). */
export function cutShapes(split: SplitPlan): number[][] {
  const segments = [...split.client, ...split.server].sort((a, b) => a.index - b.index);
  return segments.slice(0, -1).map((segment) => segment.outputShape);
}

export function egressInputFor(study: StudyInfo, split: SplitPlan, clientWeights: EgressInput['clientWeights']): EgressInput {
  return { topology: study.config.topology, codec: study.config.codec, batchSize: study.config.batchSize, cutShapes: cutShapes(split), clientWeights };
}
