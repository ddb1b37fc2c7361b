import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { planSegments } from '../model/cuts';
import { createSegment } from '../segment/segment';
import { HOP_CHAIN, HOP_CHAIN_CUTS, useBackend } from '../testing/fixtures';
import { uShapedDescriptor, vanillaDescriptor, verticalDescriptor } from './descriptors';
import { hopEvalStep, hopTrainStep } from './hop';
import { createInProcessLinkPair } from './in_process_link';
import type { Link } from './link';
import { memberWirePlans, type MemberCrossing, type Peer } from './member_wire_plan';
import { routedLink } from './routed_link';
import { vanilla } from './vanilla';
import { chainWiring, directWiring, extendedWiring, WiringError } from './wiring';

// Each member's plan of what crosses its device, held against what the real steps of a
// multi-hop chain send and receive, peer by peer, in order.

beforeAll(() => useBackend('cpu'));

/** A link end of `member` towards `peer` that records every tensor through it. */
function recording(link: Link, peer: Peer, log: MemberCrossing[]): Link {
  return {
    send: (kind, tensor) => {
      log.push({ kind, direction: 'sends', peer });
      return link.send(kind, tensor);
    },
    receive: (kind) => {
      log.push({ kind, direction: 'receives', peer });
      return link.receive(kind);
    },
    nextStep: () => link.nextStep(),
  };
}

describe('member wire plans', () => {
  it('say exactly what each member of a multi-hop chain sends and receives, and with whom, in training and evaluation', async () => {
    const plans = planSegments(HOP_CHAIN, HOP_CHAIN_CUTS);
    const roles = plans.map((plan) => ({ segments: [createSegment(plan, { seed: 1, name: `s${plan.index}`, optimizer: { name: 'sgd', learningRate: 0.1 } })] }));
    const [holder, second, third, server] = roles as [(typeof roles)[number], (typeof roles)[number], (typeof roles)[number], (typeof roles)[number]];
    for (const phase of ['train', 'eval'] as const) {
      const logs: MemberCrossing[][] = [[], [], []];
      const [holderLog, secondLog, thirdLog] = logs as [MemberCrossing[], MemberCrossing[], MemberCrossing[]];
      const toSecond = createInProcessLinkPair({ encoding: 'fp32', participantId: 'a' });
      const toThird = createInProcessLinkPair({ encoding: 'fp32', participantId: 'b' });
      const toServer = createInProcessLinkPair({ encoding: 'fp32', participantId: 'c' });
      const labelLine = createInProcessLinkPair({ encoding: 'fp32', participantId: 'a' });
      const holderLink = routedLink({ activations: recording(toSecond.client, 1, holderLog), gradients: recording(toSecond.client, 1, holderLog), labels: recording(labelLine.client, 'server', holderLog) });
      const serverLink = routedLink({ activations: toServer.server, gradients: toServer.server, labels: labelLine.server });
      const x = tf.randomNormal([4, 5]);
      const labels = tf.tensor1d([0, 1, 1, 0], 'int32');
      if (phase === 'train') {
        await Promise.all([
          vanilla.clientTrainStep(holder, holderLink, { x, labels }),
          hopTrainStep(second, [recording(toSecond.server, 0, secondLog)], recording(toThird.client, 2, secondLog)),
          hopTrainStep(third, [recording(toThird.server, 1, thirdLog)], recording(toServer.client, 'server', thirdLog)),
          vanilla.serverTrainStep(server, [serverLink]),
        ]);
      } else {
        const [, , , scored] = await Promise.all([
          vanilla.clientEvalStep(holder, holderLink, { x, labels }),
          hopEvalStep(second, [recording(toSecond.server, 0, secondLog)], recording(toThird.client, 2, secondLog)),
          hopEvalStep(third, [recording(toThird.server, 1, thirdLog)], recording(toServer.client, 'server', thirdLog)),
          vanilla.serverEvalStep(server, [serverLink]),
        ]);
        tf.dispose([scored.probabilities, scored.labels]);
      }
      tf.dispose([x, labels]);
      expect(logs, phase).toEqual(memberWirePlans(chainWiring(3), vanillaDescriptor, (member) => member === 0, phase));
    }
  });

  it('in extended vanilla, only the label holder sends labels, straight to the server; the intermediate returns each party its gradient', () => {
    expect(memberWirePlans(extendedWiring(3), verticalDescriptor, (member) => member === 0, 'train')).toEqual([
      [
        { kind: 'activations', direction: 'sends', peer: 2 },
        { kind: 'labels', direction: 'sends', peer: 'server' },
        { kind: 'gradients', direction: 'receives', peer: 2 },
      ],
      [
        { kind: 'activations', direction: 'sends', peer: 2 },
        { kind: 'gradients', direction: 'receives', peer: 2 },
      ],
      [
        { kind: 'activations', direction: 'receives', peer: 0 },
        { kind: 'activations', direction: 'receives', peer: 1 },
        { kind: 'activations', direction: 'sends', peer: 'server' },
        { kind: 'gradients', direction: 'receives', peer: 'server' },
        { kind: 'gradients', direction: 'sends', peer: 0 },
        { kind: 'gradients', direction: 'sends', peer: 1 },
      ],
    ]);
  });

  it('give a group feeding the server directly its topology’s own crossings, and refuse to chain U-shaped', () => {
    expect(memberWirePlans(directWiring(1), uShapedDescriptor, () => true, 'train')).toEqual([
      [
        { kind: 'activations', direction: 'sends', peer: 'server' },
        { kind: 'activations', direction: 'receives', peer: 'server' },
        { kind: 'gradients', direction: 'sends', peer: 'server' },
        { kind: 'gradients', direction: 'receives', peer: 'server' },
      ],
    ]);
    expect(() => memberWirePlans(chainWiring(2), uShapedDescriptor, () => true, 'train')).toThrow(WiringError);
  });
});
