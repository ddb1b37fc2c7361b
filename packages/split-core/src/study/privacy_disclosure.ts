import { getTopologyDescriptor } from '../topology/descriptors';
import type { StudyConfig } from './config';
import { studyMethod } from './method';
import { studyAugmentation } from './recipe';

// A study's privacy settings in plain words, before anyone joins: the contribute page's
// "what leaves this device" panel and the dashboard say the same sentences, made here from
// the configuration (tfjs-free). What is not protected is said as plainly as what is.

export function privacyDisclosure(config: StudyConfig): string[] {
  const lines: string[] = [];
  const method = studyMethod(config);
  if (!method.serverSegment) {
    lines.push(`${method.title}: the whole model trains on each device; labels stay there; the model's ${method.syncsGradients ? 'gradients' : 'weights'} reach the relay in the clear.`);
    return lines;
  }
  const labelsTravel = getTopologyDescriptor(config.topology).wirePlan.train.some((crossing) => crossing.kind === 'labels');
  if (labelsTravel) {
    const watched = config.classes.length === 2 ? ' Each round the relay measures how much its cut gradients would reveal of the labels (label-leak AUC on the dashboard).' : '';
    lines.push(`Labels travel to the relay with each batch (${config.topology}).${watched}`);
  } else {
    lines.push(`Labels stay on the data holders' devices (${config.topology}): the relay never sees them.`);
  }
  lines.push(
    config.noPeek
      ? `NoPeek is on (weight ${config.noPeek}): each device also trains its layers to make their outputs reveal less of its data (distance correlation).`
      : 'NoPeek is off: the cut activations are not trained to hide the images, and a curious relay could try to reconstruct them.',
  );
  if (config.activationNoise) lines.push(`Cut activations are clipped to a norm of ${config.activationNoise.clip} per sample and blurred with Gaussian noise (standard deviation ${config.activationNoise.sigma}) before they leave the device.`);
  if (config.gradientNoise) lines.push(`The relay adds ${config.gradientNoise.kind === 'max-norm' ? 'max-norm' : 'Gaussian'} noise (scale ${config.gradientNoise.scale}) to the cut gradients it returns, so they reveal less of the labels.`);
  if (studyAugmentation(config)) lines.push('Training images are augmented (shifted, turned, zoomed, their brightness and contrast varied) on this device: the augmented images stay here like the originals, and what leaves is computed from them as from any batch.');
  if (config.classes.length === 2) lines.push('Validation results leave as counts only: the confusion matrix and, for the study\'s decision threshold, how many images of each class score on either side of each of 99 thresholds (no image\'s score or label).');
  if (config.schedule === 'round-robin' && config.handoffKeyCheck) lines.push('Client-segment weights pass from one participant to the next end-to-end encrypted with the study key (AES-GCM): the relay forwards and stores them but cannot read them. Keep the invite link private: it carries the key.');
  else if (config.schedule === 'round-robin') lines.push('Client-segment weights pass from one participant to the next through the relay in the clear (not end-to-end encrypted).');
  else lines.push('Client-segment weights are averaged by the relay in the clear (no secure aggregation).');
  return lines;
}
