import { study as studyLib, type protocol } from '@splitlearn/split-core';
import { chooseBackend } from './backend';
import { decodeImage } from './decode_image';
import { parseMainToWorker, type BackendChoice, type ExportedSegments, type MainToWorker, type WorkerToMain } from './messages';
import { prepareDataset, type PreparedData } from './prepare_dataset';
import { prepareDemoShard } from './prepare_demo';
import { RelaySession } from './relay_session';
import { downloadPrefix, downloadWeightsFile, segmentDownloads } from './segment_download';
import { describeFailure } from './relay_errors';
import { lookupStudy } from './study_lookup';
import { egressInputFor, toStudySummary } from './study_summary';
import { clientWeightLayout } from './weight_layout';
import { describeEgress, type EgressInput } from './what_leaves';

// The training worker: everything tfjs lives here, so the page's main thread never loads it
// and stays responsive while a step runs (ARCHITECTURE.md). It decodes the clinician's
// images, keeps the local datasets, and takes part in the study through a RelaySession.

interface WorkerScope {
  postMessage(message: WorkerToMain): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  location: { origin: string };
}

const scope = globalThis as unknown as WorkerScope;
const post = (message: WorkerToMain): void => scope.postMessage(message);

/** Decode progress is posted at most this often: thousands of files would flood the page. */
const PROGRESS_EVERY = 25;

interface KnownStudy {
  joinCode: string;
  info: protocol.StudyInfo;
  egress: EgressInput;
}

let study: KnownStudy | undefined;
let prepared: PreparedData | undefined;
let session: RelaySession | undefined;

const backendReady: Promise<BackendChoice | undefined> = chooseBackend().then(
  (backend) => {
    post({ type: 'backend', backend });
    return backend;
  },
  (error: unknown) => {
    post({ type: 'error', error: { code: 'backend-failed', message: describeFailure(error) } });
    return undefined;
  },
);

async function describeStudy(joinCode: string, info: protocol.StudyInfo): Promise<void> {
  await backendReady; // building the layout model needs the backend
  const split = studyLib.studySplit(info.config);
  const egress = egressInputFor(info, split, clientWeightLayout(split, info.config.seed));
  study = { joinCode, info, egress };
  post({ type: 'study', study: toStudySummary(info), egress: describeEgress(egress) });
}

async function lookup(joinCode: string): Promise<void> {
  const result = await lookupStudy(joinCode, scope.location.origin);
  if (!result.ok) {
    post({ type: 'error', error: result.error });
    return;
  }
  if (study?.info.id !== result.study.id) prepared = undefined;
  await describeStudy(joinCode, result.study);
}

async function prepare(images: Extract<MainToWorker, { type: 'prepare' }>['images']): Promise<void> {
  if (!study) {
    post({ type: 'error', error: { code: 'internal', message: 'look the study up before preparing images' } });
    return;
  }
  const config = studyLib.horizontalStudy(study.info.config);
  prepared = undefined;
  post({ type: 'decode-progress', done: 0, total: images.length });
  const result = await prepareDataset(images, config, decodeImage, (done, total) => {
    if (done % PROGRESS_EVERY === 0 || done === total) post({ type: 'decode-progress', done, total });
  });
  offer(result, images.length);
}

/** Posts the dataset preview and keeps the data for joining, if any of it can train. */
function offer(result: PreparedData, imageCount: number): void {
  post({ type: 'dataset', classes: result.classes, trainCount: result.train.samples.length, valCount: result.val.samples.length, skipped: result.skipped });
  if (result.train.samples.length === 0) {
    post({ type: 'error', error: { code: 'no-usable-images', message: `none of the ${imageCount} images can be used for training` } });
    return;
  }
  prepared = result;
}

function prepareDemo(hospital: number, hospitals: number): void {
  if (!study) {
    post({ type: 'error', error: { code: 'internal', message: 'look the study up before preparing the demo images' } });
    return;
  }
  prepared = undefined;
  const result = prepareDemoShard(hospital, hospitals, studyLib.horizontalStudy(study.info.config));
  offer(result, result.train.samples.length + result.val.samples.length);
}

async function join(resume: Extract<MainToWorker, { type: 'join' }>['resume'], label: string | undefined): Promise<void> {
  const backend = await backendReady;
  if (!study || !prepared || !backend) {
    post({ type: 'error', error: { code: 'internal', message: 'look the study up and prepare the images before joining' } });
    return;
  }
  session = new RelaySession({ joinCode: study.joinCode, origin: scope.location.origin, prepared, backend: backend.name, egress: study.egress, post, ...(label !== undefined ? { label } : {}) });
  if (!(await session.start(resume))) session = undefined;
}

/** Replies on `port` with this device's client segment(s) as files, or why there are none. */
async function exportSegments(port: MessagePort | undefined): Promise<void> {
  if (!port) {
    post({ type: 'error', error: { code: 'bad-message', message: 'export-segments needs a MessagePort for its reply' } });
    return;
  }
  const prefix = downloadPrefix(study?.info.id ?? 'study');
  const files = await session?.exportSegments(downloadWeightsFile(prefix));
  if (!files) {
    port.postMessage({ ok: false, error: { code: 'wrong-state', message: 'join the study first: the model segment exists once this device takes part' } } satisfies ExportedSegments);
    return;
  }
  const reply = segmentDownloads(prefix, files);
  port.postMessage(reply, reply.files.map((file) => file.bytes));
}

async function handle(message: MainToWorker, port: MessagePort | undefined): Promise<void> {
  switch (message.type) {
    case 'lookup':
      return lookup(message.joinCode);
    case 'prepare':
      return prepare(message.images);
    case 'prepare-demo':
      return prepareDemo(message.hospital, message.hospitals);
    case 'join':
      return join(message.resume, message.label);
    case 'pause':
      return session?.pause();
    case 'resume':
      return session?.resume();
    case 'leave':
      session?.leave();
      session = undefined;
      return;
    case 'withdraw':
      await session?.withdraw();
      return;
    case 'export-segments':
      return exportSegments(port);
  }
}

scope.addEventListener('message', (event) => {
  const parsed = parseMainToWorker(event.data);
  if (!parsed.ok) {
    post({ type: 'error', error: { code: 'bad-message', message: `the page sent a message the worker does not understand: ${parsed.error}` } });
    return;
  }
  handle(parsed.message, event.ports[0]).catch((error: unknown) => post({ type: 'error', error: { code: 'internal', message: describeFailure(error) } }));
});
