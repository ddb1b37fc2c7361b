// What the cut activations and gradients reveal, and the defences a study can choose
// (PAPER.md, last section): NoPeek's distance correlation, and the label-leakage attacks on
// the cut gradients; the inversion check; the study key that seals round-robin hand-offs.
export { distanceCorrelation } from './distance_correlation';
export { batchLeakScores, LabelLeakTally } from './label_leakage';
export { watchLabelLeakage } from './leak_watch';
export { noisyGradientsLink, perturbCutGradients, type GradientNoise, type GradientNoiseKind } from './gradient_noise';
export { noisyActivations, protectActivations, type ActivationNoise } from './activation_noise';
export { defendedServerLink } from './server_defences';
export { structuralSimilarity } from './ssim';
export { invert, inversionDecoder, trainInversion, type InversionOptions, type InversionResult } from './inversion';
export { generateStudyKey, studyKeyCheck, studyKeyFromFragment, studyKeyProblem, StudyKeyError, STUDY_KEY_CHECK_PATTERN, STUDY_KEY_PATTERN } from './study_key';
export { handoffCipher, HandoffSealError, isSealed, SEALED_OVERHEAD_BYTES, sealedBytes, sealedSegment, type HandoffCipher } from './sealed_handoff';
