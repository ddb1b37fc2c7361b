export type { RoundOutcome, Schedule, ScheduleName } from './schedule';
export { asError, SCHEDULE_NAMES } from './schedule';
export { SHARED_SERVER, type Federation, type FederationClient, type SegmentWeights } from './federation';
export { averageSegmentWeights, federatedAverageClients } from './fedavg';
export { RoundRobinSchedule } from './round_robin';
export { SplitFedV1Schedule, SplitFedV2Schedule } from './splitfed';
export { getSchedule } from './get';
