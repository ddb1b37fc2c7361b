import type * as tf from '@tensorflow/tfjs';
import type { ClientRole } from '../segment/roles';
import { backward, forward, infer, type Segment } from '../segment/segment';
import { receiveJoined, sendSlices } from './joined_cut';
import type { Link } from './link';
import { ProtocolError } from './link';
import type { EvalResult, StepResult } from './topology';

// An intermediate participant's step (PAPER.md Fig. 4a and 4c): it takes the cut outputs of
// the roles before it (one in a multi-hop chain, several parties joined on their feature
// axis in extended vanilla), runs its own segment, passes the result on, and returns to each
// sender its own slice of the gradient at its input. It never sees raw inputs or labels:
// those stay with their holders or go straight to the role computing the loss.

function hopSegment(role: ClientRole): Segment {
  const [segment] = role.segments;
  if (!segment || role.segments.length !== 1) throw new ProtocolError(`an intermediate participant holds one segment, got ${role.segments.length}`);
  return segment;
}

export async function hopTrainStep(role: ClientRole, upstream: readonly Link[], downstream: Link): Promise<StepResult> {
  if (upstream.length === 0) throw new ProtocolError('an intermediate participant needs at least one sender before it');
  const segment = hopSegment(role);
  const { joined, widths } = await receiveJoined(upstream);
  try {
    const activations = forward(segment, joined);
    try {
      await downstream.send('activations', activations);
    } finally {
      activations.dispose();
    }
    const outputGradient = await downstream.receive('gradients');
    let inputGradient: tf.Tensor | undefined;
    try {
      inputGradient = backward(segment, joined, outputGradient, true);
    } finally {
      outputGradient.dispose();
    }
    try {
      await sendSlices(upstream, inputGradient as tf.Tensor, widths);
    } finally {
      inputGradient?.dispose();
    }
    return { samples: joined.shape[0] ?? 0 };
  } finally {
    joined.dispose();
  }
}

export async function hopEvalStep(role: ClientRole, upstream: readonly Link[], downstream: Link): Promise<EvalResult> {
  if (upstream.length === 0) throw new ProtocolError('an intermediate participant needs at least one sender before it');
  const { joined } = await receiveJoined(upstream);
  try {
    const activations = infer(hopSegment(role), joined);
    try {
      await downstream.send('activations', activations);
    } finally {
      activations.dispose();
    }
    return {};
  } finally {
    joined.dispose();
  }
}
