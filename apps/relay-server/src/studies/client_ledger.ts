import { accounting } from '@splitlearn/split-core';
import type { MetricRecord } from '../storage/metrics';
import type { TrainTally } from '../segments/worker_messages';

// What each participant has done in a study, for the clients table and the per-round rows:
// steps and samples trained, training accuracy where someone computes it, and bytes both ways.
// Finished rounds are settled (and stored as per-participant 'train' metric rows, so the
// totals survive a restart); the round in progress is counted live on top.

export interface ClientTotals {
  steps: number;
  samples: number;
  bytesUp: number;
  bytesDown: number;
}

/** One participant's share of a finished round, as stored in its 'train' metric row. */
export interface ClientRoundRecord extends ClientTotals {
  participantId: string;
  /** Training accuracy over the round's samples; null where nobody computed it. */
  accuracy: number | null;
  loss: number | null;
}

export interface RoundTotals extends ClientTotals {
  /** Step-weighted mean of the participants' training losses; null where nobody computed it. */
  trainLoss: number | null;
  trainAccuracy: number | null;
  perClient: ClientRoundRecord[];
}

interface LiveRound {
  steps: number;
  samples: number;
  correct: number;
  /** Samples whose correctness is known (all of them in vanilla; reported ones in U-shaped). */
  scored: number;
  lossSum: number;
  lossWeight: number;
}

const ZERO: ClientTotals = { steps: 0, samples: 0, bytesUp: 0, bytesDown: 0 };

/**
 * Counts everything it records twice: per round (the runtime resets it at each round) and
 * since the study started in this process (never reset), so that traffic outside a round's
 * training (validation, a late joiner's weights) is still somebody's bytes.
 */
export class CumulativeTrafficMeter extends accounting.TrafficMeter {
  readonly sinceStart = new accounting.TrafficMeter();

  override record(entry: accounting.TrafficRecord): void {
    super.record(entry);
    this.sinceStart.record(entry);
  }
}

/** Per-participant totals of the stored rounds: the latest per-participant 'train' row of each round. */
export function totalsFromRecords(records: readonly MetricRecord[]): Map<string, ClientTotals> {
  const latest = new Map<string, MetricRecord>();
  for (const record of records) {
    if (record.phase === 'train' && record.participantId !== null) latest.set(`${record.participantId}\u0000${record.round}`, record);
  }
  const totals = new Map<string, ClientTotals>();
  for (const record of latest.values()) {
    const id = record.participantId as string;
    const sum = totals.get(id) ?? { ...ZERO };
    const metrics = record.metrics as Record<string, unknown>;
    sum.steps += count(metrics.steps);
    sum.samples += count(metrics.samples);
    sum.bytesUp += count(metrics.bytesUp);
    sum.bytesDown += count(metrics.bytesDown);
    totals.set(id, sum);
  }
  return totals;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export class ClientLedger {
  private readonly settled: Map<string, ClientTotals>;
  private readonly live = new Map<string, LiveRound>();
  /** Each participant's cumulative traffic when the last round was settled. */
  private readonly trafficMark = new Map<string, { up: number; down: number }>();

  constructor(
    private readonly meter: CumulativeTrafficMeter,
    settled: Map<string, ClientTotals> = new Map(),
  ) {
    this.settled = settled;
  }

  /** A training step of this participant finished on the server. */
  stepDone(participantId: string, tally: TrainTally): void {
    const live = this.liveRound(participantId);
    live.steps += 1;
    live.samples += tally.samples;
  }

  /**
   * A training epoch ended. Correctness is taken per epoch, not per step, so an abandoned
   * epoch adds no accuracy: from the server where it holds the loss (vanilla), else from the
   * client's report (U-shaped).
   */
  trainEpochDone(participantId: string, result: { steps: number; loss?: number; samples?: number; correct?: number; clientAccuracy?: number }): void {
    const live = this.liveRound(participantId);
    const samples = result.samples ?? 0;
    if (result.loss !== undefined && Number.isFinite(result.loss)) {
      live.lossSum += result.loss * result.steps;
      live.lossWeight += result.steps;
    }
    if (samples === 0) return;
    if (result.correct !== undefined) {
      live.correct += result.correct;
      live.scored += samples;
    } else if (result.clientAccuracy !== undefined) {
      live.correct += result.clientAccuracy * samples;
      live.scored += samples;
    }
  }

  /** Everything so far: the settled rounds, the round in progress and its traffic. */
  totals(participantId: string): ClientTotals {
    const settled = this.settled.get(participantId) ?? ZERO;
    const live = this.live.get(participantId);
    const traffic = this.unsettledTraffic(participantId);
    return {
      steps: settled.steps + (live?.steps ?? 0),
      samples: settled.samples + (live?.samples ?? 0),
      bytesUp: settled.bytesUp + traffic.up,
      bytesDown: settled.bytesDown + traffic.down,
    };
  }

  /**
   * Settles the round for these participants: everything since the previous round was
   * settled (its training, weight exchange and validation) becomes this round's share.
   */
  closeRound(participantIds: Iterable<string>): RoundTotals {
    const perClient: ClientRoundRecord[] = [];
    let correct = 0;
    let scored = 0;
    let lossSum = 0;
    let lossWeight = 0;
    for (const participantId of participantIds) {
      const live = this.live.get(participantId);
      const traffic = this.unsettledTraffic(participantId);
      if (!live && traffic.up === 0 && traffic.down === 0) continue;
      const record: ClientRoundRecord = {
        participantId,
        steps: live?.steps ?? 0,
        samples: live?.samples ?? 0,
        bytesUp: traffic.up,
        bytesDown: traffic.down,
        accuracy: live && live.scored > 0 ? live.correct / live.scored : null,
        loss: live && live.lossWeight > 0 ? live.lossSum / live.lossWeight : null,
      };
      perClient.push(record);
      correct += live?.correct ?? 0;
      scored += live?.scored ?? 0;
      lossSum += live?.lossSum ?? 0;
      lossWeight += live?.lossWeight ?? 0;
      const settled = this.settled.get(participantId) ?? { ...ZERO };
      this.settled.set(participantId, {
        steps: settled.steps + record.steps,
        samples: settled.samples + record.samples,
        bytesUp: settled.bytesUp + record.bytesUp,
        bytesDown: settled.bytesDown + record.bytesDown,
      });
      const now = this.meter.sinceStart.forParticipant(participantId);
      this.trafficMark.set(participantId, { up: now.up.bytes, down: now.down.bytes });
    }
    this.live.clear();
    const sum = (pick: (record: ClientRoundRecord) => number): number => perClient.reduce((total, record) => total + pick(record), 0);
    return {
      steps: sum((record) => record.steps),
      samples: sum((record) => record.samples),
      bytesUp: sum((record) => record.bytesUp),
      bytesDown: sum((record) => record.bytesDown),
      trainLoss: lossWeight > 0 ? lossSum / lossWeight : null,
      trainAccuracy: scored > 0 ? correct / scored : null,
      perClient,
    };
  }

  /** A withdrawn participant: nothing more is counted or stored about it. */
  forget(participantId: string): void {
    this.settled.delete(participantId);
    this.live.delete(participantId);
    const now = this.meter.sinceStart.forParticipant(participantId);
    this.trafficMark.set(participantId, { up: now.up.bytes, down: now.down.bytes });
  }

  private liveRound(participantId: string): LiveRound {
    let live = this.live.get(participantId);
    if (!live) {
      live = { steps: 0, samples: 0, correct: 0, scored: 0, lossSum: 0, lossWeight: 0 };
      this.live.set(participantId, live);
    }
    return live;
  }

  private unsettledTraffic(participantId: string): { up: number; down: number } {
    const now = this.meter.sinceStart.forParticipant(participantId);
    const mark = this.trafficMark.get(participantId) ?? { up: 0, down: 0 };
    return { up: now.up.bytes - mark.up, down: now.down.bytes - mark.down };
  }
}
