// The in-memory dataset every role trains from. Pixels are decoded and resized once, on
// the device that owns them; only derived tensors ever leave it.

export interface Sample {
  /** Stable across runs and machines: the file's path relative to the dataset root, or a generated id. */
  id: string;
  /** Index into the dataset's `classes`. */
  label: number;
  /** Multi-task: the further tasks' labels, each an index into its task's classes (the first task's is `label`). */
  tasks?: readonly number[];
  /** Row-major [height, width, channels] for images, [features] for tabular rows; values in [0, 1] for images. */
  values: Float32Array;
}

export interface Dataset {
  classes: string[];
  /** Multi-task: the further tasks the samples carry labels for, in order (the first task's classes are `classes`). */
  tasks?: readonly { name: string; classes: readonly string[] }[];
  /** Shape of one sample: [height, width, channels] or [features]. */
  sampleShape: number[];
  samples: Sample[];
}

/** A file that could not be used, and why: reported to the user, never fatal. */
export interface SkippedFile {
  path: string;
  reason: string;
}
