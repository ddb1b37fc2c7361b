import { averageWeights } from '../model/weights';
import type { Federation, SegmentWeights } from './federation';

/** Sample-weighted mean of several participants' segment weights, segment by segment. */
export function averageSegmentWeights(sets: readonly SegmentWeights[], sampleCounts: readonly number[]): SegmentWeights {
  const first = sets[0];
  if (!first) return [];
  return first.map((_, segment) => averageWeights(sets.map((set) => set[segment] ?? []), sampleCounts));
}

/** FedAvg of client segments (McMahan et al. 2017): every client leaves the round with the average. */
export async function federatedAverageClients(federation: Federation): Promise<void> {
  const clients = federation.clients;
  const sets = await Promise.all(clients.map((client) => federation.readClientWeights(client.id)));
  const average = averageSegmentWeights(
    sets,
    clients.map((client) => client.sampleCount),
  );
  await Promise.all(clients.map((client) => federation.writeClientWeights(client.id, average)));
}
