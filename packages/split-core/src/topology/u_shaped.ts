import * as tf from '@tensorflow/tfjs';
import { protectActivations } from '../privacy/activation_noise';
import type { ClientRole, ServerRole } from '../segment/roles';
import { backward, forward, infer, lossStep, type Segment } from '../segment/segment';
import { uShapedDescriptor } from './descriptors';
import type { Link } from './link';
import { ProtocolError } from './link';
import type { Batch, EvalResult, HorizontalTopology, StepResult } from './topology';

// U-shaped SplitNN without label sharing (PAPER.md, Fig. 2b): the client holds the first
// and the last layers, the loss and the labels; the server only ever sees cut-1
// activations and cut-2 gradients. Labels and predictions never leave the client.

function clientSegments(client: ClientRole): { bottom: Segment; head: Segment } {
  const [bottom, head] = client.segments;
  if (!bottom || !head || client.segments.length !== 2) {
    throw new ProtocolError(`a U-shaped client holds two segments (bottom and head), got ${client.segments.length}`);
  }
  return { bottom, head };
}

function serverSegment(server: ServerRole, links: Link[]): { middle: Segment; link: Link } {
  const [middle] = server.segments;
  const [link] = links;
  if (!middle || server.segments.length !== 1) throw new ProtocolError(`a U-shaped server holds one segment, got ${server.segments.length}`);
  if (!link || links.length !== 1) throw new ProtocolError(`a U-shaped step has one client link, got ${links.length}`);
  return { middle, link };
}

function labelsOf(batch: Batch): tf.Tensor {
  if (!batch.labels) throw new ProtocolError('a U-shaped client needs its labels: it computes the loss');
  return batch.labels;
}

export const uShaped: HorizontalTopology = {
  descriptor: uShapedDescriptor,

  async clientTrainStep(client: ClientRole, link: Link, batch: Batch): Promise<StepResult> {
    const { bottom, head } = clientSegments(client);
    const labels = labelsOf(batch);
    const cut1 = forward(bottom, batch.x);
    const sent = protectActivations(cut1, client.activationNoise);
    try {
      await link.send('activations', sent);
    } finally {
      tf.dispose([cut1, sent]);
    }
    const cut2 = await link.receive('activations');
    let loss: number;
    let correct: number;
    try {
      const step = lossStep(head, cut2, labels, true);
      loss = step.loss;
      correct = step.correct;
      try {
        await link.send('gradients', step.inputGradient as tf.Tensor);
      } finally {
        step.inputGradient?.dispose();
      }
    } finally {
      cut2.dispose();
    }
    const cut1Gradient = await link.receive('gradients');
    try {
      backward(bottom, batch.x, cut1Gradient, false, client.noPeek);
    } finally {
      cut1Gradient.dispose();
    }
    return { loss, correct, samples: labels.shape[0] ?? 0 };
  },

  async serverTrainStep(server: ServerRole, links: Link[]): Promise<StepResult> {
    const { middle, link } = serverSegment(server, links);
    const cut1 = await link.receive('activations');
    try {
      const cut2 = forward(middle, cut1);
      try {
        await link.send('activations', cut2);
      } finally {
        cut2.dispose();
      }
      const cut2Gradient = await link.receive('gradients');
      try {
        const cut1Gradient = backward(middle, cut1, cut2Gradient, true) as tf.Tensor;
        try {
          await link.send('gradients', cut1Gradient);
        } finally {
          cut1Gradient.dispose();
        }
      } finally {
        cut2Gradient.dispose();
      }
    } finally {
      cut1.dispose();
    }
    return { samples: cut1.shape[0] ?? 0 };
  },

  async clientEvalStep(client: ClientRole, link: Link, batch: Batch): Promise<EvalResult> {
    const { bottom, head } = clientSegments(client);
    const cut1 = infer(bottom, batch.x);
    const sent = protectActivations(cut1, client.activationNoise);
    try {
      await link.send('activations', sent);
    } finally {
      tf.dispose([cut1, sent]);
    }
    const cut2 = await link.receive('activations');
    const logits = infer(head, cut2);
    const probabilities = tf.softmax(logits);
    tf.dispose([cut2, logits]);
    return { probabilities, labels: tf.clone(labelsOf(batch)) };
  },

  async serverEvalStep(server: ServerRole, links: Link[]): Promise<EvalResult> {
    const { middle, link } = serverSegment(server, links);
    const cut1 = await link.receive('activations');
    const cut2 = infer(middle, cut1);
    try {
      await link.send('activations', cut2);
    } finally {
      tf.dispose([cut1, cut2]);
    }
    return {};
  },
};
