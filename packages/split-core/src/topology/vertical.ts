import * as tf from '@tensorflow/tfjs';
import { multiTaskLossStep, taskLabels, taskLogits, type TaskHead } from '../segment/multi_task';
import type { ClientRole, ServerRole } from '../segment/roles';
import { infer, lossStep, type Segment } from '../segment/segment';
import type { TopologyDescriptor } from './descriptor';
import { extendedDescriptor, multiTaskDescriptor, verticalDescriptor } from './descriptors';
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
// the others send no labels. Extended vanilla (Fig. 4a) is the same server over a single
// link, the intermediate participant's; multi-task (Fig. 4b) the same with task heads.

function onlySegment(role: ClientRole | ServerRole, what: string): Segment {
  const [segment] = role.segments;
  if (!segment || role.segments.length !== 1) throw new ProtocolError(`a ${what} holds one segment, got ${role.segments.length}`);
  return segment;
}

/** What the server's head does with the joined cut outputs and the labels. */
interface ServerHead {
  train(segment: Segment, joined: tf.Tensor, labels: tf.Tensor): StepResult & { inputGradient: tf.Tensor | undefined };
  score(logits: tf.Tensor, labels: tf.Tensor): EvalResult;
}

const singleTask: ServerHead = {
  train(segment, joined, labels) {
    const { loss, correct, inputGradient } = lossStep(segment, joined, labels, true);
    return { loss, correct, inputGradient };
  },
  score(logits, labels) {
    return { probabilities: tf.softmax(logits), labels };
  },
};

function taskHeads(heads: readonly TaskHead[]): ServerHead {
  return {
    train(segment, joined, labels) {
      const { loss, tasks, inputGradient } = multiTaskLossStep(segment, joined, labels, heads, true);
      return { loss, correct: tasks[0]?.correct ?? 0, tasks, inputGradient };
    },
    score(logits, labels) {
      const taskScores = tf.tidy(() => taskLogits(logits, heads).map((taskOutput, task) => ({ probabilities: tf.softmax(taskOutput), labels: taskLabels(labels, task) })));
      labels.dispose();
      const [main] = taskScores;
      if (!main) throw new ProtocolError('a multi-task server has no task heads');
      return { probabilities: main.probabilities.clone(), labels: main.labels.clone(), taskScores };
    },
  };
}

/** The topology of parties whose joined cut outputs feed one server segment; `minParties` links carry activations. */
function joinedCutTopology(descriptor: TopologyDescriptor, minParties: number, head: ServerHead): Topology {
  const what = `${descriptor.name} server`;
  async function receiveParties(links: Link[]): Promise<{ joined: tf.Tensor; widths: number[]; labels: tf.Tensor; parties: Link[] }> {
    const parties = links.filter((link) => !link.labelsOnly);
    if (parties.length < minParties) throw new ProtocolError(`a ${descriptor.name} step needs at least ${minParties} link(s) carrying cut outputs, got ${parties.length}`);
    const { joined, widths } = await receiveJoined(parties);
    try {
      return { joined, widths, labels: await (links[0] as Link).receive('labels'), parties };
    } catch (error) {
      joined.dispose();
      throw error;
    }
  }

  return {
    descriptor,

    async clientTrainStep(client: ClientRole, link: Link, batch: Batch): Promise<StepResult> {
      await sendActivationsAndLearn(onlySegment(client, `${descriptor.name} party`), link, batch, client);
      return {};
    },

    async serverTrainStep(server: ServerRole, links: Link[]): Promise<StepResult> {
      const top = onlySegment(server, what);
      const { joined, widths, labels, parties } = await receiveParties(links);
      try {
        const { inputGradient, ...result } = head.train(top, joined, labels);
        try {
          await sendSlices(parties, inputGradient as tf.Tensor, widths);
        } finally {
          inputGradient?.dispose();
        }
        return { ...result, samples: labels.shape[0] ?? 0 };
      } finally {
        tf.dispose([joined, labels]);
      }
    },

    async clientEvalStep(client: ClientRole, link: Link, batch: Batch): Promise<EvalResult> {
      const activations = infer(onlySegment(client, `${descriptor.name} party`), batch.x);
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
      const logits = infer(onlySegment(server, what), joined);
      joined.dispose();
      try {
        return head.score(logits, labels);
      } finally {
        logits.dispose();
      }
    },
  };
}

export const vertical: Topology = joinedCutTopology(verticalDescriptor, 2, singleTask);

/** Extended vanilla's server: vertical's, fed by the intermediate participant alone. */
export const extended: Topology = joinedCutTopology(extendedDescriptor, 1, singleTask);

/** Multi-task over the parties' joined cut outputs (or one client's): one head per task; labels are [batch, tasks]. */
export function multiTask(heads: readonly TaskHead[]): Topology {
  if (heads.length < 2) throw new ProtocolError(`multi-task split learning needs at least two tasks, got ${heads.length}`);
  return joinedCutTopology(multiTaskDescriptor, 1, taskHeads(heads));
}
