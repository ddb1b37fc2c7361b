export type { RoundOutcome, Schedule, ScheduleName, ScheduleOptions } from './schedule';
export { asError, SCHEDULE_NAMES } from './schedule';
export { SHARED_SERVER, singleClientGroup, WeightsRefusedError, type Federation, type GroupTrained, type SegmentWeights, type TrainingGroup } from './federation';
export { averageSegmentWeights, federatedAverageGroups } from './fedavg';
export { RoundRobinSchedule } from './round_robin';
export { SplitFedV1Schedule, SplitFedV2Schedule } from './splitfed';
export { FederatedAveragingSchedule, LargeBatchSgdSchedule } from './baselines';
export { getSchedule } from './get';
export { SCHEDULE_DESCRIPTORS, scheduleDescriptor, type ScheduleDescriptor, type WeightTransfer } from './descriptor';
