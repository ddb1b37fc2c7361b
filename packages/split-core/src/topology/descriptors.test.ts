import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SegmentPlan } from '../model/cuts';
import type { LayerSpec } from '../model/spec';
import { createRole, type ClientRole, type ServerRole } from '../segment/roles';
import { TINY_MLP, useBackend } from '../testing/fixtures';
import { upCrossings, type WireCrossing } from './descriptor';
import { createInProcessLinkPair } from './in_process_link';
import type { Link, WireKind } from './link';
import { planSplit } from './split_plan';
import type { Topology } from './topology';
import { uShaped } from './u_shaped';
import { vanilla } from './vanilla';
import { vertical } from './vertical';
import { planVertical } from './vertical_plan';

// Each topology's tfjs-free descriptor says which tensors cross a client's link at every
// step; the web app's disclosure panel and the dashboard read it. Held here against the
// frames real steps send, in order, with the cut shapes the split gives.

beforeAll(() => useBackend('cpu'));

interface Sent {
  direction: 'up' | 'down';
  kind: WireKind;
  /** Per-sample shape (the batch dimension dropped). */
  shape: number[];
}

/** A link end that records what it sends. */
function recording(link: Link, direction: 'up' | 'down', log: Sent[]): Link {
  return {
    send: (kind, tensor) => {
      log.push({ direction, kind, shape: tensor.shape.slice(1) });
      return link.send(kind, tensor);
    },
    receive: (kind) => link.receive(kind),
    nextStep: () => link.nextStep(),
  };
}

/** What the descriptor says crosses, with per-sample shapes from the cut shapes. */
function declared(plan: readonly WireCrossing[], cutShapes: readonly number[][], holdsLabels = true): Sent[] {
  return plan
    .filter((crossing) => crossing.direction === 'down' || upCrossings([crossing], holdsLabels).length > 0)
    .map((crossing) => ({ direction: crossing.direction, kind: crossing.kind, shape: crossing.kind === 'labels' ? [] : [...(cutShapes[crossing.cut ?? 0] ?? [])] }));
}

/** One train and one eval step of clients against the server; what each client's link carried. */
async function stepsOf(topology: Topology, clients: { role: ClientRole; x: tf.Tensor; labels?: tf.Tensor }[], server: ServerRole): Promise<Record<'train' | 'eval', Sent[][]>> {
  const result: Record<'train' | 'eval', Sent[][]> = { train: [], eval: [] };
  for (const phase of ['train', 'eval'] as const) {
    const logs = clients.map((): Sent[] => []);
    const links = clients.map((_, i) => {
      const pair = createInProcessLinkPair({ encoding: 'fp32', participantId: `c${i}` });
      return { client: recording(pair.client, 'up', logs[i] as Sent[]), server: recording(pair.server, 'down', logs[i] as Sent[]) };
    });
    const clientSteps = clients.map((client, i) => {
      const link = (links[i] as { client: Link }).client;
      const batch = { x: client.x, ...(client.labels ? { labels: client.labels } : {}) };
      return phase === 'train' ? topology.clientTrainStep(client.role, link, batch) : topology.clientEvalStep(client.role, link, batch);
    });
    const serverLinks = links.map((link) => link.server);
    const serverStep = phase === 'train' ? topology.serverTrainStep(server, serverLinks) : topology.serverEvalStep(server, serverLinks);
    const results = await Promise.all([serverStep, ...clientSteps]);
    for (const outcome of results) tf.dispose([(outcome as { probabilities?: tf.Tensor }).probabilities, (outcome as { labels?: tf.Tensor }).labels]);
    result[phase] = logs;
  }
  return result;
}

const spec = TINY_MLP;
const options = { seed: 3, optimizer: { name: 'sgd' as const, learningRate: 0.1 } };

function cutShapes(plans: readonly SegmentPlan[]): number[][] {
  return [...plans].sort((a, b) => a.index - b.index).slice(0, -1).map((plan) => plan.outputShape);
}

describe('topology descriptors match the frames real steps send', () => {
  it.each([
    ['vanilla', vanilla],
    ['u-shaped', uShaped],
  ] as const)('%s', async (_name, topology) => {
    const split = planSplit(spec, topology);
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 2);
    const labels = tf.tensor1d([0, 1, 2, 0, 1], 'int32');
    const sent = await stepsOf(topology, [{ role: createRole('client', split.client, options), x, labels }], createRole('server', split.server, options));
    const shapes = cutShapes([...split.client, ...split.server]);
    expect(sent.train[0]).toEqual(declared(topology.descriptor.wirePlan.train, shapes));
    expect(sent.eval[0]).toEqual(declared(topology.descriptor.wirePlan.eval, shapes));
    // What the descriptor says about labels is what the steps do.
    expect(sent.train[0]?.some((item) => item.kind === 'labels')).toBe(topology.descriptor.sendsLabels);
    tf.dispose([x, labels]);
  });

  it('vertical: every party sends its cut activations, only the label holder the labels, and each gets its gradient slice', async () => {
    const parties: LayerSpec[][] = [[{ type: 'dense', name: 'party_a', units: 4, activation: 'relu' }], [{ type: 'dense', name: 'party_b', units: 3, activation: 'relu' }]];
    const plan = planVertical(
      [
        { layers: parties[0] ?? [], inputShape: [6] },
        { layers: parties[1] ?? [], inputShape: [10] },
      ],
      [{ type: 'dense', name: 'logits', units: 2 }],
    );
    const xs = [tf.randomUniform([5, 6], 0, 1, 'float32', 4), tf.randomUniform([5, 10], 0, 1, 'float32', 5)];
    const labels = tf.tensor1d([0, 1, 1, 0, 1], 'int32');
    const clients = plan.parties.map((party, i) => ({ role: createRole('client', [party], options), x: xs[i] as tf.Tensor, ...(i === 0 ? { labels } : {}) }));
    const sent = await stepsOf(vertical, clients, createRole('server', [plan.server], options));
    plan.parties.forEach((party, i) => {
      const holdsLabels = i === 0;
      expect(sent.train[i]).toEqual(declared(vertical.descriptor.wirePlan.train, [party.outputShape], holdsLabels));
      expect(sent.eval[i]).toEqual(declared(vertical.descriptor.wirePlan.eval, [party.outputShape], holdsLabels));
    });
    tf.dispose([...xs, labels]);
  });
});
