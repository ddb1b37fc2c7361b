import * as tf from '@tensorflow/tfjs';
import { segment as segmentLib, study as studyLib, type protocol } from '@splitlearn/split-core';

// What a training step costs this device on the engine it runs: this study's client
// segments (as party or position `party`), a batch of the study's size of random inputs
// uploaded from the page's memory as a real batch is, forward, backward and the optimizer's
// update, timed after one warm-up step (which compiles shaders or wasm paths). It doubles as
// the engine's test: an engine that cannot take a step here fails this first. Throwaway copies
// of the segments: the study's own are built at join.

const TIMED_STEPS = 3;

/** Median milliseconds of one client training step. */
export async function measureStepTime(config: protocol.StudyConfig, party: number): Promise<number> {
  const plans = studyLib.studyRolePlans(config, () => party).client('');
  const role = segmentLib.createRole('client', plans, studyLib.studyRoleOptions(config));
  const times: number[] = [];
  try {
    for (let step = 0; step <= TIMED_STEPS; step++) {
      const started = performance.now();
      for (const segment of role.segments) {
        const shape = [config.batchSize, ...segment.plan.inputShape];
        const input = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random()), shape);
        const output = segmentLib.forward(segment, input);
        const gradient = tf.randomNormal(output.shape, 0, 0.01);
        segmentLib.backward(segment, input, gradient, false)?.dispose();
        tf.dispose([input, output, gradient]);
        // WebGL runs asynchronously: the step is done once its updated weights can be read.
        await segment.model.weights[0]?.read().data();
      }
      if (step > 0) times.push(performance.now() - started);
    }
  } finally {
    segmentLib.disposeRole(role);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}
