// What the cut activations and gradients reveal, and the defences a study can choose
// (PAPER.md, last section): NoPeek's distance correlation first.
export { distanceCorrelation } from './distance_correlation';
