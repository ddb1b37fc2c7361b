import { z } from 'zod';
import type { Rng } from '../data/random';

// What a study's augmentation may do to a training image, and each sample's draw of it:
// tfjs-free, so a study configuration validates anywhere and a draw is the same on every
// engine (augment_batch.ts applies it). Every transform keeps the label: a chest X-ray
// shifted by a few pixels, turned by a few degrees or a little brighter is the same finding.

export const AugmentationSchema = z.object({
  /** Largest shift, as a share of the image's width and height. */
  shift: z.number().min(0).max(0.5).default(0.1),
  /** Largest rotation, in degrees either way. */
  rotation: z.number().min(0).max(45).default(10),
  /** Largest zoom, in or out, as a share of the image's size. */
  zoom: z.number().min(0).max(0.5).default(0.1),
  /** Largest brightness change, added to pixel values in [0, 1]. */
  brightness: z.number().min(0).max(0.5).default(0.1),
  /** Largest contrast change, as a share (0.1: contrast x 0.9 to x 1.1 around the image's mean). */
  contrast: z.number().min(0).max(0.9).default(0.1),
  /** Mirror half the images left to right: off by default, since a chest X-ray has a side. */
  flip: z.boolean().default(false),
});
export type Augmentation = z.infer<typeof AugmentationSchema>;
export type AugmentationInput = z.input<typeof AugmentationSchema>;

/** The bounds in a few words, for logs and command lines. */
export function describeAugmentation(augmentation: Augmentation): string {
  const { shift, rotation, zoom, brightness, contrast, flip } = augmentation;
  return `shift ${shift}, rotation ${rotation} degrees, zoom ${zoom}, brightness ${brightness}, contrast ${contrast}, ${flip ? 'mirrored half the time' : 'no flips'}`;
}

/** One sample's draw. */
export interface SampleTransform {
  /** Radians; positive turns clockwise as displayed (rows grow downward). */
  angle: number;
  /** Above 1 zooms in. */
  scale: number;
  /** Pixels. */
  dx: number;
  dy: number;
  flip: boolean;
  brightness: number;
  contrast: number;
}

const IDENTITY: SampleTransform = { angle: 0, scale: 1, dx: 0, dy: 0, flip: false, brightness: 0, contrast: 1 };

/** Whether a draw moves pixels (the geometric part) at all. */
export function movesPixels(transform: SampleTransform): boolean {
  return transform.angle !== 0 || transform.scale !== 1 || transform.dx !== 0 || transform.dy !== 0 || transform.flip;
}

/** `count` samples' draws for [height, width] images, each parameter uniform within its bound. */
export function drawTransforms(augmentation: Augmentation, count: number, size: readonly [number, number], rng: Rng): SampleTransform[] {
  const [height, width] = size;
  const within = (bound: number): number => (bound > 0 ? (rng.next() * 2 - 1) * bound : 0);
  return Array.from({ length: count }, () => {
    // Drawn in a fixed order whatever is switched off, so turning one transform off leaves the others' draws alone.
    const angle = (within(augmentation.rotation) * Math.PI) / 180;
    const scale = 1 + within(augmentation.zoom);
    const dx = within(augmentation.shift) * width;
    const dy = within(augmentation.shift) * height;
    const flip = rng.next() < 0.5 && augmentation.flip;
    const brightness = within(augmentation.brightness);
    const contrast = 1 + within(augmentation.contrast);
    return { ...IDENTITY, angle, scale, dx, dy, flip, brightness, contrast };
  });
}

/**
 * The row tf.image.transform takes for one draw: it maps each output pixel (x, y) to the
 * input point it samples, so this is the inverse of "flip, turn and zoom about the centre,
 * then shift".
 */
export function inverseAffineRow(transform: SampleTransform, size: readonly [number, number]): [number, number, number, number, number, number, number, number] {
  const [height, width] = size;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(transform.angle) / transform.scale;
  const sin = Math.sin(transform.angle) / transform.scale;
  // Output point p = C + S R F (q - C) + t  =>  q = C + F R^-1 S^-1 (p - C - t), with F the mirror.
  const mirror = transform.flip ? -1 : 1;
  const a0 = mirror * cos;
  const a1 = mirror * sin;
  const b0 = -sin;
  const b1 = cos;
  const ox = cx + transform.dx;
  const oy = cy + transform.dy;
  return [a0, a1, cx - a0 * ox - a1 * oy, b0, b1, cy - b0 * ox - b1 * oy, 0, 0];
}
