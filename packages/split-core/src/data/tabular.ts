import Papa from 'papaparse';
import { matchClasses } from './classes';
import type { Sample, SkippedFile } from './dataset';

// A party's table of patients: one row per patient, an id column to align rows across
// parties, feature columns, and (at the label holder) a label column. Parsed with
// papaparse from the CSV text wherever it was read (a file picked in the browser, a path on
// disk). A row the study cannot use is skipped and listed with its reason, never fatal.

export interface TabularOptions {
  /** The column holding the patient id that rows are aligned by. */
  idColumn: string;
  /** Feature columns, in order; all numeric columns but the id and the label when absent. */
  columns?: readonly string[];
  /** The column holding the class; absent at a party without the labels. */
  labelColumn?: string;
  /** The study's classes, in label order; label cells are matched case-insensitively. */
  classes?: readonly string[];
  /** A table of labels only (the server's, in a vertical study it holds the labels of): no feature column needed. */
  labelsOnly?: boolean;
  /** Multi-task, at the label holder: each further task's label column and its classes. */
  tasks?: readonly { column: string; classes?: readonly string[] }[];
}

export interface TabularRow {
  id: string;
  values: Float32Array;
  /** Index into `classes`, where the table has the labels. */
  label?: number;
  /** Multi-task: each further task's label, an index into its classes. */
  tasks?: readonly number[];
}

export interface TabularTable {
  columns: string[];
  rows: TabularRow[];
  /** Rows left out, by CSV line, and why. */
  skipped: SkippedFile[];
  /** With a label column: the classes in label order (the declared ones, or those found, sorted). */
  classes?: string[];
  /** With task columns: each further task's classes, as `classes`. */
  taskClasses?: string[][];
}

export class TabularError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TabularError';
  }
}

const MAX_COLUMNS = 4096;

/** A record's cell, trimmed ('' when absent). */
export function cell(record: Record<string, unknown>, column: string): string {
  const value = record[column];
  return typeof value === 'string' ? value.trim() : '';
}

function isNumeric(text: string): boolean {
  return text !== '' && Number.isFinite(Number(text));
}

/** The column names on a CSV's first line (for choosing the id column before reading the rows). */
export function csvHeader(text: string): string[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { preview: 1, skipEmptyLines: 'greedy' });
  return (parsed.data[0] ?? []).map((field) => String(field).trim()).filter((field) => field !== '');
}

export interface CsvRecords {
  /** The header's column names, trimmed. */
  fields: string[];
  /** One record per non-empty line after the header, keyed by column name. */
  records: Record<string, unknown>[];
}

/** A CSV's header and records; throws TabularError when it has no header or too many columns. */
export function csvRecords(text: string): CsvRecords {
  const parsed = Papa.parse<Record<string, unknown>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transformHeader: (header) => header.trim() });
  const fields = parsed.meta.fields ?? [];
  if (fields.length === 0) throw new TabularError('the CSV has no header row: the first line must name the columns');
  if (fields.length > MAX_COLUMNS) throw new TabularError(`the CSV has ${fields.length} columns; at most ${MAX_COLUMNS} are read`);
  return { fields, records: parsed.data };
}

/** Throws TabularError naming the missing column and the columns the CSV has. */
export function requireColumn(fields: readonly string[], column: string, what: string): void {
  if (!fields.includes(column)) throw new TabularError(`there is no ${what} column "${column}" in the CSV (its columns: ${fields.slice(0, 40).join(', ')}${fields.length > 40 ? ', …' : ''})`);
}

/** CSV line of the record at `index`: the header is line 1. */
export function csvLine(index: number): string {
  return `line ${index + 2}`;
}

/**
 * Ids that appear on more than one record, with the index of each id's first record. A
 * duplicated id cannot say which of its rows is the patient's, so none of them is used.
 */
export function duplicateIds(records: readonly Record<string, unknown>[], idColumn: string): { duplicated: Set<string>; firstIndex: Map<string, number> } {
  const firstIndex = new Map<string, number>();
  const duplicated = new Set<string>();
  records.forEach((record, index) => {
    const id = cell(record, idColumn);
    if (id === '') return;
    if (firstIndex.has(id)) duplicated.add(id);
    else firstIndex.set(id, index);
  });
  return { duplicated, firstIndex };
}

/** Why a row with this id is left out, when the id is empty or duplicated. */
export function idProblem(id: string, index: number, idColumn: string, ids: ReturnType<typeof duplicateIds>): string | undefined {
  if (id === '') return `no value in the id column "${idColumn}"`;
  if (ids.duplicated.has(id)) return `id "${id}" appears on more than one line (first on ${csvLine(ids.firstIndex.get(id) ?? index)}): its rows cannot be told apart, so none is used`;
  return undefined;
}

/** Parses a party's CSV; throws TabularError for a table it cannot use at all (no id column, unknown columns). */
export function readTabularCsv(text: string, options: TabularOptions): TabularTable {
  const { fields, records } = csvRecords(text);
  const need = (column: string, what: string): void => requireColumn(fields, column, what);
  need(options.idColumn, 'id');
  if (options.labelColumn !== undefined) need(options.labelColumn, 'label');
  const tasks = options.tasks ?? [];
  for (const task of tasks) need(task.column, 'task label');
  const reserved = new Set([options.idColumn, options.labelColumn, ...tasks.map((task) => task.column)]);
  let columns: string[];
  if (options.labelsOnly) {
    if (options.labelColumn === undefined) throw new TabularError('a table of labels needs its label column');
    columns = [];
  } else if (options.columns) {
    for (const column of options.columns) need(column, 'feature');
    columns = [...options.columns];
  } else {
    // Every column whose filled cells are all numbers, besides the id and the label.
    columns = fields.filter((field) => !reserved.has(field) && records.some((record) => cell(record, field) !== '') && records.every((record) => cell(record, field) === '' || isNumeric(cell(record, field))));
  }
  if (columns.length === 0 && !options.labelsOnly) throw new TabularError(`no numeric feature column in the CSV besides "${options.idColumn}"${options.labelColumn ? ` and "${options.labelColumn}"` : ''}`);
  const classes = options.labelColumn !== undefined ? matchClasses(records.map((record) => cell(record, options.labelColumn as string)).filter((label) => label !== ''), options.classes) : undefined;
  const taskClasses = tasks.map((task) => matchClasses(records.map((record) => cell(record, task.column)).filter((label) => label !== ''), task.classes));

  const skipped: SkippedFile[] = [];
  const ids = duplicateIds(records, options.idColumn);
  const rows: TabularRow[] = [];
  records.forEach((record, index) => {
    const id = cell(record, options.idColumn);
    const skip = (reason: string): void => void skipped.push({ path: csvLine(index), reason });
    const problem = idProblem(id, index, options.idColumn, ids);
    if (problem !== undefined) return skip(problem);
    const values = new Float32Array(columns.length);
    for (const [c, column] of columns.entries()) {
      const text = cell(record, column);
      if (text === '') return skip(`missing value in column "${column}"`);
      if (!isNumeric(text)) return skip(`"${text.slice(0, 40)}" in column "${column}" is not a number`);
      values[c] = Number(text);
    }
    if (options.labelColumn === undefined || !classes) return void rows.push({ id, values });
    const name = cell(record, options.labelColumn);
    if (name === '') return skip(`no label in column "${options.labelColumn}"`);
    const label = classes.labels.get(name);
    if (label === undefined) return skip(`label "${name.slice(0, 40)}" is not one of the study's classes (${classes.classes.join(', ')})`);
    if (tasks.length === 0) return void rows.push({ id, values, label });
    const further: number[] = [];
    for (const [t, task] of tasks.entries()) {
      const taskName = cell(record, task.column);
      const match = taskClasses[t] as (typeof taskClasses)[number];
      if (taskName === '') return skip(`no label in task column "${task.column}"`);
      const taskLabel = match.labels.get(taskName);
      if (taskLabel === undefined) return skip(`"${taskName.slice(0, 40)}" in task column "${task.column}" is not one of its classes (${match.classes.join(', ')})`);
      further.push(taskLabel);
    }
    rows.push({ id, values, label, tasks: further });
  });
  return { columns, rows, skipped, ...(classes ? { classes: classes.classes } : {}), ...(tasks.length > 0 ? { taskClasses: taskClasses.map((match) => match.classes) } : {}) };
}

/** Column means and standard deviations over some rows: each party scales its own columns. */
export interface ColumnScaling {
  mean: Float32Array;
  std: Float32Array;
}

export function columnScaling(rows: readonly { values: Float32Array }[]): ColumnScaling {
  const width = rows[0]?.values.length ?? 0;
  const mean = new Float32Array(width);
  const std = new Float32Array(width);
  for (const row of rows) row.values.forEach((value, c) => (mean[c] = (mean[c] as number) + value / rows.length));
  for (const row of rows) row.values.forEach((value, c) => (std[c] = (std[c] as number) + ((value - (mean[c] as number)) ** 2) / rows.length));
  // A constant column is centred, not scaled.
  std.forEach((variance, c) => (std[c] = variance > 0 ? Math.sqrt(variance) : 1));
  return { mean, std };
}

/** Rows as samples of z-scored features (label 0 where the table has no labels). */
export function scaledSamples(rows: readonly TabularRow[], scaling: ColumnScaling): Sample[] {
  return rows.map((row) => ({ id: row.id, label: row.label ?? 0, ...(row.tasks ? { tasks: row.tasks } : {}), values: row.values.map((value, c) => (value - (scaling.mean[c] as number)) / (scaling.std[c] as number)) }));
}
