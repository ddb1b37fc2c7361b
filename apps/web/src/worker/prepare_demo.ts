import { data } from '@splitlearn/split-core';
import { imageShape, keepLocalValidation, type PreparedData, type StudyDataConfig } from './prepare_dataset';

// A simulated hospital's data for the booth demo: its shard of the generated demo images,
// rendered here in the worker (the page's main thread never runs split-core), then split
// into local training and validation data exactly as a clinician's folder is.

export function prepareDemoShard(hospital: number, hospitals: number, study: StudyDataConfig): PreparedData {
  const shape = imageShape(study.inputShape);
  const [height, width, channels] = shape;
  if (height !== width || (channels !== 1 && channels !== 3)) {
    throw new Error(`the demo images are square, grayscale or RGB; this study takes [${study.inputShape.join(', ')}]`);
  }
  const match = data.matchClasses([...data.DEMO_CLASSES], study.classes);
  if (match.labels.size !== data.DEMO_CLASSES.length) {
    throw new Error(`this study's classes (${study.classes.join(', ')}) are not the demo dataset's (${data.DEMO_CLASSES.join(', ')}): use the study the demo page creates`);
  }
  const shard = data.generateDemoShard({ hospital, hospitals, size: height, channels });
  // The study may spell or order the classes differently: relabel to its indices.
  const samples = shard.samples.map((sample) => ({ ...sample, label: match.labels.get(data.DEMO_CLASSES[sample.label] ?? '') ?? sample.label }));
  return keepLocalValidation(samples, match.classes, shape, study);
}
