import { DEMO_CLASSES, DEMO_DATA_SEED, generateDemoSample } from '@splitlearn/split-core/pure';

// The booth preview's images: the first few generated training images of each class, drawn
// on the main thread (the generator is plain arithmetic, no tfjs; a few 28 x 28 images take
// about a millisecond).

export interface PreviewImage {
  id: string;
  /** Grayscale in [0, 1], row-major, size x size. */
  gray: Float32Array;
}

export interface PreviewClass {
  name: string;
  images: PreviewImage[];
}

/**
 * Images whose stored label is the class they were drawn as: the demo flips about one label
 * in ten on purpose (DEMO_LABEL_NOISE), and a preview that says "nodule" under a normal
 * image would explain the classes badly. Classes alternate by index, so index % 2 is the drawn class.
 */
export function previewSamples(perClass: number, size = 28): PreviewClass[] {
  const classes: PreviewClass[] = DEMO_CLASSES.map((name) => ({ name, images: [] }));
  for (let index = 0; index < 50 * perClass && classes.some((entry) => entry.images.length < perClass); index++) {
    const sample = generateDemoSample({ seed: DEMO_DATA_SEED, split: 'train', index, size });
    const entry = classes[sample.label];
    if (sample.label === index % 2 && entry && entry.images.length < perClass) entry.images.push({ id: sample.id, gray: sample.values });
  }
  return classes;
}

/** Grayscale -> the RGBA bytes a canvas takes. */
export function grayToRgba(gray: Float32Array): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(gray.length * 4);
  gray.forEach((value, i) => {
    const level = Math.round(255 * value);
    rgba.set([level, level, level, 255], i * 4);
  });
  return rgba;
}
