import Papa from 'papaparse';

// Label manifests as hospital systems and spreadsheets export them: `key,label` rows, where
// the key names an image by its path, its file name or (for DICOM) its SOP Instance UID; an
// optional header naming the columns in any order; quoted fields, CRLF line ends, the UTF-8
// byte-order mark Excel writes, and semicolon or tab separators (Excel in many European
// locales). Parsed with papaparse; a row that cannot be used is listed with its line.

export interface ManifestRow {
  /** A path, a file name, or a DICOM SOP Instance UID. */
  key: string;
  label: string;
  /** 1-based line where the record starts. */
  line: number;
}

export interface ManifestProblem {
  line: number;
  reason: string;
}

export interface LabelManifest {
  rows: ManifestRow[];
  problems: ManifestProblem[];
}

const FILE_HEADERS = ['file', 'filename', 'file_name', 'filepath', 'file_path', 'path', 'image', 'image_path', 'image_id', 'name'];
/** What DICOM tools call the SOP Instance UID column (0008,0018), compared without spaces, dashes or underscores. */
const UID_HEADERS = ['sopinstanceuid', 'instanceuid', 'uid', '00080018', '(0008,0018)'];
const LABEL_HEADERS = new Set(['label', 'class', 'class_name', 'category', 'diagnosis', 'target']);

function headerName(field: string): string {
  return field.trim().toLowerCase();
}

function isKeyHeader(name: string): boolean {
  return FILE_HEADERS.includes(name) || UID_HEADERS.includes(name.replace(/[\s_-]/g, ''));
}

function isHeader(fields: readonly string[]): boolean {
  const [first = '', second = ''] = fields.map(headerName);
  return isKeyHeader(first) || LABEL_HEADERS.has(second) || (LABEL_HEADERS.has(first) && isKeyHeader(second));
}

/** A DICOM UID (PS3.5 9.1): numeric components without leading zeros, joined by dots, at most 64 characters. */
export function isDicomUid(key: string): boolean {
  return key.length <= 64 && /^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/.test(key);
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records with the line each starts on; a record with an unclosed quote is a problem, not a row. */
function csvRecords(input: string): { records: CsvRecord[]; problems: ManifestProblem[] } {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  const problems: ManifestProblem[] = [];
  let end = 0;
  let line = 1;
  Papa.parse<string[]>(text, {
    skipEmptyLines: 'greedy',
    step: (result) => {
      // Papaparse gives where a record ends; it starts after the blank lines skipped before it.
      let start = end;
      for (;;) {
        const newline = text.indexOf('\n', start);
        if (newline < 0 || text.slice(start, newline).trim() !== '') break;
        line += 1;
        start = newline + 1;
      }
      const recordLine = line;
      end = result.meta.cursor;
      for (let i = start; i < end; i++) if (text[i] === '\n') line += 1;
      if (result.errors.some((error) => error.code === 'MissingQuotes')) problems.push({ line: recordLine, reason: 'a quoted field is never closed (missing ")' });
      else records.push({ line: recordLine, fields: result.data });
    },
  });
  return { records, problems };
}

/** Parses a `key,label` manifest. A header row, when present, may name the columns in any order. */
export function parseLabelManifest(text: string): LabelManifest {
  const { records, problems } = csvRecords(text);
  let keyColumn = 0;
  let labelColumn = 1;
  let body = records;
  const first = records[0];
  if (first && isHeader(first.fields)) {
    const names = first.fields.map(headerName);
    const namedKey = names.findIndex(isKeyHeader);
    const namedLabel = names.findIndex((name) => LABEL_HEADERS.has(name));
    if (namedKey >= 0) keyColumn = namedKey;
    if (namedLabel >= 0) labelColumn = namedLabel;
    body = records.slice(1);
  }
  const rows: ManifestRow[] = [];
  for (const record of body) {
    const key = (record.fields[keyColumn] ?? '').trim();
    const label = (record.fields[labelColumn] ?? '').trim();
    if (key === '') problems.push({ line: record.line, reason: 'no file name or SOP Instance UID' });
    else if (label === '') problems.push({ line: record.line, reason: `no label for ${key}` });
    else rows.push({ key, label, line: record.line });
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems };
}
