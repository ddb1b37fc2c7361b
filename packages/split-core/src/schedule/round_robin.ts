import type { Federation, SegmentWeights } from './federation';
import { SHARED_SERVER, WeightsRefusedError } from './federation';
import { asError, emptyOutcome, type RoundOutcome, type Schedule, type ScheduleOptions } from './schedule';

/**
 * The original SplitNN algorithm (Gupta & Raskar 2018): groups train one after another
 * against the one server segment; before its turn a group loads the client-segment weights
 * the previous one left with the coordinator. With plain SGD this is exactly centralized
 * training on the groups' batch sequences concatenated (tested). A group that fails its
 * turn leaves no hand-off: the next one starts from the last good weights. A hand-off the
 * next group refuses (it would not load, or not open with a sealed study's key, which the
 * relay cannot check for it) is dropped for the last one a group loaded: otherwise every
 * later turn would be handed the same unusable weights.
 */
export class RoundRobinSchedule implements Schedule {
  readonly name = 'round-robin' as const;
  private handOff: SegmentWeights | undefined;
  /** The latest hand-off a group loaded (or the checkpoint the study resumed from). */
  private loaded: SegmentWeights | undefined;

  constructor(options: ScheduleOptions = {}) {
    this.handOff = options.startFrom;
    this.loaded = options.startFrom;
  }

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const outcome = emptyOutcome();
    for (const group of federation.groups) {
      try {
        if (this.handOff) {
          try {
            await federation.writeGroupWeights(group, this.handOff);
            this.loaded = this.handOff;
          } catch (error) {
            // Refused weights that no group has loaded go; weights a group did load stay (then the refusing member is at fault).
            if (error instanceof WeightsRefusedError && this.handOff !== this.loaded) this.handOff = this.loaded;
            throw error;
          }
        }
        const trained = await federation.trainGroup(group, SHARED_SERVER);
        outcome.trained.set(group.id, trained.samples);
        this.handOff = await federation.readGroupWeights(group);
        outcome.completed.push(group.id);
      } catch (error) {
        outcome.failed.push({ groupId: group.id, error: asError(error) });
      }
    }
    return outcome;
  }

  get latestGroupWeights(): SegmentWeights | undefined {
    return this.handOff;
  }
}
