import { model } from '@splitlearn/split-core';

export { backends, codec, data, network, schedule, topology, training } from '@splitlearn/split-core';

export function getModelSpecForBench(): model.ModelSpec {
  return model.getModelSpec('cnn-small', { numClasses: 2 });
}
