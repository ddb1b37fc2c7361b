export { createOptimizer } from './optimizer';
export { OPTIMIZER_NAMES, type OptimizerConfig, type OptimizerName } from './optimizer_names';
export { backward, countCorrect, createSegment, forward, infer, lossStep, NonFiniteLossError, softmaxCrossEntropy, type Segment } from './segment';
export { createRole, disposeRole, type ClientRole, type RoleOptions, type ServerRole } from './roles';
export { Lock } from './lock';
export { multiTaskLossStep, taskLabels, taskLogits, type TaskHead, type TaskOutcome } from './multi_task';
