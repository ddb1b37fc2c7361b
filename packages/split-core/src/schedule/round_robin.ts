import type { Federation, SegmentWeights } from './federation';
import { SHARED_SERVER } from './federation';
import { asError, type RoundOutcome, type Schedule } from './schedule';

/**
 * The original SplitNN algorithm (Gupta & Raskar 2018): clients train one after another
 * against the one server segment; before its turn a client loads the client-segment weights
 * the previous client left with the coordinator. With plain SGD this is exactly centralized
 * training on the clients' batch sequences concatenated (tested). A client that fails its
 * turn leaves no hand-off: the next client starts from the last good weights.
 */
export class RoundRobinSchedule implements Schedule {
  readonly name = 'round-robin' as const;
  private handOff: SegmentWeights | undefined;

  constructor(initialHandOff?: SegmentWeights) {
    this.handOff = initialHandOff;
  }

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const outcome: RoundOutcome = { completed: [], failed: [] };
    for (const client of federation.clients) {
      try {
        if (this.handOff) await federation.writeClientWeights(client.id, this.handOff);
        await federation.trainLocalEpoch(client.id, SHARED_SERVER);
        this.handOff = await federation.readClientWeights(client.id);
        outcome.completed.push(client.id);
      } catch (error) {
        outcome.failed.push({ clientId: client.id, error: asError(error) });
      }
    }
    return outcome;
  }

  /** The last good hand-off weights: what the next client (or a late joiner) starts from. */
  get lastHandOff(): SegmentWeights | undefined {
    return this.handOff;
  }
}
