// The role runtime: the loop over an epoch's steps for every role (client, server, the
// centralized reference, inference), written once; the tally they keep; the server's pool
// of segment copies; the batch-order rule.
export { EpochTally, type StepOutcome } from './tally';
export { EpochStoppedError, runEpochLoop, type EpochHooks } from './epoch_loop';
export { evaluationBatches, phaseBatches, stepsPerRound, trainingBatches, type BatchOrderKey } from './batch_order';
export { runClientEpoch, type ClientEpoch } from './client_epoch';
export { runServerEpoch, type ServerEpoch } from './server_epoch';
export { ServerPool, type ServerCopy } from './server_pool';
export { runInProcessEpoch, type InProcessEpoch, type InProcessMember } from './in_process';
export { batchLabels, serverEpochLabels, serverLabelsLink } from './server_labels';
export { runHopEpoch, type HopEpoch } from './hop_epoch';
export { membersTalkingToServer, serverLinksOf } from './server_links';
