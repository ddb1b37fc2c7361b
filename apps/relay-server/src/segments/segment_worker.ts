// Worker thread entry: one per study. Holds the study's server segment(s) on tfjs-wasm with
// split-core's training kernels and runs the server side of every step.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { metrics, model, network, training } from '@splitlearn/split-core';
import { initNodeBackend } from '@splitlearn/split-core/node';
import type { protocol, topology } from '@splitlearn/split-core';
import type { EpochRequest, FromWorker, ToWorker } from './worker_messages';

const port = parentPort;
if (!port) throw new Error('segment_worker must run in a worker thread');

interface ServerCopy {
  role: topology.ServerRole;
  lock: training.Lock;
}

let config: protocol.StudyConfig | undefined;
let split: training.SplitPlan | undefined;
const servers = new Map<string, ServerCopy>();
const epochs = new Map<string, network.StreamLink>();
const MAX_FRAME_BYTES = 1024 * 1024 * 1024;
const WEIGHT_LIMITS = { maxFrameBytes: MAX_FRAME_BYTES, maxTensors: 10_000 };

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function requireSetup(): { config: protocol.StudyConfig; split: training.SplitPlan } {
  if (!config || !split) throw new Error('worker used before init');
  return { config, split };
}

function serverCopy(key: string): ServerCopy {
  let copy = servers.get(key);
  if (!copy) {
    const setup = requireSetup();
    copy = { role: training.createServerRole(setup.split, network.studyRoleOptions(setup.config)), lock: new training.Lock() };
    const shared = servers.get('shared');
    if (shared && key !== 'shared') copy.role.segments.forEach((segment, i) => model.writeWeights(segment.model, model.readWeights((shared.role.segments[i] as training.Segment).model)));
    servers.set(key, copy);
  }
  return copy;
}

function readBundles(key: string): Uint8Array[] {
  return serverCopy(key).role.segments.map((segment) => model.encodeWeights(model.readWeights(segment.model)));
}

function writeBundles(key: string, bundles: Uint8Array[]): void {
  const copy = serverCopy(key);
  if (bundles.length !== copy.role.segments.length) throw new Error(`expected ${copy.role.segments.length} server weight bundles, got ${bundles.length}`);
  copy.role.segments.forEach((segment, i) => model.writeWeights(segment.model, model.decodeWeights(bundles[i] as Uint8Array, WEIGHT_LIMITS)));
}

async function runEpoch(request: EpochRequest): Promise<void> {
  const setup = requireSetup();
  const copy = serverCopy(request.serverKey);
  // The worker does not track study ids: the event loop checks them on the way in and
  // stamps them on the way out, so frames here carry an empty one.
  const link = new network.StreamLink({
    studyId: '',
    round: request.round,
    phase: request.phase,
    encoding: request.encoding,
    maxFrameBytes: MAX_FRAME_BYTES,
    receiveTimeoutMs: request.receiveTimeoutMs,
    sink: (header, payload) => post({ type: 'frame', epochId: request.epochId, participantId: request.participantId, header, payload }, [payload.buffer as ArrayBuffer]),
  });
  epochs.set(request.epochId, link);
  let lossSum = 0;
  let lossCount = 0;
  let samples = 0;
  let correct: number | undefined;
  const scores: number[] = [];
  const labels: number[] = [];
  try {
    for (let step = 0; step < request.steps; step++) {
      // Clients sharing a server copy (round-robin, SplitFed V2) take turns step by step.
      await copy.lock.run(async () => {
        if (request.phase === 'train') {
          const result = await setup.split.topology.serverTrainStep(copy.role, [link]);
          if (result.loss !== undefined) {
            lossSum += result.loss;
            lossCount += 1;
          }
          samples += result.samples ?? 0;
          if (result.correct !== undefined) correct = (correct ?? 0) + result.correct;
          post({ type: 'step-done', epochId: request.epochId, participantId: request.participantId, step: step + 1, samples: result.samples ?? 0, ...(result.correct !== undefined ? { correct: result.correct } : {}) });
        } else {
          const result = await setup.split.topology.serverEvalStep(copy.role, [link]);
          if (result.probabilities && result.labels) {
            scores.push(...result.probabilities.dataSync());
            labels.push(...result.labels.dataSync());
          }
          tf.dispose([result.probabilities, result.labels]);
        }
      });
      link.nextStep();
    }
    const done: FromWorker = {
      type: 'epoch-done',
      epochId: request.epochId,
      ok: true,
      steps: request.steps,
      ...(lossCount > 0 ? { loss: lossSum / lossCount } : {}),
      ...(request.phase === 'train' ? { samples, ...(correct !== undefined ? { correct } : {}) } : {}),
    };
    if (request.phase === 'eval') {
      // Evaluation leaves the weights as they were: these are the weights just scored.
      done.weightsDigest = model.weightsDigest(copy.role.segments.map((segment) => model.readWeights(segment.model)));
      if (labels.length > 0) done.metrics = metrics.evaluateClassification(Float32Array.from(scores), Int32Array.from(labels), setup.split.spec.numClasses);
    }
    post(done);
  } catch (error) {
    post({ type: 'epoch-done', epochId: request.epochId, ok: false, message: error instanceof Error ? error.message : String(error) });
  } finally {
    epochs.delete(request.epochId);
  }
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      // Native TensorFlow when the host has @tensorflow/tfjs-node, else wasm + our kernels.
      const backend = await initNodeBackend();
      config = message.config;
      split = network.studySplit(config);
      serverCopy('shared');
      if (message.weights) writeBundles('shared', message.weights);
      post({ type: 'ready', backend: `${backend.name}: ${backend.reason}` });
      return;
    }
    case 'epoch':
      void runEpoch(message);
      return;
    case 'frame': {
      const link = epochs.get(message.epochId);
      if (!link) return;
      const refusal = link.deliver({ ...message.header, studyId: '' }, message.payload);
      if (refusal) post({ type: 'refused', epochId: message.epochId, ...refusal });
      return;
    }
    case 'abort':
      epochs.get(message.epochId)?.fail(new network.StepAbandonedError(message.reason));
      return;
    case 'read-server': {
      const bundles = readBundles(message.serverKey);
      post({ type: 'reply', requestId: message.requestId, ok: true, bundles }, bundles.map((b) => b.buffer as ArrayBuffer));
      return;
    }
    case 'write-server':
      writeBundles(message.serverKey, message.bundles);
      post({ type: 'reply', requestId: message.requestId, ok: true });
      return;
    case 'drop-server': {
      const copy = servers.get(message.serverKey);
      if (copy && message.serverKey !== 'shared') {
        training.disposeRole(copy.role);
        servers.delete(message.serverKey);
      }
      post({ type: 'reply', requestId: message.requestId, ok: true });
      return;
    }
  }
}

port.on('message', (message: ToWorker) => {
  handle(message).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    if ('requestId' in message) post({ type: 'reply', requestId: message.requestId, ok: false, message: text });
    else post({ type: 'fatal', message: text });
  });
});
