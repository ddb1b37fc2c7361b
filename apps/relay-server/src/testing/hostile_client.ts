import { io, type Socket } from 'socket.io-client';
import { codec, data, model, protocol } from '@splitlearn/split-core';

// A hostile participant for the relay's fuzz test: from a seed, it sends random and mutated
// socket events (hellos, step frames, statuses, withdrawals, unknown events, oversized
// messages) and answers the relay's own requests (epochs, weights, alignment) with garbage or
// not at all. When the relay drops it, it connects again and carries on.

export interface HostileTargets {
  url: string;
  /** A study hostile sockets may join: the one they misbehave in. */
  decoy: { id: string; joinCode: string };
  /**
   * The study honest clients train. Hostile sockets name it in frames and present its join
   * code only with forged credentials: joining it for real would make them participants,
   * whose (garbage) contributions a correct relay must take.
   */
  honest: { id: string; joinCode: string };
}

export interface HostileTally {
  /** Events and acknowledgement replies sent. */
  sent: number;
  /** relay:error events and error replies received. */
  errors: number;
  /** Connections the relay ended (or refused). */
  dropped: number;
  connections: number;
}

type Rng = data.Rng;

const pick = <T>(rng: Rng, values: readonly T[]): T => values[rng.int(values.length)] as T;

function randomString(rng: Rng, max: number): string {
  const length = rng.int(max + 1);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(32 + rng.int(95));
  return text;
}

function randomBytes(rng: Rng, max: number): Uint8Array {
  const bytes = new Uint8Array(rng.int(max + 1));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
  return bytes;
}

/** Any JSON-ish value, sometimes large or deep. */
function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1, 2 ** 31, -(2 ** 53), 1e308, 0.5, Number.MAX_SAFE_INTEGER]);
    case 3:
      return randomString(rng, 40);
    case 4:
      return randomString(rng, rng.next() < 0.05 ? 60_000 : 200);
    case 5:
      return randomBytes(rng, 64);
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    case 7: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) object[pick(rng, ['__proto__', 'constructor', 'ok', 'steps', 'count', randomString(rng, 8)])] = randomValue(rng, depth + 1);
      return object;
    }
    default: {
      // Deep nesting.
      let nested: unknown = 0;
      for (let i = 0; i < 200; i++) nested = [nested];
      return nested;
    }
  }
}

/** Sets or deletes a random field along a path of `base` (a deep copy). */
function mutate(rng: Rng, base: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(base);
  let target: Record<string, unknown> = copy;
  for (;;) {
    const keys = Object.keys(target);
    const key = pick(rng, keys.length > 0 ? keys : ['extra']);
    const next = target[key];
    if (next && typeof next === 'object' && !(next instanceof Uint8Array) && rng.next() < 0.5) {
      target = next as Record<string, unknown>;
      continue;
    }
    if (rng.next() < 0.3) delete target[key];
    else target[key] = randomValue(rng);
    return copy;
  }
}

function baseHello(joinCode: string): Record<string, unknown> {
  return {
    protocolVersion: protocol.PROTOCOL_VERSION,
    joinCode,
    client: { kind: 'node', backend: 'fuzz', label: 'hostile' },
    data: { trainCount: 64, valCount: 16, classCounts: { benign: 32, malignant: 32 } },
  };
}

function header(rng: Rng, targets: HostileTargets, step: number, seq: number): Record<string, unknown> {
  return {
    studyId: pick(rng, [targets.decoy.id, targets.decoy.id, targets.honest.id, randomString(rng, 22)]),
    round: pick(rng, [0, 1, rng.int(1000)]),
    phase: pick(rng, ['train', 'eval']),
    step: pick(rng, [step, step + 1, 1_000_000, -1]),
    seq: pick(rng, [seq, seq, seq + 1, 0, 2 ** 31]),
    kind: pick(rng, ['activations', 'labels', 'gradients', 'weights']),
  };
}

/** A tensor frame the codec accepts: of a random shape, or of the decoy's own cut (30 features in, 32 out). */
function tensorFrame(rng: Rng): Uint8Array {
  const shape = pick(rng, [[8, 32], [8, 2], [1, 1], [rng.int(64) + 1, rng.int(64) + 1], [1_000, 1_000]]);
  const size = shape.reduce((product, n) => product * n, 1);
  const values = new Float32Array(Math.min(size, 1_000_000));
  // The codec carries non-finite values in fp32 only (the relay must refuse them on arrival).
  const encoding = pick(rng, ['fp32', 'fp32', 'fp16', 'int8'] as const);
  const choices = encoding === 'fp32' ? [Number.NaN, Number.POSITIVE_INFINITY, 1e30] : [0, 1, -1];
  for (let i = 0; i < values.length; i++) values[i] = rng.next() < 0.8 ? rng.normal() : pick(rng, choices);
  return codec.encodeTensor({ name: pick(rng, ['activations', 'labels', 'gradients']), dtype: 'float32', shape: values.length === size ? shape : [values.length], values }, encoding);
}

function payload(rng: Rng): unknown {
  switch (rng.int(6)) {
    case 0:
      return randomBytes(rng, 100_000);
    case 1:
    case 2:
      return tensorFrame(rng);
    case 3:
      return randomValue(rng);
    case 4:
      return undefined;
    default: {
      // A frame whose header bytes are intact and whose body is cut short or overlong.
      const frame = tensorFrame(rng);
      return rng.next() < 0.5 ? frame.subarray(0, rng.int(frame.length)) : new Uint8Array([...frame, ...randomBytes(rng, 64)]);
    }
  }
}

/** A bundle of weights: garbage, or the right container with the wrong tensors. */
function weightsBundle(rng: Rng): Uint8Array {
  if (rng.next() < 0.4) return randomBytes(rng, 4096);
  const values = new Float32Array(rng.int(64) + 1).map(() => pick(rng, [rng.normal(), Number.NaN]));
  return model.encodeWeights([{ name: pick(rng, ['dense1/kernel', 'intruder/kernel', randomString(rng, 12)]), shape: [values.length], values }]);
}

/** A reply to one of the relay's requests: garbage, an error, a plausible lie, or (undefined) none at all. */
function reply(rng: Rng, event: string): unknown {
  if (rng.next() < 0.15) return undefined;
  if (rng.next() < 0.3) return randomValue(rng);
  if (rng.next() < 0.3) return { ok: false, error: { code: randomString(rng, 80), message: randomString(rng, 3000) } };
  if (event === 'epoch:start') {
    const confusion = [[rng.int(10), rng.int(10)], [rng.int(10), rng.int(10)]];
    return { ok: true, loss: pick(rng, [Number.NaN, -1, 0.5]), metrics: { accuracy: rng.next(), loss: 0.7, auc: 2, sensitivity: 0.5, specificity: 0.5, confusion, count: pick(rng, [0, 1e9, 7]) } };
  }
  if (event === 'weights:request') return { ok: true, bundles: Array.from({ length: pick(rng, [1, 2, 50]) }, () => weightsBundle(rng)) };
  return { ok: true, points: randomBytes(rng, 256), tags: randomBytes(rng, 256) };
}

const RELAY_REQUESTS = ['epoch:start', 'weights:request', 'weights:apply', 'align:start', 'align:seal', 'align:blind', 'align:tags', 'align:intersect'];

/**
 * Sends `messages` hostile messages (more while `keepGoing` says so), reconnecting whenever
 * the relay drops it; resolves with what it sent and what came back.
 */
export async function runHostileClient(targets: HostileTargets, seed: number, messages: number, keepGoing: () => boolean = () => false): Promise<HostileTally> {
  const rng = data.createRng(seed);
  const tally: HostileTally = { sent: 0, errors: 0, dropped: 0, connections: 0 };
  while (tally.sent < messages || keepGoing()) {
    const socket: Socket = io(targets.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    tally.connections += 1;
    const closed = new Promise<void>((resolve) => {
      socket.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') tally.dropped += 1;
        resolve();
      });
    });
    const opened = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', () => resolve(false));
    });
    if (!opened) {
      // Refused at the door (too many connections from this address): counted, and tried again.
      tally.dropped += 1;
      socket.close();
      continue;
    }
    socket.on('relay:error', () => (tally.errors += 1));
    for (const event of RELAY_REQUESTS) {
      socket.on(event, (...args: unknown[]) => {
        const ack = args.at(-1);
        const answer = reply(rng, event);
        if (typeof ack === 'function' && answer !== undefined) {
          tally.sent += 1;
          (ack as (value: unknown) => void)(answer);
        }
      });
    }
    const ackCounted = (answer: unknown): void => {
      if (answer && typeof answer === 'object' && 'ok' in answer && answer.ok === false) tally.errors += 1;
    };
    let step = 0;
    let seq = 0;
    // One burst per connection; a dropped connection ends it early.
    const burst = 50 + rng.int(200);
    for (let i = 0; i < burst && socket.connected; i++) {
      tally.sent += 1;
      switch (rng.int(10)) {
        case 0:
          socket.emit('participant:hello', mutate(rng, baseHello(targets.decoy.joinCode)), ackCounted);
          break;
        case 1:
          socket.emit('participant:hello', baseHello(targets.decoy.joinCode), ackCounted);
          break;
        case 2:
          // The honest study's code with forged credentials only: refused, never a join.
          socket.emit('participant:hello', { ...baseHello(targets.honest.joinCode), participantId: randomString(rng, 22).padEnd(22, 'a'), resumeToken: randomString(rng, 64).padEnd(32, 'x') }, ackCounted);
          break;
        case 3:
        case 4:
        case 5:
          socket.emit('step:frame', rng.next() < 0.8 ? header(rng, targets, step, seq) : randomValue(rng), payload(rng));
          seq += 1;
          if (rng.next() < 0.3) step += 1;
          break;
        case 6:
          socket.emit('participant:status', pick(rng, [{ status: 'ready' }, { status: 'paused' }, randomValue(rng)]));
          break;
        case 7:
          if (rng.next() < 0.5) socket.emit('participant:withdraw', ackCounted);
          else socket.emit('participant:withdraw');
          break;
        case 8:
          socket.emit(pick(rng, ['unknown', '__proto__', 'constructor', 'dashboard:watch', randomString(rng, 20)]), randomValue(rng), randomValue(rng));
          break;
        default:
          // Oversized: a megabyte of text, a hello that is mostly padding.
          socket.emit('participant:hello', { ...baseHello(targets.decoy.joinCode), padding: 'x'.repeat(1 + rng.int(2 * 1024 * 1024)) }, ackCounted);
      }
      // Let the transport drain between messages (an event-loop turn, not a timed wait).
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    socket.disconnect();
    await closed;
  }
  return tally;
}
