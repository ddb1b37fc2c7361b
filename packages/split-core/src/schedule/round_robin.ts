import type { Federation, SegmentWeights } from './federation';
import { SHARED_SERVER } from './federation';
import type { Schedule } from './schedule';

/**
 * The original SplitNN algorithm (Gupta & Raskar 2018): clients train one after another
 * against the one server segment; before its turn a client loads the client-segment weights
 * the previous client left with the coordinator. With plain SGD this is exactly centralized
 * training on the clients' batch sequences concatenated (tested).
 */
export class RoundRobinSchedule implements Schedule {
  readonly name = 'round-robin' as const;
  private handOff: SegmentWeights | undefined;

  async runRound(federation: Federation): Promise<void> {
    for (const client of federation.clients) {
      if (this.handOff) await federation.writeClientWeights(client.id, this.handOff);
      await federation.trainLocalEpoch(client.id, SHARED_SERVER);
      this.handOff = await federation.readClientWeights(client.id);
    }
  }

  /** The last hand-off weights: kept when a client vanishes mid-turn, given to the next one. */
  get lastHandOff(): SegmentWeights | undefined {
    return this.handOff;
  }
}
