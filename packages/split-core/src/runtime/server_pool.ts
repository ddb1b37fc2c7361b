import { averageWeights, readWeights, writeWeights, type NamedWeight } from '../model/weights';
import { SHARED_SERVER } from '../schedule/federation';
import { Lock } from '../segment/lock';
import { disposeRole, type ServerRole } from '../segment/roles';

/** One copy of the server's segments, with the lock that lets one step at a time through it. */
export interface ServerCopy {
  role: ServerRole;
  lock: Lock;
}

type SegmentWeights = NamedWeight[][];

/**
 * The server's segment copies, by key: the shared one every schedule trains against, and
 * one per group where a schedule keeps copies (SplitFed V1). A new copy starts from the
 * shared weights. The relay's segment worker and the in-process federation both hold one.
 */
export class ServerPool {
  private readonly copies = new Map<string, ServerCopy>();

  constructor(private readonly createRole: () => ServerRole) {
    this.copies.set(SHARED_SERVER, { role: createRole(), lock: new Lock() });
  }

  get shared(): ServerCopy {
    return this.copy(SHARED_SERVER);
  }

  copy(key: string): ServerCopy {
    let copy = this.copies.get(key);
    if (!copy) {
      copy = { role: this.createRole(), lock: new Lock() };
      this.copies.set(key, copy);
      this.write(key, this.read(SHARED_SERVER));
    }
    return copy;
  }

  read(key: string): SegmentWeights {
    return this.copy(key).role.segments.map((segment) => readWeights(segment.model));
  }

  write(key: string, weights: SegmentWeights): void {
    const { segments } = this.copy(key).role;
    if (weights.length !== segments.length) throw new Error(`expected ${segments.length} server weight sets, got ${weights.length}`);
    segments.forEach((segment, i) => writeWeights(segment.model, weights[i] ?? []));
  }

  /** The sample-weighted mean of the copies `keys` (FedAvg), written to copy `into`. */
  average(keys: readonly string[], sampleCounts: readonly number[], into = SHARED_SERVER): void {
    const sets = keys.map((key) => this.read(key));
    const first = sets[0];
    if (!first) return;
    this.write(
      into,
      first.map((_, segment) => averageWeights(sets.map((set) => set[segment] ?? []), sampleCounts)),
    );
  }

  drop(key: string): void {
    const copy = this.copies.get(key);
    if (!copy || key === SHARED_SERVER) return;
    disposeRole(copy.role);
    this.copies.delete(key);
  }

  dispose(): void {
    for (const copy of this.copies.values()) disposeRole(copy.role);
    this.copies.clear();
  }
}
