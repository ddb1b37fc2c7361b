import { averageSegmentWeights, federatedAverageClients } from './fedavg';
import type { Federation } from './federation';
import { SHARED_SERVER } from './federation';
import type { Schedule } from './schedule';

// SplitFed (Thapa et al. 2020, arXiv 2004.12088): all clients train at the same time and
// their client segments are FedAvg'ed (weighted by samples) at the end of each round.

/** SFLV1: one server copy per client, averaged into the shared server after each round. */
export class SplitFedV1Schedule implements Schedule {
  readonly name = 'splitfed-v1' as const;

  async runRound(federation: Federation): Promise<void> {
    const clients = federation.clients;
    const start = await federation.readServerWeights(SHARED_SERVER);
    const copyKey = (clientId: string): string => `client:${clientId}`;
    await Promise.all(clients.map((client) => federation.writeServerWeights(copyKey(client.id), start)));
    await Promise.all(clients.map((client) => federation.trainLocalEpoch(client.id, copyKey(client.id))));
    const copies = await Promise.all(clients.map((client) => federation.readServerWeights(copyKey(client.id))));
    await federation.writeServerWeights(
      SHARED_SERVER,
      averageSegmentWeights(
        copies,
        clients.map((client) => client.sampleCount),
      ),
    );
    await federatedAverageClients(federation);
  }
}

/** SFLV2: one shared server segment processes the clients' batches in turn. */
export class SplitFedV2Schedule implements Schedule {
  readonly name = 'splitfed-v2' as const;

  async runRound(federation: Federation): Promise<void> {
    await Promise.all(federation.clients.map((client) => federation.trainLocalEpoch(client.id, SHARED_SERVER)));
    await federatedAverageClients(federation);
  }
}
