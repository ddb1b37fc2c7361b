import { readFile } from 'node:fs/promises';
import { io, type Socket } from 'socket.io-client';
import { data, network, protocol } from '@splitlearn/split-core';
import { api, type RelayProcess } from './relay_process';

// Many headless participants on one relay in SplitFed V2, with a dashboard viewer watching:
// what the load benchmark runs for minutes and its small version in the test suite for a
// few rounds. Each participant trains a small tabular model on generated rows, so that the
// relay (not the participants' own compute) is what the run loads.

export interface LoadOptions {
  relay: RelayProcess;
  clients: number;
  /** Stop after this many rounds are recorded, or after this long, whichever comes first. */
  rounds: number;
  seconds: number;
  /** How often the relay's memory is sampled. */
  sampleEveryMs?: number;
  progress?: (line: string) => void;
  /** Each client's training steps per round (2 when absent). */
  stepsPerRound?: number;
}

export interface LoadReport {
  clients: number;
  seconds: number;
  rounds: number;
  /** Clients whose steps the server counted at least once. */
  contributors: number;
  /** Relay RSS over the run, in MB. */
  rss: { second: number; mb: number }[];
  /** Dashboard updates: from the relay's send to this viewer's receipt, in ms. */
  dashboardLatency: { updates: number; p50: number; p95: number; max: number };
  /** Errors participants were sent or met. */
  errors: string[];
  /** Training steps all participants completed, and the time between one participant's consecutive steps of a round (ms). */
  steps: { total: number; perSecond: number; latencyP50: number; latencyP95: number };
}

const FEATURES = 30;

function rows(seed: number, count: number): data.Dataset {
  const rng = data.createRng(seed);
  const samples = Array.from({ length: count }, (_, i) => {
    const values = Float32Array.from({ length: FEATURES }, () => rng.next());
    return { id: `row-${seed}-${i}`, label: values[0] as number > 0.5 ? 1 : 0, values };
  });
  return { classes: ['benign', 'malignant'], sampleShape: [FEATURES], samples };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function rssMb(relay: RelayProcess): Promise<number> {
  const status = await readFile(`/proc/${relay.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

function opened(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { relay, clients } = options;
  const say = options.progress ?? (() => undefined);
  const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', {
    name: `load: ${clients} clients`,
    model: 'mlp',
    inputShape: [FEATURES],
    classes: ['benign', 'malignant'],
    topology: 'vanilla',
    schedule: 'splitfed-v2',
    batchSize: 8,
    rounds: 100_000,
    maxStepsPerRound: options.stepsPerRound ?? 2,
    minClients: clients,
  });
  const errors: string[] = [];
  let trainSteps = 0;
  const stepGaps: number[] = [];
  const lastStep = new Map<number, { round: number; step: number; at: number }>();
  const sockets: Socket[] = [];
  const participants: network.Participant[] = [];
  // Joined a few at a time, as hospitals would over minutes rather than in one instant.
  for (let first = 0; first < clients; first += 20) {
    const batch = Array.from({ length: Math.min(20, clients - first) }, (_, k) => first + k);
    await Promise.all(
      batch.map(async (index) => {
        const socket = io(relay.url, { transports: ['websocket'], reconnection: false });
        sockets.push(socket);
        await opened(socket);
        const participant = new network.Participant(network.participantSocket(socket), {
          joinCode: study.joinCode,
          train: rows(index, 16),
          val: rows(10_000 + index, 8),
          client: { kind: 'node', backend: 'wasm', label: `load-${index}` },
          events: {
            onError: (error) => errors.push(`${index}: ${error.code} ${error.message}`),
            onProgress: (progress) => {
              if (progress.phase !== 'train') return;
              const now = performance.now();
              trainSteps += 1;
              const last = lastStep.get(index);
              if (last && last.round === progress.round && progress.step === last.step + 1) stepGaps.push(now - last.at);
              lastStep.set(index, { round: progress.round, step: progress.step, at: now });
            },
          },
        });
        participants.push(participant);
        await participant.join();
      }),
    );
    say(`${Math.min(first + 20, clients)} of ${clients} clients joined`);
  }

  const viewer: Socket<protocol.DashboardServerToClientEvents, protocol.DashboardClientToServerEvents> = io(`${relay.url}${protocol.DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false });
  await opened(viewer);
  const latencies: number[] = [];
  let rounds = 0;
  let table: protocol.DashboardClient[] = [];
  viewer.on('dashboard:round', (update) => {
    latencies.push(Date.now() - update.sentAt);
    rounds += 1;
  });
  viewer.on('dashboard:clients', (update) => {
    latencies.push(Date.now() - update.sentAt);
    table = update.clients;
  });
  const watched = await new Promise<protocol.DashboardWatchReply>((resolve) => viewer.emit('dashboard:watch', { studyId: study.id }, resolve));
  if (!watched.ok) throw new Error(`the dashboard refused to watch: ${watched.error.message}`);

  const started = Date.now();
  const stepsBefore = trainSteps;
  const rss: { second: number; mb: number }[] = [{ second: 0, mb: await rssMb(relay) }];
  await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
  await new Promise<void>((resolve) => {
    const sample = setInterval(() => {
      void rssMb(relay).then((mb) => {
        const second = (Date.now() - started) / 1000;
        rss.push({ second, mb });
        say(`${second.toFixed(0)} s: round ${rounds}, relay RSS ${mb.toFixed(0)} MB, ${latencies.length} dashboard updates`);
        if (rounds >= options.rounds || second >= options.seconds || relay.child.exitCode !== null) {
          clearInterval(sample);
          resolve();
        }
      });
    }, options.sampleEveryMs ?? 5000);
  });
  const seconds = (Date.now() - started) / 1000;
  await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'stop' });
  viewer.close();
  participants.forEach((participant) => participant.dispose());
  sockets.forEach((socket) => socket.close());
  return {
    clients,
    seconds,
    rounds,
    contributors: table.filter((client) => client.steps > 0).length,
    rss,
    dashboardLatency: { updates: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(0, ...latencies) },
    errors,
    steps: { total: trainSteps - stepsBefore, perSecond: (trainSteps - stepsBefore) / seconds, latencyP50: percentile(stepGaps, 50), latencyP95: percentile(stepGaps, 95) },
  };
}
