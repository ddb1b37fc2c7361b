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
    // As the relay's own demo studies (studies/demo_studies.ts says why).
    augmentation: false,
    ...overrides,
  };
}

/** A cheap tabular study (the mlp on 30 breast-cancer-shaped features): for tests about the relay rather than training. */
export function mlpStudy(name: string, overrides: Partial<protocol.HorizontalStudyConfigInput> = {}): protocol.HorizontalStudyConfigInput {
  return {
    name,
    model: 'mlp',
    inputShape: [30],
    classes: ['benign', 'malignant'],
    topology: 'vanilla',
    schedule: 'round-robin',
    batchSize: 8,
    rounds: 1,
    minClients: 1,
    ...overrides,
  };
}
