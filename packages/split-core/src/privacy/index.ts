// What the cut activations and gradients reveal, and the defences a study can choose
// (PAPER.md, last section): NoPeek's distance correlation, and the label-leakage attacks on
// the cut gradients.
export { distanceCorrelation } from './distance_correlation';
export { batchLeakScores, LabelLeakTally } from './label_leakage';
export { watchLabelLeakage } from './leak_watch';
export { noisyGradientsLink, perturbCutGradients, type GradientNoise, type GradientNoiseKind } from './gradient_noise';
export { noisyActivations, protectActivations, type ActivationNoise } from './activation_noise';
export { defendedServerLink } from './server_defences';
