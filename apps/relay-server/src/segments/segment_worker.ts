// Worker thread entry: one per study. Holds the study's server segment copies on tfjs-wasm
// with split-core's training kernels and runs the server side of every group's epochs
// through split-core's runtime; averages server copies where they live.
import { existsSync, rmSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { metrics as metricsLib, model, network, privacy, runtime, schedule, segment, study } from '@splitlearn/split-core';
import { initNodeBackend } from '@splitlearn/split-core/node';
import type { topology } from '@splitlearn/split-core';
import type { EpochRequest, FromWorker, ServerRequestMessage, ToWorker } from './worker_messages';

const port = parentPort;
if (!port) throw new Error('segment_worker must run in a worker thread');

interface Setup {
  plans: topology.RolePlans;
  pool: runtime.ServerPool;
  maxFrameBytes: number;
  /** The study's defence against label leakage, on every cut gradient the server returns. */
  gradientNoise?: privacy.GradientNoise;
}

let setup: Setup | undefined;
/** The links of each running epoch, by participant. */
const epochs = new Map<string, Map<string, network.StreamLink>>();
/**
 * What one evaluation link may hold unreceived. The server scores as fast as a client infers,
 * so an honest queue stays short; a client further ahead than this has its frames refused.
 */
const EVAL_QUEUE_BYTES = 256 * 1024 * 1024;
/** Headroom on a study's largest tensor frame for the codec's header. */
const FRAME_HEADER_BYTES = 64 * 1024;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function requireSetup(): Setup {
  if (!setup) throw new Error('worker used before init');
  return setup;
}

function readBundles(key: string): Uint8Array[] {
  return requireSetup().pool.read(key).map((weights) => model.encodeWeights(weights));
}

/**
 * The relay's fault tests make this thread die mid-epoch, as a crash would: when the file
 * named by RELAY_FAILPOINT_WORKER_EXIT exists after a training step, it is removed (so the
 * restarted worker carries on) and the thread exits. Unset in normal operation.
 */
function failpointWorkerExit(): void {
  const marker = process.env.RELAY_FAILPOINT_WORKER_EXIT;
  if (!marker || !existsSync(marker)) return;
  rmSync(marker, { force: true });
  process.exit(70);
}

async function runEpoch(request: EpochRequest): Promise<void> {
  const { plans, pool, maxFrameBytes, gradientNoise } = requireSetup();
  const copy = pool.copy(request.serverKey);
  // The worker does not track study ids: the event loop checks them on the way in and
  // stamps them on the way out, so frames here carry an empty one.
  const wiring = request.wiring ? { stages: request.wiring.stages } : undefined;
  const holdsLabels = (member: number): boolean => request.wiring?.labelHolders.includes(member) ?? false;
  // Where members feed members, the server talks only to those feeding it and to a label holder that does not.
  const talking = wiring ? runtime.membersTalkingToServer(wiring, holdsLabels).map((member) => request.members[member] as string) : request.members;
  const links = new Map(
    talking.map((participantId) => [
      participantId,
      new network.StreamLink({
        studyId: '',
        round: request.round,
        phase: request.phase,
        encoding: request.encoding,
        maxFrameBytes,
        // Clients stream validation batches without waiting: the epoch's steps, up to a memory budget.
        ...(request.phase === 'eval' ? { maxStepsAhead: Math.max(1, request.steps - 1), maxQueuedBytes: Math.max(4 * maxFrameBytes, EVAL_QUEUE_BYTES) } : {}),
        receiveTimeoutMs: request.receiveTimeoutMs,
        sink: (header, payload) => post({ type: 'frame', epochId: request.epochId, participantId, header, payload }, [payload.buffer as ArrayBuffer]),
      }),
    ]),
  );
  const streams = wiring ? runtime.serverLinksOf(wiring, holdsLabels, (member) => links.get(request.members[member] as string) as network.StreamLink) : [...links.values()];
  // A binary task's training steps are watched for what their cut gradients reveal of the labels (Li et al. 2022).
  const leak = request.phase === 'train' && plans.numClasses === 2 ? new privacy.LabelLeakTally(1) : undefined;
  const memberLinks = streams.map((link) => privacy.defendedServerLink(link, { ...(leak ? { leak } : {}), ...(gradientNoise && request.phase === 'train' ? { gradientNoise } : {}) }));
  epochs.set(request.epochId, links);
  try {
    const tally = await runtime.runServerEpoch({
      topology: plans.topology,
      copy,
      // Where the server holds the labels, its own labels link comes first (the label holder's place).
      links: [...(request.serverLabels ? [runtime.serverLabelsLink(request.serverLabels)] : []), ...memberLinks],
      phase: request.phase,
      round: request.round,
      steps: request.steps,
      hooks: {
        afterStep: (step, outcome) => {
          if (request.phase !== 'train') return;
          failpointWorkerExit();
          post({ type: 'step-done', epochId: request.epochId, members: request.members, step: step + 1, samples: outcome.samples ?? 0, ...(outcome.correct !== undefined ? { correct: outcome.correct } : {}) });
        },
      },
    });
    const { loss, correct } = tally;
    const done: FromWorker = {
      type: 'epoch-done',
      epochId: request.epochId,
      ok: true,
      steps: request.steps,
      ...(loss !== undefined ? { loss } : {}),
      ...(request.phase === 'train' ? { samples: tally.samples, ...(correct !== undefined ? { correct } : {}) } : {}),
      ...(leak && leak.samples > 0 ? { leak: leak.result() } : {}),
    };
    if (request.phase === 'eval') {
      // Evaluation leaves the weights as they were: these are the weights just scored.
      done.weightsDigest = model.weightsDigest(pool.read(request.serverKey));
      const metrics = tally.metrics(plans.numClasses);
      if (metrics) done.metrics = metrics;
      if (metrics && plans.taskClasses) done.tasks = plans.taskClasses.map((classes, task) => tally.tasks[task]?.metrics(classes) ?? metricsLib.evaluateClassification([], [], classes));
    }
    post(done);
  } catch (error) {
    post({ type: 'epoch-done', epochId: request.epochId, ok: false, message: error instanceof Error ? error.message : String(error), ...(error instanceof segment.NonFiniteLossError || error instanceof network.NonFiniteFrameError ? { code: 'non-finite' as const } : {}) });
  } finally {
    epochs.delete(request.epochId);
  }
}

/** Answers a request about the server copies; replies with bundles where it reads. */
function serve(message: ServerRequestMessage): void {
  const { pool } = requireSetup();
  switch (message.type) {
    case 'read-server': {
      const bundles = readBundles(message.serverKey);
      post({ type: 'reply', requestId: message.requestId, ok: true, bundles }, bundles.map((bundle) => bundle.buffer as ArrayBuffer));
      return;
    }
    case 'write-server':
      pool.write(message.serverKey, message.bundles.map((bundle) => model.decodeWeights(bundle)));
      break;
    case 'average-servers':
      pool.average(message.keys, message.sampleCounts, message.into);
      break;
    case 'drop-server':
      pool.drop(message.serverKey);
      break;
  }
  post({ type: 'reply', requestId: message.requestId, ok: true });
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      // Native TensorFlow when the host has @tensorflow/tfjs-node, else wasm + our kernels.
      const backend = await initNodeBackend();
      const plans = study.studyRolePlans(message.config);
      const options = study.studyRoleOptions(message.config);
      setup = { plans, pool: new runtime.ServerPool(() => segment.createRole('server', plans.server, options)), maxFrameBytes: study.largestMessageBytes(message.config) + FRAME_HEADER_BYTES, ...(message.config.gradientNoise ? { gradientNoise: message.config.gradientNoise } : {}) };
      if (message.weights) setup.pool.write(schedule.SHARED_SERVER, message.weights.map((bundle) => model.decodeWeights(bundle)));
      post({ type: 'ready', backend: `${backend.name}: ${backend.reason}`, clientLayouts: study.studyClientLayouts(message.config) });
      return;
    }
    case 'epoch':
      void runEpoch(message);
      return;
    case 'frame': {
      const link = epochs.get(message.epochId)?.get(message.participantId);
      if (!link) return;
      const refusal = link.deliver({ ...message.header, studyId: '' }, message.payload);
      if (refusal) post({ type: 'refused', epochId: message.epochId, participantId: message.participantId, ...refusal });
      return;
    }
    case 'abort':
      for (const link of epochs.get(message.epochId)?.values() ?? []) link.fail(new network.StepAbandonedError(message.reason));
      return;
    default:
      serve(message);
  }
}

port.on('message', (message: ToWorker) => {
  handle(message).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    if ('requestId' in message) post({ type: 'reply', requestId: message.requestId, ok: false, message: text });
    else post({ type: 'fatal', message: text });
  });
});
