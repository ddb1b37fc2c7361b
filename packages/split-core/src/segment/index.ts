export { SegmentOptimizer } from './optimizer';
export { learningRateAt, LEARNING_RATE_SCHEDULES, type LearningRateSchedule, type LearningRateScheduleName } from './learning_rate';
export { OPTIMIZER_NAMES, type OptimizerConfig, type OptimizerName } from './optimizer_names';
export { backward, countCorrect, createSegment, forward, infer, lossStep, NonFiniteLossError, softmaxCrossEntropy, type LossOptions, type Segment } from './segment';
export { createRole, disposeRole, enterRound, type ClientRole, type RoleOptions, type ServerRole } from './roles';
export { Lock } from './lock';
export { multiTaskLossStep, taskLabels, taskLogits, type TaskHead, type TaskOutcome } from './multi_task';
