import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, Sample, SkippedFile } from '../../data/dataset';
import { createRng, deriveSeed, shuffled } from '../../data/random';
import { readTabularCsv } from '../../data/tabular';
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

/** A CSV party: its rows by patient id, raw feature values (each party scales its own, after alignment). */
export async function readCsvParty(spec: PartySpec, options: { idColumn: string; labelColumn?: string; classes?: readonly string[] }): Promise<PartyData> {
  const table = readTabularCsv(await readFile(spec.file, 'utf8'), {
    idColumn: options.idColumn,
    ...(spec.columns ? { columns: spec.columns } : {}),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    ...(options.classes ? { classes: options.classes } : {}),
  });
  const classes = table.classes ?? (options.classes ? [...options.classes] : []);
  const samples: Sample[] = table.rows.map((row) => ({ id: row.id, label: row.label ?? 0, values: row.values }));
  return { source: spec.file, data: { classes, sampleShape: [table.columns.length], samples }, features: table.columns, skipped: table.skipped };
}

export const BREAST_CANCER_FILE = 'breast-cancer-wisconsin.csv';
export const BREAST_CANCER_CLASSES = ['benign', 'malignant'];

/**
 * The breast-cancer table at two hospitals: the first holds the `mean_*` columns and the
 * diagnosis, the second the `*_error` and `worst_*` columns. With `share` < 1 each keeps a
 * different seeded share of the patients, so only some are held by both.
 */
export async function breastCancerParties(dataDir: string, share = 1, seed = 1): Promise<PartyData[]> {
  const file = path.join(dataDir, BREAST_CANCER_FILE);
  const header = (await readFile(file, 'utf8')).split('\n')[0]?.split(',').map((column) => column.trim()) ?? [];
  const mean = header.filter((column) => column.startsWith('mean_'));
  const rest = header.filter((column) => column.endsWith('_error') || column.startsWith('worst_'));
  const parties = [
    await readCsvParty({ file, columns: mean }, { idColumn: 'patient_id', labelColumn: 'diagnosis', classes: BREAST_CANCER_CLASSES }),
    await readCsvParty({ file, columns: rest }, { idColumn: 'patient_id', classes: BREAST_CANCER_CLASSES }),
  ];
  if (share >= 1) return parties;
  return parties.map((party, index) => {
    const kept = shuffled(party.data.samples, createRng(deriveSeed(seed, 'party-share', index))).slice(0, Math.round(party.data.samples.length * share));
    return { ...party, source: `${party.source} (${Math.round(share * 100)}% of patients)`, data: { ...party.data, samples: kept } };
  });
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
