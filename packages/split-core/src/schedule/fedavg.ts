import { averageWeights } from '../model/weights';
import type { Federation, FederationClient, SegmentWeights } from './federation';
import { asError, type RoundOutcome } from './schedule';

/** Sample-weighted mean of several participants' segment weights, segment by segment. */
export function averageSegmentWeights(sets: readonly SegmentWeights[], sampleCounts: readonly number[]): SegmentWeights {
  const first = sets[0];
  if (!first) return [];
  return first.map((_, segment) => averageWeights(sets.map((set) => set[segment] ?? []), sampleCounts));
}

/**
 * FedAvg of client segments (McMahan et al. 2017) over the clients that completed the
 * round; every one of them leaves the round with the average. Returns the average, or
 * undefined when no client completed.
 */
export async function federatedAverageClients(federation: Federation, clients: readonly FederationClient[], outcome: RoundOutcome): Promise<SegmentWeights | undefined> {
  const uploads = await Promise.allSettled(clients.map((client) => federation.readClientWeights(client.id)));
  const sets: SegmentWeights[] = [];
  const counts: number[] = [];
  const contributors: FederationClient[] = [];
  uploads.forEach((upload, i) => {
    const client = clients[i] as FederationClient;
    if (upload.status === 'fulfilled') {
      sets.push(upload.value);
      counts.push(client.sampleCount);
      contributors.push(client);
    } else {
      outcome.failed.push({ clientId: client.id, error: asError(upload.reason) });
      outcome.completed = outcome.completed.filter((id) => id !== client.id);
    }
  });
  if (sets.length === 0) return undefined;
  const average = averageSegmentWeights(sets, counts);
  const downloads = await Promise.allSettled(contributors.map((client) => federation.writeClientWeights(client.id, average)));
  downloads.forEach((download, i) => {
    if (download.status === 'rejected') outcome.failed.push({ clientId: (contributors[i] as FederationClient).id, error: asError(download.reason) });
  });
  return average;
}
