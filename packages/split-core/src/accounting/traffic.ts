// Bytes and message counts per participant, direction and kind of payload, so the dashboard
// can show communication per client the way the paper's Table 2 does (GB per client) and the
// communication model 2(p/K)q + eta*N can be checked against measurement, not assumed.
// Directions are from the client's point of view of the star topology: 'up' = client ->
// server, 'down' = server -> client.

export type TrafficDirection = 'up' | 'down';

/** Open set of payload kinds; the named ones are what the topologies send. */
export type TrafficKind = 'activations' | 'gradients' | 'labels' | 'weights' | 'control' | (string & {});

export interface TrafficRecord {
  participantId: string;
  direction: TrafficDirection;
  kind: TrafficKind;
  bytes: number;
  /** Defaults to 1: one record per message sent. */
  messages?: number;
}

export interface TrafficTally {
  bytes: number;
  messages: number;
}

export interface DirectionalTally {
  up: TrafficTally;
  down: TrafficTally;
  total: TrafficTally;
}

export interface ParticipantTraffic extends DirectionalTally {
  byKind: Record<string, DirectionalTally>;
}

/** Plain data (no Maps, no classes): safe to JSON.stringify and send to the dashboard. */
export interface TrafficSnapshot extends DirectionalTally {
  byKind: Record<string, DirectionalTally>;
  byParticipant: Record<string, ParticipantTraffic>;
}

interface Counter {
  upBytes: number;
  upMessages: number;
  downBytes: number;
  downMessages: number;
}

export class TrafficMeter {
  /** participantId -> kind -> counter; totals are derived, so they can never disagree. */
  private readonly counters = new Map<string, Map<string, Counter>>();

  record(entry: TrafficRecord): void {
    const messages = entry.messages ?? 1;
    requireCount(entry.bytes, 'bytes');
    requireCount(messages, 'messages');
    let byKind = this.counters.get(entry.participantId);
    if (byKind === undefined) {
      byKind = new Map();
      this.counters.set(entry.participantId, byKind);
    }
    let counter = byKind.get(entry.kind);
    if (counter === undefined) {
      counter = { upBytes: 0, upMessages: 0, downBytes: 0, downMessages: 0 };
      byKind.set(entry.kind, counter);
    }
    if (entry.direction === 'up') {
      counter.upBytes += entry.bytes;
      counter.upMessages += messages;
    } else {
      counter.downBytes += entry.bytes;
      counter.downMessages += messages;
    }
  }

  /** Participant ids seen since the last reset, sorted. */
  participants(): string[] {
    return [...this.counters.keys()].sort();
  }

  /** All participants together. */
  totals(): DirectionalTally {
    return toDirectional(this.allCounters());
  }

  /** One participant's traffic; all zeros for an id never seen. */
  forParticipant(participantId: string): ParticipantTraffic {
    return participantView(this.counters.get(participantId) ?? new Map<string, Counter>());
  }

  snapshot(): TrafficSnapshot {
    const byKind = new Map<string, Counter[]>();
    for (const participantCounters of this.counters.values()) {
      for (const [kind, counter] of participantCounters) {
        const counters = byKind.get(kind) ?? [];
        counters.push(counter);
        byKind.set(kind, counters);
      }
    }
    return {
      ...this.totals(),
      byKind: sortedRecord([...byKind].map(([kind, counters]) => [kind, toDirectional(counters)])),
      byParticipant: sortedRecord(this.participants().map((id) => [id, this.forParticipant(id)])),
    };
  }

  reset(): void {
    this.counters.clear();
  }

  private allCounters(): Counter[] {
    return [...this.counters.values()].flatMap((byKind) => [...byKind.values()]);
  }
}

function participantView(byKind: ReadonlyMap<string, Counter>): ParticipantTraffic {
  return {
    ...toDirectional([...byKind.values()]),
    byKind: sortedRecord([...byKind].map(([kind, counter]) => [kind, toDirectional([counter])])),
  };
}

function toDirectional(counters: readonly Counter[]): DirectionalTally {
  let upBytes = 0;
  let upMessages = 0;
  let downBytes = 0;
  let downMessages = 0;
  for (const counter of counters) {
    upBytes += counter.upBytes;
    upMessages += counter.upMessages;
    downBytes += counter.downBytes;
    downMessages += counter.downMessages;
  }
  return {
    up: { bytes: upBytes, messages: upMessages },
    down: { bytes: downBytes, messages: downMessages },
    total: { bytes: upBytes + downBytes, messages: upMessages + downMessages },
  };
}

/**
 * Object.fromEntries defines own properties, so ids like "__proto__" (participant ids come
 * from clients) become ordinary keys instead of rewriting the object's prototype.
 */
function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`TrafficMeter: ${what} must be a non-negative integer, got ${String(value)}.`);
  }
}
