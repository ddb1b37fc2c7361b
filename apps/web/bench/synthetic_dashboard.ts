// A stand-in relay for the dashboard benchmark: serves the built web app and a '/dashboard'
// socket.io namespace that speaks exactly split-core's dashboard contract
// (protocol/dashboard.ts): a snapshot of `rounds` rounds with `clients` clients on watch,
// then `rate` updates per second, each a finished round and the whole clients table.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server } from 'socket.io';
import type { protocol } from '@splitlearn/split-core';

export const BENCH_STUDY_ID = 'bench-study';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm' };
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

export interface SyntheticOptions {
  webDir: string;
  rounds: number;
  clients: number;
  /** Updates per second after the snapshot. */
  rate: number;
}

export interface SyntheticRelay {
  url: string;
  /** Bytes of the last snapshot as JSON (what went over the socket, before framing). */
  lastSnapshotBytes(): number;
  close(): Promise<void>;
}

function study(options: SyntheticOptions, round: number): protocol.StudyInfo {
  return {
    id: BENCH_STUDY_ID,
    state: 'training',
    round,
    config: {
      name: 'Dashboard benchmark',
      model: 'cnn-small',
      inputShape: [28, 28, 1],
      classes: ['normal', 'pneumonia'],
      topology: 'vanilla',
      schedule: 'splitfed-v2',
      optimizer: 'adam',
      learningRate: 0.001,
      batchSize: 32,
      rounds: options.rounds * 10,
      codec: 'fp32',
      minClients: 1,
      seed: 1,
      validationFraction: 0.2,
    },
  };
}

const participantId = (i: number): string => `participant-${String(i).padStart(3, '0')}`;

/** A plausible round: curves that converge with noise, every client with some traffic. */
function makeRound(round: number, clients: number): protocol.DashboardRound {
  const progress = 1 - Math.exp(-round / 800);
  const noise = (seed: number): number => Math.sin(round * 12.9898 + seed * 78.233) * 0.5;
  const perClient = Array.from({ length: clients }, (_, i) => ({
    participantId: participantId(i),
    bytesUp: Math.round(2_000_000 + 400_000 * (i % 7) + 50_000 * noise(i)),
    bytesDown: Math.round(1_800_000 + 300_000 * (i % 5) + 50_000 * noise(i + 100)),
  }));
  const validated = round % 5 === 4;
  const negatives = 900;
  const positives = 100;
  const truePositive = Math.round(positives * (0.4 + 0.5 * progress));
  const trueNegative = Math.round(negatives * (0.85 + 0.12 * progress));
  return {
    round,
    at: Date.now(),
    seconds: 0.1,
    trainLoss: 0.7 - 0.55 * progress + 0.03 * noise(1),
    trainAccuracy: 0.6 + 0.35 * progress + 0.02 * noise(2),
    val: validated
      ? {
          loss: 0.75 - 0.5 * progress + 0.03 * noise(3),
          accuracy: (truePositive + trueNegative) / (positives + negatives),
          auc: 0.7 + 0.25 * progress,
          sensitivity: truePositive / positives,
          specificity: trueNegative / negatives,
          confusion: [
            [trueNegative, negatives - trueNegative],
            [positives - truePositive, truePositive],
          ],
          count: positives + negatives,
        }
      : null,
    samples: clients * 64,
    samplesPerSecond: 3000 + 400 * noise(4),
    bytesUp: perClient.reduce((sum, entry) => sum + entry.bytesUp, 0),
    bytesDown: perClient.reduce((sum, entry) => sum + entry.bytesDown, 0),
    clientFlops: 2.1e9 * clients,
    serverFlops: 9.6e9 * clients,
    perClient,
    completed: clients,
    failed: 0,
  };
}

const STATUSES: protocol.ClientStatus[] = ['training', 'waiting', 'waiting', 'idle', 'training'];

function makeClients(count: number, tick: number): protocol.DashboardClient[] {
  return Array.from({ length: count }, (_, i) => ({
    participantId: participantId(i),
    label: i % 3 === 0 ? null : `Hospital ${i + 1}`,
    kind: i % 4 === 0 ? 'node' : 'browser',
    backend: i % 4 === 0 ? 'tensorflow' : 'wasm',
    status: i === count - 1 ? 'disconnected' : (STATUSES[(i + tick) % STATUSES.length] as protocol.ClientStatus),
    trainCount: 1000 + i,
    valCount: 250,
    samples: (tick + 1) * 64 * (i + 1),
    steps: (tick + 1) * 2,
    bytesUp: (tick + 1) * 2_000_000 + i,
    bytesDown: (tick + 1) * 1_800_000 + i,
    lastSeen: Date.now() - (i % 10) * 1000,
  }));
}

async function serveFile(webDir: string, pathname: string): Promise<{ file: string; type: string } | undefined> {
  const resolved = path.resolve(webDir, `.${decodeURIComponent(pathname)}`);
  if (!resolved.startsWith(path.resolve(webDir))) return undefined;
  const isFile = await stat(resolved).then(
    (info) => info.isFile(),
    () => false,
  );
  if (isFile) return { file: resolved, type: TYPES[path.extname(resolved)] ?? 'application/octet-stream' };
  if (path.extname(pathname) !== '') return undefined;
  return { file: path.join(webDir, 'index.html'), type: TYPES['.html'] as string };
}

export async function startSyntheticRelay(options: SyntheticOptions): Promise<SyntheticRelay> {
  const http: HttpServer = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://bench');
    serveFile(options.webDir, pathname).then(
      (found) => {
        if (!found) {
          response.writeHead(404, ISOLATION).end('not found');
          return;
        }
        response.writeHead(200, { ...ISOLATION, 'Content-Type': found.type });
        createReadStream(found.file).pipe(response);
      },
      (error: unknown) => response.writeHead(500, ISOLATION).end(String(error)),
    );
  });
  const io = new Server(http, { serveClient: false });
  // The history is built once: every watcher gets the same snapshot (fresh sentAt).
  const history = Array.from({ length: options.rounds }, (_, round) => makeRound(round, options.clients));
  let snapshotBytes = 0;
  io.of('/dashboard').on('connection', (socket) => {
    let timer: NodeJS.Timeout | undefined;
    socket.on('dashboard:watch', (watch: unknown, ack: (reply: protocol.DashboardWatchReply) => void) => {
      const studyId = (watch as { studyId?: unknown } | null)?.studyId;
      if (studyId !== BENCH_STUDY_ID) {
        ack({ ok: false, error: { code: 'unknown-study', message: `no study ${String(studyId)}` } });
        return;
      }
      const snapshot: protocol.DashboardSnapshot = { study: study(options, history.length), rounds: history, clients: makeClients(options.clients, 0), sentAt: Date.now() };
      if (snapshotBytes === 0) snapshotBytes = Buffer.byteLength(JSON.stringify(snapshot));
      ack({ ok: true, snapshot });
      clearInterval(timer);
      let round = history.length;
      let tick = 1;
      timer = setInterval(() => {
        socket.emit('dashboard:round', { round: makeRound(round, options.clients), sentAt: Date.now() });
        socket.emit('dashboard:clients', { clients: makeClients(options.clients, tick), sentAt: Date.now() });
        round += 1;
        tick += 1;
      }, 1000 / options.rate);
    });
    socket.on('disconnect', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lastSnapshotBytes: () => snapshotBytes,
    close: () =>
      new Promise((resolve) => {
        void io.close();
        http.close(() => resolve());
      }),
  };
}
