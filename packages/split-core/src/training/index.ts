export { createOptimizer, OPTIMIZER_NAMES, type OptimizerConfig, type OptimizerName } from './optimizer';
export { backward, createSegment, forward, infer, lossStep, softmaxCrossEntropy, type Segment } from './segment';
export { createClientRole, createServerRole, disposeRole, planSplit, type RoleOptions, type SplitPlan } from './roles';
export { InProcessFederation, type InProcessFederationOptions, type SimulatedClient } from './in_process_federation';
export { Simulation, trainingFlopsPerSample, type EpochReport, type SimulationOptions } from './simulation';
export { CentralizedTrainer } from './centralized';
export { Lock } from './lock';
