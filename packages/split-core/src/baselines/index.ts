// The baselines split learning is compared with (PAPER.md Tables 1-2, Fig. 3): federated
// averaging and large-batch synchronous SGD, each client training the whole model, through
// the same data path, batch order and traffic accounting as split learning; in process
// (the simulator) and, through the local epoch and the gradient barrier, over the relay.
export { FederatedAveraging, type FederatedAveragingOptions } from './federated_averaging';
export { LargeBatchSgd } from './large_batch_sgd';
export { GradientSync, GradientSyncError } from './gradient_sync';
export { localTrainingBatches, runWholeModelEpoch, type GradientExchange, type WholeModelEpoch } from './local_epoch';
export { type BaselineClient, type BaselineOptions, type BaselineRound } from './whole_model';
