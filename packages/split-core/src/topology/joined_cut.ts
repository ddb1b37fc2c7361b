import * as tf from '@tensorflow/tfjs';
import type { Link } from './link';

// Several senders' cut outputs joined on their last (feature) axis, and the gradient at the
// join handed back to each sender as its own slice: the server of a vertical study and the
// intermediate participant of extended vanilla do exactly this.

export interface JoinedCut {
  joined: tf.Tensor;
  /** Each sender's width on the last axis, in link order. */
  widths: number[];
}

/** Receives one activations tensor from each link and concatenates them on the last axis. */
export async function receiveJoined(links: readonly Link[]): Promise<JoinedCut> {
  const parts: tf.Tensor[] = [];
  try {
    for (const link of links) parts.push(await link.receive('activations'));
  } catch (error) {
    tf.dispose(parts);
    throw error;
  }
  const axis = (parts[0] as tf.Tensor).rank - 1;
  const joined = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, axis);
  const widths = parts.map((part) => part.shape[axis] as number);
  if (parts.length > 1) tf.dispose(parts);
  return { joined, widths };
}

/** Sends each link its slice (by `widths`) of the gradient at the join. The caller keeps `gradient`. */
export async function sendSlices(links: readonly Link[], gradient: tf.Tensor, widths: readonly number[]): Promise<void> {
  if (links.length === 1) return (links[0] as Link).send('gradients', gradient);
  const slices = tf.split(gradient, [...widths], gradient.rank - 1);
  try {
    for (const [index, link] of links.entries()) await link.send('gradients', slices[index] as tf.Tensor);
  } finally {
    tf.dispose(slices);
  }
}
