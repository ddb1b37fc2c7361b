import * as tf from '@tensorflow/tfjs';

// Distance correlation (Székely, Rizzo & Bakirov 2007) between a batch's inputs and what a
// segment made of them: the dependence NoPeek (Vepakomma et al. 2020; PAPER.md's last
// section) adds to a client's loss to make cut activations say less about the images. All
// tensor ops on the client's engine: pairwise distances from one matrix product, no loop
// over pairs, so it differentiates through tfjs like the rest of the step.

/** Below this a squared distance counts as zero: keeps sqrt's gradient finite on the diagonal. */
const EPSILON = 1e-12;

/** [n, n] Euclidean distances between the rows of `x` ([n, ...]: each sample flattened). */
function pairwiseDistances(x: tf.Tensor): tf.Tensor2D {
  const rows = x.reshape<tf.Tensor2D>([x.shape[0] ?? 0, -1]);
  const squares = rows.square().sum<tf.Tensor2D>(1, true);
  const squared = squares.add(squares.transpose()).sub(rows.matMul(rows, false, true).mul(2));
  return squared.maximum(0).add(EPSILON).sqrt() as tf.Tensor2D;
}

/** The doubly centred distance matrix: each entry less its row and column means, plus the grand mean. */
function doublyCentred(distances: tf.Tensor2D): tf.Tensor2D {
  return distances.sub<tf.Tensor2D>(distances.mean(0, true)).sub<tf.Tensor2D>(distances.mean(1, true)).add<tf.Tensor2D>(distances.mean());
}

/**
 * The sample distance correlation of two batches with the same first dimension, in [0, 1]:
 * 0 when the samples are independent (in the limit), 1 when one is a similarity transform
 * of the other (a rotation, a scaling, a shift). A constant batch correlates with nothing (0).
 */
export function distanceCorrelation(x: tf.Tensor, z: tf.Tensor): tf.Scalar {
  if (x.shape[0] !== z.shape[0]) throw new Error(`distance correlation needs the same samples on both sides: ${x.shape[0]} and ${z.shape[0]}`);
  return tf.tidy(() => {
    const a = doublyCentred(pairwiseDistances(x));
    const b = doublyCentred(pairwiseDistances(z));
    const covariance = a.mul(b).mean();
    const variances = a.square().mean().mul(b.square().mean());
    // dCor^2 = dCov^2(X, Z) / sqrt(dVar^2(X) dVar^2(Z)); its square root, the distance correlation.
    const squared = covariance.div(variances.sqrt().add(EPSILON)).maximum(0);
    return squared.add(EPSILON).sqrt().sub<tf.Scalar>(Math.sqrt(EPSILON));
  });
}
