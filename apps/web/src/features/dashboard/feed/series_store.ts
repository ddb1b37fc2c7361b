import { PER_CLIENT_LINES, type RoundRow } from './round_row';

// The curves' data, one column per series, kept outside React: charts hand these very arrays
// to uPlot (setData), so a new point costs a push, not a copy of the history and not a
// re-render. Rows from the snapshot and from live events merge by round number in any
// order: a round already present is replaced (a reconnect re-sends the history), a missing
// one is inserted where it belongs, so x stays strictly increasing as uPlot requires.

export const SCALAR_COLUMNS = [
  'at',
  'seconds',
  'trainLoss',
  'trainAccuracy',
  'valLoss',
  'valAccuracy',
  'valAuc',
  'valSensitivity',
  'valSpecificity',
  'valCount',
  'samples',
  'samplesPerSecond',
  'bytesUp',
  'bytesDown',
  'clientFlops',
  'serverFlops',
  'completed',
  'failed',
  'clients',
  'upMin',
  'upMedian',
  'upMax',
  'downMin',
  'downMedian',
  'downMax',
  'leakNorm',
  'leakDirection',
] as const;
export type ScalarColumn = (typeof SCALAR_COLUMNS)[number];

/** null is a gap (uPlot's convention): no value that round, e.g. no validation. */
export type Column = (number | null)[];

export interface ClientColumns {
  up: Column;
  down: Column;
}

/** A multi-task study's series of one task. */
export interface TaskColumns {
  accuracy: Column;
  auc: Column;
}

export interface MergeResult {
  added: number;
  replaced: number;
  /** The set of per-client or per-task series changed (a client or a task appeared, or too many clients to draw one line each). */
  layoutChanged: boolean;
}

function scalarValues(row: RoundRow): Record<ScalarColumn, number | null> {
  return {
    at: row.at,
    seconds: row.seconds,
    trainLoss: row.trainLoss,
    trainAccuracy: row.trainAccuracy,
    valLoss: row.valLoss,
    valAccuracy: row.valAccuracy,
    valAuc: row.valAuc,
    valSensitivity: row.valSensitivity,
    valSpecificity: row.valSpecificity,
    valCount: row.valCount,
    samples: row.samples,
    samplesPerSecond: row.samplesPerSecond,
    bytesUp: row.bytesUp,
    bytesDown: row.bytesDown,
    clientFlops: row.clientFlops,
    serverFlops: row.serverFlops,
    completed: row.completed,
    failed: row.failed,
    clients: row.clients,
    upMin: row.upSpread?.min ?? null,
    upMedian: row.upSpread?.median ?? null,
    upMax: row.upSpread?.max ?? null,
    downMin: row.downSpread?.min ?? null,
    downMedian: row.downSpread?.median ?? null,
    downMax: row.downSpread?.max ?? null,
    leakNorm: row.leakNorm,
    leakDirection: row.leakDirection,
  };
}

/** First index whose value is >= target (sorted ascending). */
function lowerBound(sorted: readonly number[], target: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class SeriesStore {
  /** The relay's round numbers (from 0), strictly increasing: the merge key. */
  readonly rounds: number[] = [];
  /** x for every chart: rounds as people count them (the relay's round 0 is round 1). */
  readonly roundNumbers: number[] = [];
  readonly columns: Readonly<Record<ScalarColumn, Column>>;
  private perClient: Map<string, ClientColumns> | null = new Map();
  private readonly perTask = new Map<string, TaskColumns>();
  /** Bumps whenever the per-client series set changes, so charts drawing them rebuild. */
  layoutVersion = 0;
  /** Bumps on every merge that changed data. */
  dataVersion = 0;

  constructor() {
    const columns = {} as Record<ScalarColumn, Column>;
    for (const name of SCALAR_COLUMNS) columns[name] = [];
    this.columns = columns;
  }

  get length(): number {
    return this.rounds.length;
  }

  get lastRound(): number | undefined {
    return this.rounds[this.rounds.length - 1];
  }

  /** A multi-task study's validation figures by task, in the order the tasks first appeared (empty otherwise). */
  get taskColumns(): ReadonlyMap<string, TaskColumns> {
    return this.perTask;
  }

  /** Per-client traffic by participant id (insertion order), or null once there are too many clients for one line each. */
  get clientColumns(): ReadonlyMap<string, ClientColumns> | null {
    return this.perClient;
  }

  merge(rows: readonly RoundRow[]): MergeResult {
    const result: MergeResult = { added: 0, replaced: 0, layoutChanged: false };
    for (const row of rows) {
      const { index, created } = this.slotFor(row.round);
      if (created) result.added += 1;
      else result.replaced += 1;
      const values = scalarValues(row);
      for (const name of SCALAR_COLUMNS) this.columns[name][index] = values[name];
      if (this.writeClients(index, row)) result.layoutChanged = true;
      if (this.writeTasks(index, row)) result.layoutChanged = true;
    }
    if (rows.length > 0) this.dataVersion += 1;
    if (result.layoutChanged) this.layoutVersion += 1;
    return result;
  }

  private allColumns(): Column[] {
    const columns: Column[] = SCALAR_COLUMNS.map((name) => this.columns[name]);
    for (const client of this.perClient?.values() ?? []) columns.push(client.up, client.down);
    for (const task of this.perTask.values()) columns.push(task.accuracy, task.auc);
    return columns;
  }

  private slotFor(round: number): { index: number; created: boolean } {
    const last = this.lastRound;
    if (last === undefined || round > last) {
      this.rounds.push(round);
      this.roundNumbers.push(round + 1);
      for (const column of this.allColumns()) column.push(null);
      return { index: this.rounds.length - 1, created: true };
    }
    const index = lowerBound(this.rounds, round);
    if (this.rounds[index] === round) return { index, created: false };
    // A round older than the newest: a live event that overtook the snapshot. Rare, so O(n).
    this.rounds.splice(index, 0, round);
    this.roundNumbers.splice(index, 0, round + 1);
    for (const column of this.allColumns()) column.splice(index, 0, null);
    return { index, created: true };
  }

  /** Returns whether the per-task series set changed. */
  private writeTasks(index: number, row: RoundRow): boolean {
    let changed = false;
    for (const task of row.tasks ?? []) {
      let columns = this.perTask.get(task.name);
      if (!columns) {
        columns = { accuracy: new Array<number | null>(this.rounds.length).fill(null), auc: new Array<number | null>(this.rounds.length).fill(null) };
        this.perTask.set(task.name, columns);
        changed = true;
      }
      columns.accuracy[index] = task.accuracy;
      columns.auc[index] = task.auc;
    }
    return changed;
  }

  /** Returns whether the per-client series set changed. */
  private writeClients(index: number, row: RoundRow): boolean {
    const perClient = this.perClient;
    if (perClient === null) return false;
    if (row.perClient === undefined) {
      // The feed stopped sending per-client values: the study has outgrown one line per client.
      if (row.clients === 0) return false;
      this.perClient = null;
      return true;
    }
    let changed = false;
    const present = new Set<string>();
    for (const entry of row.perClient) {
      let columns = perClient.get(entry.participantId);
      if (!columns) {
        if (perClient.size >= PER_CLIENT_LINES) {
          this.perClient = null;
          return true;
        }
        columns = { up: new Array<number | null>(this.rounds.length).fill(null), down: new Array<number | null>(this.rounds.length).fill(null) };
        perClient.set(entry.participantId, columns);
        changed = true;
      }
      columns.up[index] = entry.bytesUp;
      columns.down[index] = entry.bytesDown;
      present.add(entry.participantId);
    }
    for (const [participantId, columns] of perClient) {
      if (present.has(participantId)) continue;
      columns.up[index] = null;
      columns.down[index] = null;
    }
    return changed;
  }
}
