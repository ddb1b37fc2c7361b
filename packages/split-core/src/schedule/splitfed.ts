import { averageSegmentWeights, federatedAverageClients } from './fedavg';
import type { Federation, FederationClient, SegmentWeights } from './federation';
import { SHARED_SERVER } from './federation';
import { asError, type RoundOutcome, type Schedule } from './schedule';

// SplitFed (Thapa et al. 2020, arXiv 2004.12088): all clients train at the same time and
// their client segments are FedAvg'ed (weighted by samples) at the end of each round. A
// client that fails its epoch is left out of both averages.

async function trainAll(federation: Federation, serverKeyOf: (client: FederationClient) => string): Promise<RoundOutcome> {
  const results = await Promise.allSettled(federation.clients.map((client) => federation.trainLocalEpoch(client.id, serverKeyOf(client))));
  const outcome: RoundOutcome = { completed: [], failed: [] };
  results.forEach((result, i) => {
    const clientId = (federation.clients[i] as FederationClient).id;
    if (result.status === 'fulfilled') outcome.completed.push(clientId);
    else outcome.failed.push({ clientId, error: asError(result.reason) });
  });
  return outcome;
}

abstract class SplitFedSchedule implements Schedule {
  abstract readonly name: 'splitfed-v1' | 'splitfed-v2';
  private average: SegmentWeights | undefined;

  /** The latest FedAvg of client segments: what a late joiner starts from. */
  get lastAverage(): SegmentWeights | undefined {
    return this.average;
  }

  abstract runRound(federation: Federation): Promise<RoundOutcome>;

  protected async averageClients(federation: Federation, outcome: RoundOutcome): Promise<void> {
    const completed = federation.clients.filter((client) => outcome.completed.includes(client.id));
    this.average = (await federatedAverageClients(federation, completed, outcome)) ?? this.average;
  }
}

/** SFLV1: one server copy per client, averaged into the shared server after each round. */
export class SplitFedV1Schedule extends SplitFedSchedule {
  readonly name = 'splitfed-v1' as const;

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const copyKey = (client: FederationClient): string => `client:${client.id}`;
    const start = await federation.readServerWeights(SHARED_SERVER);
    await Promise.all(federation.clients.map((client) => federation.writeServerWeights(copyKey(client), start)));
    const outcome = await trainAll(federation, copyKey);
    const completed = federation.clients.filter((client) => outcome.completed.includes(client.id));
    if (completed.length > 0) {
      const copies = await Promise.all(completed.map((client) => federation.readServerWeights(copyKey(client))));
      await federation.writeServerWeights(
        SHARED_SERVER,
        averageSegmentWeights(
          copies,
          completed.map((client) => client.sampleCount),
        ),
      );
    }
    await this.averageClients(federation, outcome);
    return outcome;
  }
}

/** SFLV2: one shared server segment processes the clients' batches in turn. */
export class SplitFedV2Schedule extends SplitFedSchedule {
  readonly name = 'splitfed-v2' as const;

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const outcome = await trainAll(federation, () => SHARED_SERVER);
    await this.averageClients(federation, outcome);
    return outcome;
  }
}
