import type { protocol } from '@splitlearn/split-core/pure';

// Fixtures for the dashboard's tests: rounds and clients as the relay sends them.

export function relayRound(round: number, overrides: Partial<protocol.DashboardRound> = {}, clients = ['p-a', 'p-b']): protocol.DashboardRound {
  return {
    round,
    at: 1_700_000_000_000 + round * 1000,
    seconds: 1,
    trainLoss: 1 / (round + 1),
    trainAccuracy: 0.5,
    val: {
      loss: 0.7,
      accuracy: 0.8,
      auc: 0.9,
      sensitivity: 0.6,
      specificity: 0.95,
      confusion: [
        [90, 5],
        [8, 12],
      ],
      count: 115,
    },
    samples: 640,
    samplesPerSecond: 640,
    bytesUp: 1000 * clients.length,
    bytesDown: 500 * clients.length,
    clientFlops: 1e9,
    serverFlops: 4e9,
    perClient: clients.map((participantId, i) => ({ participantId, bytesUp: 1000 + i, bytesDown: 500 + i })),
    completed: clients.length,
    failed: 0,
    ...overrides,
  };
}

export function relayClient(participantId: string, overrides: Partial<protocol.DashboardClient> = {}): protocol.DashboardClient {
  return {
    participantId,
    label: null,
    kind: 'browser',
    backend: 'wasm',
    status: 'waiting',
    trainCount: 100,
    valCount: 20,
    samples: 0,
    steps: 0,
    bytesUp: 0,
    bytesDown: 0,
    lastSeen: 1_700_000_000_000,
    ...overrides,
  };
}

export function studyInfo(overrides: Partial<protocol.StudyInfo> = {}): protocol.StudyInfo {
  return {
    id: 'study-1',
    state: 'training',
    round: 3,
    config: {
      name: 'Pneumonia pilot',
      model: 'cnn-small',
      inputShape: [28, 28, 1],
      classes: ['normal', 'pneumonia'],
      topology: 'vanilla',
      schedule: 'round-robin',
      codec: 'fp32',
      rounds: 10,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.001,
      minClients: 1,
      seed: 1,
      validationFraction: 0.2,
    },
    ...overrides,
  };
}
