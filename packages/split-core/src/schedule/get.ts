import { FederatedAveragingSchedule, LargeBatchSgdSchedule } from './baselines';
import { RoundRobinSchedule } from './round_robin';
import type { Schedule, ScheduleOptions } from './schedule';
import { SCHEDULE_NAMES } from './schedule';
import { SplitFedV1Schedule, SplitFedV2Schedule } from './splitfed';

export function getSchedule(name: string, options: ScheduleOptions = {}): Schedule {
  switch (name) {
    case 'round-robin':
      return new RoundRobinSchedule(options);
    case 'splitfed-v1':
      return new SplitFedV1Schedule(options);
    case 'splitfed-v2':
      return new SplitFedV2Schedule(options);
    // The baselines' rounds (a study's method, not a schedule a researcher picks).
    case 'fedavg':
      return new FederatedAveragingSchedule(options);
    case 'lbsgd':
      return new LargeBatchSgdSchedule(options);
    default:
      throw new Error(`unknown schedule '${name}': choose one of ${SCHEDULE_NAMES.join(', ')}`);
  }
}
