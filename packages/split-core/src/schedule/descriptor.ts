import type { ScheduleName } from './schedule';

// What a schedule does, without running it: how groups take turns and which weights travel
// each round. tfjs-free, for the dashboard's topology view and the study console.

export interface WeightTransfer {
  /** up: a group's client weights to the relay; down: weights from the relay to a group. */
  direction: 'up' | 'down';
  what: string;
}

export interface ScheduleDescriptor {
  readonly name: ScheduleName;
  /** Groups train at the same time (SplitFed) or one after another (round-robin). */
  readonly parallel: boolean;
  /** Client-segment weights each group sends and receives per round, in order. */
  readonly weightsPerRound: readonly WeightTransfer[];
  /** The schedule in plain words for people. */
  readonly plain: string;
}

/** SplitFed's exchange: every group uploads its client segments at the end of a round and gets the average. */
const FEDAVG_EXCHANGE: readonly WeightTransfer[] = [
  { direction: 'up', what: 'Its client-segment weights, at the end of the round' },
  { direction: 'down', what: 'The averaged client segments (FedAvg)' },
];

export const SCHEDULE_DESCRIPTORS: Record<ScheduleName, ScheduleDescriptor> = {
  'round-robin': {
    name: 'round-robin',
    parallel: false,
    weightsPerRound: [
      { direction: 'down', what: 'Client-segment weights from the previous hospital, before its turn' },
      { direction: 'up', what: 'Its client-segment weights, after its turn (hand-off)' },
    ],
    plain: 'Round-robin: hospitals take turns, one at a time, against one server segment. Before its turn a hospital downloads the client-segment weights the previous one left; after it, it uploads its own.',
  },
  'splitfed-v1': {
    name: 'splitfed-v1',
    parallel: true,
    weightsPerRound: FEDAVG_EXCHANGE,
    plain: 'SplitFed V1: all hospitals train at once, each against its own copy of the server segment. At the end of each round the relay averages the server copies and the uploaded client segments (FedAvg, by samples) and sends the average back.',
  },
  'splitfed-v2': {
    name: 'splitfed-v2',
    parallel: true,
    weightsPerRound: FEDAVG_EXCHANGE,
    plain: 'SplitFed V2: all hospitals train at once against one shared server segment. At the end of each round the relay averages the uploaded client segments (FedAvg, by samples) and sends the average back.',
  },
};

/** The descriptor of a schedule, or undefined for a name this version does not know. */
export function scheduleDescriptor(name: string): ScheduleDescriptor | undefined {
  return (SCHEDULE_DESCRIPTORS as Record<string, ScheduleDescriptor | undefined>)[name];
}
