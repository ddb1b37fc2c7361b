import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, SkippedFile } from '../../data/dataset';
import { generateDemoShard } from '../../data/demo_shard';
import { localValidationSplit } from '../../data/local_validation';
import { catalogueStudy, partiesStudy, type PartiesStudyConfig } from '../../study/config';
import { isIntermediate } from '../../study/positions';
import { partyProblem } from '../../study/groups';
import { partyRowsFromImages } from '../../study/party_images';
import { partyRowsFromCsv } from '../../study/party_rows';
import type { StudyInfo } from '../../protocol/messages';
import { readImageFolder, type FileNote } from '../data/image_folder';
import { imageFileLoader } from '../data/party_image_files';

export { DEMO_DATA_SEED } from '../../data/demo_shard';

export interface LocalData {
  train: Dataset;
  val: Dataset;
  /** A vertical party's rows by patient id, to be aligned with the other parties' (train and val are then empty). */
  rows?: Dataset;
  /** Whether `rows` carry the labels (the label holder). */
  labelled?: boolean;
  skipped: SkippedFile[];
  unknownClasses: string[];
  /** Files used with a remark (a multi-frame DICOM's first frame). */
  notes?: FileNote[];
  /** With a labels CSV: its rows that name no file found. */
  unlistedRows?: string[];
}

export interface LocalDataOptions {
  /** An ImageFolder directory, or 'demo' for a shard of the generated dataset. */
  source: string;
  /** A CSV labelling the images in `source` by path, file name or SOP Instance UID (folder names are then not labels). */
  labels?: string;
  /** With 'demo': which of `count` IID shards of the demo training images this client holds. */
  shard?: { index: number; count: number };
  /** In a vertical study: which party this client is; `source` is then its CSV (an image party's: id and image file per patient). */
  party?: number;
}

/**
 * Loads a client's labelled images for a study (converted to the study's input, classes
 * matched to the study's declared ones) and keeps a stratified share on the device for
 * validation, as the study asks.
 */
export async function loadLocalData(study: StudyInfo, options: LocalDataOptions): Promise<LocalData> {
  // An intermediate participant (extended vanilla's, a multi-hop hop) holds no data of its own.
  if (isIntermediate(study.config, options.party)) {
    const none: Dataset = { classes: [...study.config.classes], sampleShape: [], samples: [] };
    return { train: none, val: none, skipped: [], unknownClasses: [] };
  }
  const parties = partiesStudy(study.config);
  if (parties && options.source === '') throw new Error('--data is required: this party\u2019s CSV');
  if (options.labels !== undefined && (options.source === 'demo' || parties)) throw new Error(`--labels labels a folder of images (--data DIR)${parties ? ': a vertical party\u2019s CSV holds its own labels' : ''}`);
  if (parties) return loadPartyRows(parties, options);
  if (options.source === '') throw new Error('--data is required: a folder of labelled images, demo, or (with --party) the party\u2019s CSV');
  const problem = partyProblem(study.config, options.party);
  if (problem) throw new Error(`${problem} (--party N)`);
  const config = catalogueStudy(study.config);
  const [height = 28, , channels = 1] = config.inputShape;
  let all: Dataset;
  let skipped: SkippedFile[] = [];
  let unknownClasses: string[] = [];
  let notes: FileNote[] = [];
  let unlistedRows: string[] = [];
  if (options.source === 'demo') {
    // Only this client's shard is rendered (the same images the booth demo's hospital holds).
    const shard = options.shard ?? { index: 0, count: 1 };
    all = generateDemoShard({ hospital: shard.index, hospitals: shard.count, size: height, channels: channels === 3 ? 3 : 1 });
  } else {
    const read = await readImageFolder(options.source, { sampleShape: config.inputShape as [number, number, number], classes: config.classes, ...(options.labels !== undefined ? { labels: options.labels } : {}) });
    all = read.dataset;
    skipped = read.skipped;
    unknownClasses = read.unknownClasses;
    notes = read.notes;
    unlistedRows = read.unlistedRows ?? [];
  }
  const split = localValidationSplit(all.samples, config);
  return { train: { ...all, samples: split.train }, val: { ...all, samples: split.val }, skipped, unknownClasses, ...(notes.length > 0 ? { notes } : {}), ...(unlistedRows.length > 0 ? { unlistedRows } : {}) };
}

/**
 * A vertical party's CSV: a table party's columns of the study, or an image party's mapping
 * of patient id to image file (relative to the CSV's folder); the labels where it holds them.
 */
async function loadPartyRows(config: PartiesStudyConfig, options: LocalDataOptions): Promise<LocalData> {
  const problem = partyProblem(config, options.party);
  if (problem) throw new Error(`${problem} (--party N)`);
  const party = options.party as number;
  const input = config.parties[party]?.input;
  const isImageParty = input !== undefined && 'image' in input;
  const text = await readPartyCsv(options.source, isImageParty);
  const read = isImageParty
    ? await partyRowsFromImages(config, party, text, imageFileLoader(path.dirname(options.source)))
    : partyRowsFromCsv(config, party, text);
  const empty: Dataset = { classes: config.classes, sampleShape: read.data.sampleShape, samples: [] };
  return { train: empty, val: empty, rows: read.data, labelled: read.labelled, skipped: read.skipped, unknownClasses: [] };
}

async function readPartyCsv(source: string, isImageParty: boolean): Promise<string> {
  const what = isImageParty ? 'the mapping CSV of this image party (a patient id column and a file column naming each image, relative to the CSV’s folder)' : 'this party’s CSV';
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? String(error)})`;
    throw new Error(`--data "${source}" ${problem}: give ${what}`, { cause: error });
  }
}
