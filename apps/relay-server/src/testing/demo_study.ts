import { data, type protocol } from '@splitlearn/split-core';

/**
 * A study on the generated demo data (cnn-small on 28x28 grey images, the demo classes):
 * what the relay's tests and the e2e tests train, each naming what it varies.
 */
export function demoStudy(name: string, overrides: Partial<protocol.HorizontalStudyConfigInput> = {}): protocol.HorizontalStudyConfigInput {
  return {
    name,
    model: 'cnn-small',
    inputShape: [28, 28, 1],
    classes: [...data.DEMO_CLASSES],
    topology: 'vanilla',
    schedule: 'round-robin',
    batchSize: 32,
    ...overrides,
  };
}
