import * as tf from '@tensorflow/tfjs';
import type { ClientRole, ServerRole } from '../segment/roles';
import { infer, lossStep, type Segment } from '../segment/segment';
import { verticalDescriptor } from './descriptors';
import { receiveJoined, sendSlices } from './joined_cut';
import type { Link } from './link';
import { ProtocolError } from './link';
import type { Batch, EvalResult, StepResult, Topology } from './topology';
import { sendActivationsAndLearn } from './vanilla';

// Vertically partitioned SplitNN (PAPER.md, Fig. 2c): several parties hold different
// features of the same patients (rows aligned by patient id beforehand). Each runs its own
// segment; the server concatenates the cut outputs along the feature axis, runs the rest
// with the labels, and returns to each party its own slice of the cut gradient.
// Convention: links[0] is the label holder (a party, or the server's own labels-only link);
// the others send no labels.

function onlySegment(role: ClientRole | ServerRole, what: string): Segment {
  const [segment] = role.segments;
  if (!segment || role.segments.length !== 1) throw new ProtocolError(`a vertical ${what} holds one segment, got ${role.segments.length}`);
  return segment;
}

async function receiveParties(links: Link[]): Promise<{ joined: tf.Tensor; widths: number[]; labels: tf.Tensor }> {
  const parties = links.filter((link) => !link.labelsOnly);
  if (parties.length < 2) throw new ProtocolError(`a vertical step needs at least two party links, got ${links.length}`);
  const { joined, widths } = await receiveJoined(parties);
  try {
    return { joined, widths, labels: await (links[0] as Link).receive('labels') };
  } catch (error) {
    joined.dispose();
    throw error;
  }
}

export const vertical: Topology = {
  descriptor: verticalDescriptor,

  async clientTrainStep(client: ClientRole, link: Link, batch: Batch): Promise<StepResult> {
    await sendActivationsAndLearn(onlySegment(client, 'party'), link, batch);
    return {};
  },

  async serverTrainStep(server: ServerRole, links: Link[]): Promise<StepResult> {
    const top = onlySegment(server, 'server');
    const { joined, widths, labels } = await receiveParties(links);
    try {
      const { loss, correct, inputGradient } = lossStep(top, joined, labels, true);
      try {
        await sendSlices(
          links.filter((link) => !link.labelsOnly),
          inputGradient as tf.Tensor,
          widths,
        );
      } finally {
        inputGradient?.dispose();
      }
      return { loss, correct, samples: labels.shape[0] ?? 0 };
    } finally {
      tf.dispose([joined, labels]);
    }
  },

  async clientEvalStep(client: ClientRole, link: Link, batch: Batch): Promise<EvalResult> {
    const activations = infer(onlySegment(client, 'party'), batch.x);
    try {
      await link.send('activations', activations);
      if (batch.labels) await link.send('labels', batch.labels);
    } finally {
      activations.dispose();
    }
    return {};
  },

  async serverEvalStep(server: ServerRole, links: Link[]): Promise<EvalResult> {
    const { joined, labels } = await receiveParties(links);
    const logits = infer(onlySegment(server, 'server'), joined);
    const probabilities = tf.softmax(logits);
    tf.dispose([joined, logits]);
    return { probabilities, labels };
  },
};
