import * as tf from '@tensorflow/tfjs';
import { protectActivations } from '../privacy/activation_noise';
import type { ClientRole, ServerRole } from '../segment/roles';
import { backward, forward, infer, lossStep, type Segment } from '../segment/segment';
import { multiHopDescriptor, vanillaDescriptor } from './descriptors';
import type { Link } from './link';
import { ProtocolError } from './link';
import type { Batch, EvalResult, HorizontalTopology, StepResult, Topology } from './topology';

// Vanilla SplitNN (PAPER.md, Fig. 2a): the client runs the layers up to the cut and sends
// the cut activations with the labels; the server runs the rest, the loss and the backward
// pass, and returns the gradient at the cut.

function only<T>(items: T[], what: string): T {
  const [item] = items;
  if (!item || items.length !== 1) throw new ProtocolError(`${what}: expected exactly one, got ${items.length}`);
  return item;
}

function labelsOf(batch: Batch): tf.Tensor {
  if (!batch.labels) throw new ProtocolError('this topology needs labels on the client batch');
  return batch.labels;
}

/** Client side shared by vanilla and vertical parties: send cut activations (and labels), apply the returned gradient. */
export async function sendActivationsAndLearn(bottom: Segment, link: Link, batch: Batch, defences: Pick<ClientRole, 'noPeek' | 'activationNoise'> = {}): Promise<void> {
  const activations = forward(bottom, batch.x);
  const sent = protectActivations(activations, defences.activationNoise);
  try {
    await link.send('activations', sent);
    if (batch.labels) await link.send('labels', batch.labels);
  } finally {
    tf.dispose([activations, sent]);
  }
  const cutGradient = await link.receive('gradients');
  try {
    backward(bottom, batch.x, cutGradient, false, defences.noPeek);
  } finally {
    cutGradient.dispose();
  }
}

export const vanilla: HorizontalTopology = {
  descriptor: vanillaDescriptor,

  async clientTrainStep(client: ClientRole, link: Link, batch: Batch): Promise<StepResult> {
    labelsOf(batch);
    await sendActivationsAndLearn(only(client.segments, 'vanilla client segments'), link, batch, client);
    return {};
  },

  async serverTrainStep(server: ServerRole, links: Link[]): Promise<StepResult> {
    const top = only(server.segments, 'vanilla server segments');
    const link = only(links, 'vanilla links');
    const activations = await link.receive('activations');
    const labels = await link.receive('labels');
    try {
      const { loss, correct, inputGradient } = lossStep(top, activations, labels, true);
      try {
        await link.send('gradients', inputGradient as tf.Tensor);
      } finally {
        inputGradient?.dispose();
      }
      return { loss, correct, samples: labels.shape[0] ?? 0 };
    } finally {
      tf.dispose([activations, labels]);
    }
  },

  async clientEvalStep(client: ClientRole, link: Link, batch: Batch): Promise<EvalResult> {
    const activations = infer(only(client.segments, 'vanilla client segments'), batch.x);
    // Validation activations reach the relay too: the same noise goes on them.
    const sent = protectActivations(activations, client.activationNoise);
    try {
      await link.send('activations', sent);
      await link.send('labels', labelsOf(batch));
    } finally {
      tf.dispose([activations, sent]);
    }
    return {};
  },

  async serverEvalStep(server: ServerRole, links: Link[]): Promise<EvalResult> {
    const top = only(server.segments, 'vanilla server segments');
    const link = only(links, 'vanilla links');
    const activations = await link.receive('activations');
    const labels = await link.receive('labels');
    const logits = infer(top, activations);
    const probabilities = tf.softmax(logits);
    tf.dispose([activations, logits]);
    return { probabilities, labels };
  },
};

/**
 * Multi-hop (PAPER.md, Fig. 4c): the data holder and the server run vanilla's steps, the hops
 * between them the intermediate participant's (hop.ts); only the description differs.
 */
export const multiHop: Topology = { ...vanilla, descriptor: multiHopDescriptor };
