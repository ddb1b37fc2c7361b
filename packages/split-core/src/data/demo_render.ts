// Draws one synthetic chest radiograph for the demo dataset. Geometry is expressed on a
// 28-unit grid and sampled at pixel centres, so the same image can be rendered at any size.
//
// What makes the task "CNN yes, linear no": the two classes differ only in the local
// SHAPE of a small lesion (a thin, irregular ring for a nodule; a smooth filled blob for
// the normal distractor), both scaled to the SAME total added intensity on the pixel grid
// and placed uniformly at random in a lung field. The class-conditional mean images are
// therefore nearly identical, which leaves a linear model on raw pixels little to work
// with, while a small convolution responds to "dark centre in a bright rim" anywhere.
// Intensity levels leave head-room below 1 (about one saturated pixel per image at the
// defaults): clipping would remove more of a ring's mass than a blob's and hand the
// linear model a cue.

import type { Rng } from './random';

/** Knobs of the generator; the defaults (DEFAULT_DEMO_STYLE) are what the acceptance figures were measured with. */
export interface DemoStyle {
  /** Mean ring radius of a nodule, in 28-grid units. */
  ringRadius: number;
  /** Gaussian half-width of the ring's rim, in 28-grid units. */
  ringWidth: number;
  /** Relative radius wobble of the ring along its circumference (the "textured" margin). */
  ringWobble: number;
  /** Gaussian sigma of a normal image's filled blob, in 28-grid units. */
  blobSigma: number;
  /** Total added intensity of one lesion or blob (sum over pixels of a 28x28 rendering). */
  lesionMass: number;
  /** Lesion masses vary by +/- this fraction, identically for both shapes. */
  lesionMassJitter: number;
  /** Probability of one extra smooth blob in the image, in either class. */
  extraBlobProbability: number;
  /** Brightness of the lung fields over the soft-tissue level. */
  lungLevel: number;
  /** Relative depth of the rib bands inside the lungs. */
  ribAmplitude: number;
  /** Rib spacing, in 28-grid units. */
  ribPeriod: number;
  /** Contrast factor drawn from [1 - r, 1 + r]. */
  contrastRange: number;
  /** Brightness offset drawn from [-r, r]. */
  brightnessRange: number;
  /** Patient position offset drawn from [-r, r] in each direction, in 28-grid units. */
  maxShift: number;
  /** Standard deviation of per-pixel Gaussian noise. */
  noise: number;
}

export const DEFAULT_DEMO_STYLE: Readonly<DemoStyle> = {
  ringRadius: 2.6,
  ringWidth: 0.45,
  ringWobble: 0.15,
  blobSigma: 1.8,
  lesionMass: 9,
  lesionMassJitter: 0.2,
  extraBlobProbability: 0.15,
  lungLevel: 0.24,
  ribAmplitude: 0.12,
  ribPeriod: 3.6,
  contrastRange: 0.15,
  brightnessRange: 0.05,
  maxShift: 2,
  noise: 0.035,
};

const GRID = 28;
/** Lesion centres keep this distance (28-grid units) from the lung border. */
const LESION_RIM = 1;

interface LungField {
  centerX: number;
  centerY: number;
  radiusX: number;
  radiusY: number;
}

/** Renders a size x size grayscale image in [0, 1]; `hasNodule` decides the lesion shape. */
export function renderChestImage(rng: Rng, size: number, hasNodule: boolean, style: Readonly<DemoStyle>): Float32Array {
  return renderChestScene(rng, size, hasNodule, style).image;
}

/**
 * The image and where its diagnostic lesion (the ring or the blob that decides the class) was
 * placed: in the lung on the image's left (0) or right (1). The demo's second task (multi-task
 * split learning) is that side; recording it draws nothing more from the rng, so every image
 * is the one it always was.
 */
export function renderChestScene(rng: Rng, size: number, hasNodule: boolean, style: Readonly<DemoStyle>): { image: Float32Array; lesionSide: 0 | 1 } {
  const unit = GRID / size;
  const shiftX = uniform(rng, -style.maxShift, style.maxShift);
  const shiftY = uniform(rng, -style.maxShift, style.maxShift);
  const lungScale = uniform(rng, 0.9, 1.1);
  const lungs: LungField[] = [-1, 1].map((side) => ({
    centerX: 14 + side * 5.6 * lungScale + shiftX,
    centerY: 13.5 + shiftY,
    radiusX: 4.1 * lungScale,
    radiusY: 8.6 * lungScale,
  }));
  const ribPhase = uniform(rng, 0, 2 * Math.PI);
  const ribCurve = uniform(rng, 0.025, 0.045);

  const image = new Float32Array(size * size);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) * unit;
      const y = (py + 0.5) * unit;
      const body = softInside(ellipseDistance(x, y, 14 + shiftX, 15.5 + shiftY, 12.5, 13.5), 0.08);
      const spine = Math.exp(-((x - 14 - shiftX) ** 2) / 2.5);
      let lung = 0;
      for (const field of lungs) {
        const ribs = Math.cos((2 * Math.PI * (y - ribCurve * (x - field.centerX) ** 2)) / style.ribPeriod + ribPhase);
        lung += softInside(lungDistance(field, x, y, 0), 0.12) * (1 + style.ribAmplitude * ribs);
      }
      image[py * size + px] = 0.04 + body * (0.12 + 0.05 * spine) + style.lungLevel * lung;
    }
  }

  const lesionShapes: ('ring' | 'blob')[] = [hasNodule ? 'ring' : 'blob'];
  if (rng.next() < style.extraBlobProbability) lesionShapes.push('blob');
  let lesionSide: 0 | 1 = 0;
  lesionShapes.forEach((shape, index) => {
    const side = rng.int(lungs.length);
    if (index === 0) lesionSide = side === 0 ? 0 : 1;
    const field = lungs[side] ?? lungs[0];
    if (field) drawLesion(image, size, rng, field, shape, style);
  });

  const contrast = uniform(rng, 1 - style.contrastRange, 1 + style.contrastRange);
  const brightness = uniform(rng, -style.brightnessRange, style.brightnessRange);
  for (let i = 0; i < image.length; i++) {
    const value = contrast * (image[i] ?? 0) + brightness + style.noise * rng.normal();
    image[i] = Math.min(1, Math.max(0, value));
  }
  return { image, lesionSide };
}

/**
 * Adds one lesion inside a lung field. Its unit-amplitude profile is rendered first and
 * then scaled so its pixel sum is exactly the drawn mass: rings and blobs cannot be told
 * apart by how much intensity they add, only by how it is arranged.
 */
function drawLesion(
  image: Float32Array,
  size: number,
  rng: Rng,
  field: LungField,
  shape: 'ring' | 'blob',
  style: Readonly<DemoStyle>,
): void {
  const unit = GRID / size;
  // Centres are uniform over the whole field (less a thin rim): lesions may overhang the
  // lung border, but a wide spread of positions is what defeats the linear model (a
  // field shrunk by the full lesion radius pinned them to a line, and linear reached 0.65).
  let centerX = field.centerX;
  let centerY = field.centerY;
  for (let attempt = 0; attempt < 100; attempt++) {
    const cx = field.centerX + uniform(rng, -1.1, 1.1) * field.radiusX;
    const cy = field.centerY + uniform(rng, -1, 1) * field.radiusY;
    if (lungDistance(field, cx, cy, LESION_RIM) <= 1) {
      centerX = cx;
      centerY = cy;
      break;
    }
  }
  const wobblePhase = uniform(rng, 0, 2 * Math.PI);
  const wobbleLobes = 3 + rng.int(3);
  const mass = style.lesionMass * uniform(rng, 1 - style.lesionMassJitter, 1 + style.lesionMassJitter);

  // Far enough that the cut-off Gaussian tails are negligible.
  const reach = Math.max(style.ringRadius * (1 + style.ringWobble) + 4 * style.ringWidth, 4 * style.blobSigma);
  const x0 = Math.max(0, Math.floor((centerX - reach) / unit));
  const x1 = Math.min(size - 1, Math.ceil((centerX + reach) / unit));
  const y0 = Math.max(0, Math.floor((centerY - reach) / unit));
  const y1 = Math.min(size - 1, Math.ceil((centerY + reach) / unit));
  const profile: { index: number; value: number }[] = [];
  let total = 0;
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      const dx = (px + 0.5) * unit - centerX;
      const dy = (py + 0.5) * unit - centerY;
      const r = Math.hypot(dx, dy);
      let value: number;
      if (shape === 'ring') {
        const radius = style.ringRadius * (1 + style.ringWobble * Math.sin(wobbleLobes * Math.atan2(dy, dx) + wobblePhase));
        value = Math.exp(-((r - radius) ** 2) / (2 * style.ringWidth ** 2));
      } else {
        value = Math.exp(-(r * r) / (2 * style.blobSigma ** 2));
      }
      profile.push({ index: py * size + px, value });
      total += value;
    }
  }
  // Mass is defined on the 28x28 grid; a finer rendering spreads it over more pixels.
  const scale = total > 0 ? (mass / total) * (size / GRID) ** 2 : 0;
  for (const { index, value } of profile) image[index] = (image[index] ?? 0) + scale * value;
}

/**
 * A lung field is an ellipse that narrows towards the apex (top), like a real lung;
 * `margin` shrinks it, to keep a whole lesion inside. < 1 inside, 1 on the border.
 */
function lungDistance(field: LungField, x: number, y: number, margin: number): number {
  const towardsBase = Math.min(1, Math.max(-1, (y - field.centerY) / field.radiusY));
  const halfWidth = field.radiusX * (0.85 + 0.2 * towardsBase) - margin;
  return ellipseDistance(x, y, field.centerX, field.centerY, Math.max(0.1, halfWidth), field.radiusY - margin);
}

/** < 1 inside the ellipse, 1 on its border. */
function ellipseDistance(x: number, y: number, cx: number, cy: number, rx: number, ry: number): number {
  return Math.hypot((x - cx) / rx, (y - cy) / ry);
}

/** Smooth 1 -> 0 step across the border so edges are not aliased staircases. */
function softInside(distance: number, softness: number): number {
  return 1 / (1 + Math.exp((distance - 1) / softness));
}

function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.next();
}
