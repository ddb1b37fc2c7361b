import type { Link } from '../topology/link';
import { noisyGradientsLink, type GradientNoise } from './gradient_noise';
import type { LabelLeakTally } from './label_leakage';
import { watchLabelLeakage } from './leak_watch';

/**
 * The server's links to the parties with a study's defences and its leak watch, in the one
 * order both the relay's segment worker and the simulator use: the gradient noise goes on
 * first and the watch sees what actually leaves.
 */
export function defendedServerLink(link: Link, options: { gradientNoise?: GradientNoise; leak?: LabelLeakTally }): Link {
  const watched = options.leak ? watchLabelLeakage(link, options.leak) : link;
  return options.gradientNoise ? noisyGradientsLink(watched, options.gradientNoise) : watched;
}
