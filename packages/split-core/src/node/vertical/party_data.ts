import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, Sample, SkippedFile } from '../../data/dataset';
import { createRng, deriveSeed, shuffled } from '../../data/random';
import { readTabularCsv } from '../../data/tabular';
import { generateDemoDataset } from '../../data/demo';
import { DEMO_DATA_SEED } from '../../data/demo_shard';
import { readImageFolder } from '../data/image_folder';

// The data each party of a vertically partitioned study holds on disk, for the simulator and
// the Node client: a CSV of patients (an id column, feature columns, at the label holder a
// label column), or images named by patient. Plus two demonstrations on the shared data:
// the breast-cancer table split by column groups, and chest X-rays split into halves.

export interface PartyData {
  /** What the rows came from, for messages. */
  source: string;
  /** Samples keyed by patient id (label 0 at a party without the labels). */
  data: Dataset;
  /** Column names (tables) or the image region (images). */
  features: string[];
  skipped: SkippedFile[];
}

export interface PartySpec {
  file: string;
  /** Feature columns; every numeric column when absent. */
  columns?: string[];
}

/** A CSV party: its rows by patient id, raw feature values (each party scales its own, after alignment); at a multi-task label holder, `tasks` names each further task and its column. */
export async function readCsvParty(spec: PartySpec, options: { idColumn: string; labelColumn?: string; classes?: readonly string[]; tasks?: readonly { name: string; column: string }[] }): Promise<PartyData> {
  const tasks = options.tasks ?? [];
  const table = readTabularCsv(await readFile(spec.file, 'utf8'), {
    idColumn: options.idColumn,
    ...(spec.columns ? { columns: spec.columns } : {}),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    ...(options.classes ? { classes: options.classes } : {}),
    ...(tasks.length > 0 ? { tasks: tasks.map((task) => ({ column: task.column })) } : {}),
  });
  const classes = table.classes ?? (options.classes ? [...options.classes] : []);
  const samples: Sample[] = table.rows.map((row) => ({ id: row.id, label: row.label ?? 0, ...(row.tasks ? { tasks: row.tasks } : {}), values: row.values }));
  const taskClasses = table.taskClasses ?? [];
  return {
    source: spec.file,
    data: { classes, ...(tasks.length > 0 ? { tasks: tasks.map((task, t) => ({ name: task.name, classes: taskClasses[t] ?? [] })) } : {}), sampleShape: [table.columns.length], samples },
    features: table.columns,
    skipped: table.skipped,
  };
}

export const BREAST_CANCER_FILE = 'breast-cancer-wisconsin.csv';
export const BREAST_CANCER_CLASSES = ['benign', 'malignant'];

/**
 * The breast-cancer table at two hospitals: the first holds the `mean_*` columns and the
 * diagnosis, the second the `*_error` and `worst_*` columns. With `share` < 1 each keeps a
 * different seeded share of the patients, so only some are held by both.
 */
export async function breastCancerParties(dataDir: string, share = 1, seed = 1, options: { textureTask?: boolean } = {}): Promise<PartyData[]> {
  const file = path.join(dataDir, BREAST_CANCER_FILE);
  const header = (await readFile(file, 'utf8')).split('\n')[0]?.split(',').map((column) => column.trim()) ?? [];
  // The texture task's source columns are nobody's features: the task would be a copy of one.
  const kept = options.textureTask ? header.filter((column) => !column.includes('texture')) : header;
  const mean = kept.filter((column) => column.startsWith('mean_'));
  const rest = kept.filter((column) => column.endsWith('_error') || column.startsWith('worst_'));
  const labelled = await readCsvParty({ file, columns: mean }, { idColumn: 'patient_id', labelColumn: 'diagnosis', classes: BREAST_CANCER_CLASSES });
  const parties = [
    options.textureTask ? await withTextureTask(file, labelled) : labelled,
    await readCsvParty({ file, columns: rest }, { idColumn: 'patient_id', classes: BREAST_CANCER_CLASSES }),
  ];
  if (share >= 1) return parties;
  return parties.map((party, index) => {
    const kept = shuffled(party.data.samples, createRng(deriveSeed(seed, 'party-share', index))).slice(0, Math.round(party.data.samples.length * share));
    return { ...party, source: `${party.source} (${Math.round(share * 100)}% of patients)`, data: { ...party.data, samples: kept } };
  });
}

/**
 * The breast-cancer table's second task, for multi-task split learning: whether a mass's
 * texture (the standard deviation of its gray levels, `mean_texture`) is above the table's
 * median ('coarse') or not ('smooth'). No party holds a texture column then.
 */
export const BREAST_CANCER_TEXTURE_TASK = { name: 'texture', classes: ['smooth', 'coarse'] } as const;

async function withTextureTask(file: string, party: PartyData): Promise<PartyData> {
  const table = readTabularCsv(await readFile(file, 'utf8'), { idColumn: 'patient_id', columns: ['mean_texture'] });
  const texture = new Map(table.rows.map((row) => [row.id, row.values[0] as number]));
  const sorted = [...texture.values()].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const samples = party.data.samples.map((sample) => ({ ...sample, tasks: [(texture.get(sample.id) ?? 0) > median ? 1 : 0] }));
  return { ...party, data: { ...party.data, tasks: [{ name: BREAST_CANCER_TEXTURE_TASK.name, classes: [...BREAST_CANCER_TEXTURE_TASK.classes] }], samples } };
}

/**
 * The generated demo images at two parties, the left half of every image at the first (with
 * the diagnosis and the demo's second task, the lesion's side), the right half at the second.
 * Training images only: the parties keep a share for validation, as in any study with parties.
 */
export function demoHalvesParties(): PartyData[] {
  const { train } = generateDemoDataset({ seed: DEMO_DATA_SEED });
  const half = (side: 0 | 1): PartyData => ({
    source: `generated demo images (${side === 0 ? 'left' : 'right'} halves)`,
    data: {
      classes: train.classes,
      ...(side === 0 && train.tasks ? { tasks: train.tasks } : {}),
      sampleShape: [28, 14, 1],
      samples: train.samples.map((sample) => ({ id: sample.id, label: side === 0 ? sample.label : 0, ...(side === 0 && sample.tasks ? { tasks: sample.tasks } : {}), values: columnsOf(sample.values, [28, 28, 1], side * 14, side * 14 + 14) })),
    },
    features: [side === 0 ? 'image columns 0-13' : 'image columns 14-27'],
    skipped: [],
  });
  return [half(0), half(1)];
}

/**
 * The parties with the labels moved from the one holding them to the server: the server's
 * table (ids and labels, no values) and the parties, none labelled. For the demos run with
 * --label-holder server.
 */
export function labelsToServer(parties: readonly PartyData[], holder = 0): { parties: PartyData[]; labels: Dataset } {
  const source = parties[holder];
  if (!source) throw new Error(`there is no party ${holder} to take the labels from`);
  const labels: Dataset = { classes: source.data.classes, sampleShape: [0], samples: source.data.samples.map((sample) => ({ id: sample.id, label: sample.label, values: new Float32Array(0) })) };
  const unlabelled = parties.map((party, index) => (index === holder ? { ...party, data: { ...party.data, samples: party.data.samples.map((sample) => ({ ...sample, label: 0 })) } } : party));
  return { parties: unlabelled, labels };
}

/** The server's table of labels: a CSV of patient id and label (--labels FILE). */
export async function readLabelTable(file: string, options: { idColumn: string; labelColumn: string; classes?: readonly string[] }): Promise<{ labels: Dataset; skipped: SkippedFile[] }> {
  const table = readTabularCsv(await readFile(file, 'utf8'), { idColumn: options.idColumn, labelColumn: options.labelColumn, labelsOnly: true, ...(options.classes ? { classes: options.classes } : {}) });
  return { labels: { classes: table.classes ?? [], sampleShape: [0], samples: table.rows.map((row) => ({ id: row.id, label: row.label ?? 0, values: row.values })) }, skipped: table.skipped };
}

/** Columns [from, to) of a row-major [h, w, c] image. */
function columnsOf(values: Float32Array, [height, width, channels]: readonly number[], from: number, to: number): Float32Array {
  const out = new Float32Array((height ?? 0) * (to - from) * (channels ?? 1));
  let k = 0;
  for (let y = 0; y < (height ?? 0); y++) for (let x = from; x < to; x++) for (let c = 0; c < (channels ?? 1); c++) out[k++] = values[(y * (width ?? 0) + x) * (channels ?? 1) + c] as number;
  return out;
}

/** Chest X-rays at two parties: the left half of every image at the first (with the labels), the right half at the second. */
export async function xrayHalvesParties(imageDir: string): Promise<PartyData[]> {
  const read = await readImageFolder(imageDir, { sampleShape: [28, 28, 1] });
  const { classes, samples } = read.dataset;
  const half = (side: 0 | 1): PartyData => ({
    source: `${imageDir} (${side === 0 ? 'left' : 'right'} halves)`,
    data: { classes, sampleShape: [28, 14, 1], samples: samples.map((sample) => ({ id: sample.id, label: side === 0 ? sample.label : 0, values: columnsOf(sample.values, [28, 28, 1], side * 14, side * 14 + 14) })) },
    features: [side === 0 ? 'image columns 0-13' : 'image columns 14-27'],
    skipped: read.skipped,
  });
  return [half(0), half(1)];
}
