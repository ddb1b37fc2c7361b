import { data, study as studyLib, type protocol } from '@splitlearn/split-core';
import { chooseBackend } from './backend';
import { measureStepTime } from './step_time';
import { decodeImage } from './decode_image';
import { parseMainToWorker, type BackendChoice, type EnginePreference, type ExportedSegments, type MainToWorker, type TablePreview, type WorkerToMain } from './messages';
import { prepareDataset, type PreparedData } from './prepare_dataset';
import { prepareDemoShard } from './prepare_demo';
import { RelaySession, type SessionData } from './relay_session';
import { downloadPrefix, downloadWeightsFile, segmentDownloads } from './segment_download';
import { describeFailure } from './relay_errors';
import { filesBesideCsv, imageFileLoader } from './party_image_files';
import { lookupStudy } from './study_lookup';
import { toStudySummary } from './study_summary';
import { clientWeightLayout, egressInputFor } from '../lib/egress/egress_input';
import { describeEgress, type EgressInput } from '../lib/egress/what_leaves';

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
  /** Known once this device's role is: at lookup for a horizontal study, once a vertical party's table is read. */
  egress?: EgressInput;
}

let study: KnownStudy | undefined;
/** What this device will train on: prepared images, or a vertical party's rows. */
let prepared: SessionData | undefined;
let session: RelaySession | undefined;

/** Starts the engine the clinician chose and tells the page which one runs, and why (`replaced`: why not the one chosen). */
function startBackend(preference: EnginePreference, replaced?: string): Promise<BackendChoice | undefined> {
  return chooseBackend(preference).then(
    (chosen) => {
      const backend = replaced ? { ...chosen, replaced } : chosen;
      post({ type: 'backend', backend });
      return backend;
    },
    (error: unknown) => {
      post({ type: 'error', error: { code: 'backend-failed', message: describeFailure(error) } });
      return undefined;
    },
  );
}

let backendReady: Promise<BackendChoice | undefined> = startBackend('auto');

/** Another engine, before joining: the segments are built on the engine of the moment they are made. */
async function switchEngine(preference: EnginePreference): Promise<void> {
  if (session) {
    post({ type: 'error', error: { code: 'wrong-state', message: 'the training engine cannot change while this device takes part in a study: leave the study first, then choose the engine' } });
    return;
  }
  const current = await backendReady;
  if (current?.preference === preference) return;
  backendReady = startBackend(preference);
  await backendReady;
  if (study && measuredParty !== undefined) {
    stepTest = measureStep(study.info, measuredParty);
    await stepTest;
  }
}

/** This device's egress as party or position `party` (0 in a horizontal study, where every client holds the same segments). */
/** Whether the page wants step times (the booth's sixteen hospitals do not time theirs). */
let timingSteps = false;
/** Which measurement is the latest: an engine switch or another party makes earlier ones stale. */
let stepTimeRun = 0;
/** The party the last step time was measured as, for measuring again on another engine. */
let measuredParty: number | undefined;
/** The step test in progress: joining waits for it, since a failed test changes the engine the segments are built on. */
let stepTest: Promise<void> = Promise.resolve();

/** Times a client step of this study on the engine now running, and tells the page. */
async function measureStep(info: protocol.StudyInfo, party: number): Promise<void> {
  if (!timingSteps) return;
  const run = ++stepTimeRun;
  measuredParty = party;
  const backend = await backendReady;
  if (!backend || run !== stepTimeRun) return;
  try {
    const ms = await measureStepTime(info.config, party);
    if (run === stepTimeRun) post({ type: 'step-time', engine: backend.name, ms, batchSize: info.config.batchSize });
  } catch (error) {
    if (run !== stepTimeRun) return;
    // An engine that cannot take a test step would fail every round: WebAssembly takes over, and the page says why.
    if (backend.name === 'wasm' || backend.name === 'cpu') {
      post({ type: 'error', error: { code: 'internal', message: `could not time a training step on this engine: ${describeFailure(error)}` } });
      return;
    }
    const failed = backend.name === 'webgpu' ? 'WebGPU' : 'WebGL';
    backendReady = startBackend('wasm', `${failed} failed a test training step in this browser (${describeFailure(error)}), so WebAssembly runs instead`);
    await backendReady;
    await measureStep(info, party);
  }
}

async function egressAs(info: protocol.StudyInfo, party: number, alignmentRows?: number): Promise<EgressInput> {
  await backendReady;
  stepTest = measureStep(info, party);
  const plans = studyLib.studyRolePlans(info.config, () => party);
  const client = plans.client('');
  const intermediate = studyLib.isIntermediate(info.config, party);
  const vertical = studyLib.partiesStudy(info.config) && !intermediate ? { party, ...(alignmentRows !== undefined ? { alignmentRows } : {}) } : undefined;
  const position = studyLib.positionNames(info.config) ? party : undefined;
  return egressInputFor(info, { client, server: plans.server, holdsLabels: plans.holdsLabels('') }, clientWeightLayout(client), vertical, position);
}

async function describeStudy(joinCode: string, info: protocol.StudyInfo): Promise<void> {
  // A vertical party's egress depends on which party it is: stated once its table is read.
  const egress = studyLib.partiesStudy(info.config) ? undefined : await egressAs(info, 0);
  study = { joinCode, info, ...(egress ? { egress } : {}) };
  post({ type: 'study', study: toStudySummary(info), ...(egress ? { egress: describeEgress(egress) } : {}) });
}

async function lookup(joinCode: string): Promise<void> {
  const result = await lookupStudy(joinCode, scope.location.origin);
  if (!result.ok) {
    post({ type: 'error', error: result.error });
    return;
  }
  if (study?.info.id !== result.study.id) {
    prepared = undefined;
    chosenPosition = undefined;
  }
  await describeStudy(joinCode, result.study);
}

async function prepare({ images, uidLabels }: Extract<MainToWorker, { type: 'prepare' }>): Promise<void> {
  if (!study) {
    post({ type: 'error', error: { code: 'internal', message: 'look the study up before preparing images' } });
    return;
  }
  const config = studyLib.catalogueStudy(study.info.config);
  prepared = undefined;
  post({ type: 'decode-progress', done: 0, total: images.length });
  const result = await prepareDataset(
    images,
    config,
    decodeImage,
    (done, total) => {
      if (done % PROGRESS_EVERY === 0 || done === total) post({ type: 'decode-progress', done, total });
    },
    uidLabels,
  );
  offer(result, images.length);
}

/** Posts the dataset preview and keeps the data for joining, if any of it can train. */
function offer(result: PreparedData, imageCount: number): void {
  post({ type: 'dataset', classes: result.classes, trainCount: result.train.samples.length, valCount: result.val.samples.length, skipped: result.skipped, ...(result.notes ? { notes: result.notes } : {}), ...(result.uidsWithoutFile ? { uidsWithoutFile: result.uidsWithoutFile } : {}) });
  if (result.train.samples.length === 0) {
    post({ type: 'error', error: { code: 'no-usable-images', message: `none of the ${imageCount} images can be used for training` } });
    return;
  }
  prepared = { kind: 'images', prepared: result, ...(chosenPosition !== undefined ? { position: chosenPosition } : {}) };
}

/** The position this device takes in a study with positions (a multi-hop chain's, an extended study's intermediate participant). */
let chosenPosition: number | undefined;

/** Takes a position: an intermediate one needs no data (joining is possible at once); a data holder's images come with 'prepare'. */
async function preparePosition(position: number): Promise<void> {
  const info = study?.info;
  const names = info ? studyLib.positionNames(info.config) : undefined;
  if (!study || !info || !names) {
    post({ type: 'error', error: { code: 'internal', message: 'look up a study with positions before choosing one' } });
    return;
  }
  if (position >= names.length) {
    post({ type: 'error', error: { code: 'internal', message: `this study has no position ${position}: ${names.join(', ')}` } });
    return;
  }
  chosenPosition = position;
  const intermediate = studyLib.isIntermediate(info.config, position);
  if (intermediate) prepared = { kind: 'intermediate', position };
  else if (prepared?.kind === 'intermediate') prepared = undefined;
  else if (prepared?.kind === 'images') prepared = { ...prepared, position };
  const egress = await egressAs(info, position);
  if (chosenPosition !== position) return;
  study = { ...study, egress };
  post({ type: 'egress', egress: describeEgress(egress) });
}

function tablePreview(party: number, fileName: string, header: string[], idColumn: string): TablePreview {
  return { party, fileName, header, idColumn, columns: [], rows: 0, labelled: false, classCounts: {}, skipped: [] };
}

/**
 * Counts a vertical party's choices: decoding a folder of images takes a while, and a choice
 * made meanwhile (another folder, party or id column) must win over the one it replaced.
 */
let partyChoice = 0;

/** How a vertical party's CSV was chosen, for its preview. */
interface PartyCsv {
  /** The `partyChoice` it was made as. */
  choice: number;
  party: number;
  fileName: string;
  text: string;
  idColumn: string;
  /** An image party: its file column, image shape and how many files were chosen. */
  image?: TablePreview['image'];
}

/**
 * Reads a vertical party's rows with split-core's party rule (`read`), previews them, and
 * keeps them for joining: alike for a table party and an image party, whose rows the
 * RelaySession aligns and trains on the same way.
 */
async function offerPartyRows(csv: PartyCsv, read: () => Promise<studyLib.PartyRows>): Promise<void> {
  const info = study?.info;
  if (!study || !info || !studyLib.partiesStudy(info.config)) return;
  const preview = { ...tablePreview(csv.party, csv.fileName, data.csvHeader(csv.text), csv.idColumn), ...(csv.image ? { image: csv.image } : {}) };
  let rows: studyLib.PartyRows;
  try {
    rows = await read();
  } catch (error) {
    if (csv.choice !== partyChoice) return;
    const problem = describeFailure(error);
    post({ type: 'table', table: { ...preview, problem } });
    post({ type: 'error', error: { code: 'unusable-table', message: `${csv.fileName}: ${problem}` } });
    return;
  }
  if (csv.choice !== partyChoice) return;
  const classCounts = rows.labelled ? data.classCounts(rows.data) : {};
  post({ type: 'table', table: { ...preview, columns: rows.columns, rows: rows.data.samples.length, labelled: rows.labelled, classCounts, skipped: rows.skipped } });
  if (rows.data.samples.length === 0) {
    post({ type: 'error', error: { code: 'unusable-table', message: `${csv.fileName}: none of its rows can be used (each skipped row is listed with its reason)` } });
    return;
  }
  const egress = await egressAs(info, csv.party, rows.data.samples.length);
  if (csv.choice !== partyChoice) return;
  study = { ...study, egress };
  post({ type: 'egress', egress: describeEgress(egress) });
  prepared = { kind: 'table', party: csv.party, rows: rows.data, labelled: rows.labelled };
}

/** The looked-up study when it is vertical; otherwise says so and gives undefined. */
function verticalStudy(what: string): studyLib.PartiesStudyConfig | undefined {
  const config = study?.info.config;
  const parties = config ? studyLib.partiesStudy(config) : undefined;
  if (parties) return parties;
  post({ type: 'error', error: { code: 'internal', message: `look up a vertical study before choosing ${what}` } });
  return undefined;
}

/** A vertical table party's CSV. */
async function prepareTable(message: Extract<MainToWorker, { type: 'prepare-table' }>): Promise<void> {
  const config = verticalStudy('a table');
  if (!config) return;
  const choice = ++partyChoice;
  prepared = undefined;
  const text = await message.table.text();
  const idColumn = message.idColumn ?? config.idColumn;
  await offerPartyRows({ choice, party: message.party, fileName: message.fileName, text, idColumn }, () => Promise.resolve(studyLib.partyRowsFromCsv(config, message.party, text, { idColumn })));
}

/** A vertical image party's mapping CSV and the files it names, decoded here with progress. */
async function preparePartyImages(message: Extract<MainToWorker, { type: 'prepare-party-images' }>): Promise<void> {
  const config = verticalStudy('images');
  if (!config) return;
  const choice = ++partyChoice;
  prepared = undefined;
  const text = await message.csv.text();
  const idColumn = message.idColumn ?? config.idColumn;
  const input = config.parties[message.party]?.input;
  const image = input && 'image' in input ? { fileColumn: config.fileColumn, shape: input.image, files: message.images.length } : undefined;
  const loadImage = imageFileLoader(filesBesideCsv(message.csvName, message.images));
  await offerPartyRows({ choice, party: message.party, fileName: message.csvName, text, idColumn, ...(image ? { image } : {}) }, () =>
    studyLib.partyRowsFromImages(config, message.party, text, loadImage, {
      idColumn,
      onProgress: (done, total) => {
        if (choice === partyChoice && (done % PROGRESS_EVERY === 0 || done === total)) post({ type: 'decode-progress', done, total });
      },
    }),
  );
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

async function join({ resume, label, studyKey }: Extract<MainToWorker, { type: 'join' }>): Promise<void> {
  await stepTest;
  const backend = await backendReady;
  if (!study?.egress || !prepared || !backend) {
    post({ type: 'error', error: { code: 'internal', message: 'look the study up and prepare your data before joining' } });
    return;
  }
  session = new RelaySession({ joinCode: study.joinCode, origin: scope.location.origin, data: prepared, backend: backend.name, egress: study.egress, post, ...(label !== undefined ? { label } : {}), ...(studyKey !== undefined ? { studyKey } : {}) });
  if (!(await session.start(resume))) session = undefined;
}

/** Replies on `port` with this device's client segment(s) as files, or why there are none. */
async function exportSegments(port: MessagePort | undefined): Promise<void> {
  if (!port) {
    post({ type: 'error', error: { code: 'bad-message', message: 'export-segments needs a MessagePort for its reply' } });
    return;
  }
  const prefix = downloadPrefix(study?.info.id ?? 'study');
  let files: Awaited<ReturnType<RelaySession['exportSegments']>>;
  try {
    files = await session?.exportSegments(downloadWeightsFile(prefix));
  } catch (error) {
    // Always answer on the port: the page waits for this reply, not for the event stream.
    port.postMessage({ ok: false, error: { code: 'wrong-state', message: describeFailure(error) } } satisfies ExportedSegments);
    return;
  }
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
    case 'engine':
      return switchEngine(message.preference);
    case 'time-steps':
      timingSteps = true;
      return;
    case 'prepare':
      return prepare(message);
    case 'prepare-table':
      return prepareTable(message);
    case 'prepare-party-images':
      return preparePartyImages(message);
    case 'prepare-demo':
      return prepareDemo(message.hospital, message.hospitals);
    case 'prepare-position':
      return preparePosition(message.position);
    case 'join':
      return join(message);
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
