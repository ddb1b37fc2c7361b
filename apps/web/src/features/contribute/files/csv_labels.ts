// Label manifests exported by hospital systems and spreadsheets: `file,label` rows, an
// optional header, quoted fields (RFC 4180: "" inside quotes is a quote, and a quoted field
// may hold commas and line breaks), CRLF line ends and the UTF-8 byte-order mark that Excel
// writes. Semicolon or tab separated files (Excel in many European locales) are accepted when
// the first line holds no comma.

export interface CsvLabel {
  file: string;
  label: string;
}

export interface CsvProblem {
  /** 1-based line where the record starts. */
  line: number;
  reason: string;
}

export interface CsvLabels {
  rows: CsvLabel[];
  problems: CsvProblem[];
}

const FILE_HEADERS = new Set(['file', 'filename', 'file_name', 'filepath', 'file_path', 'path', 'image', 'image_path', 'image_id', 'name']);
const LABEL_HEADERS = new Set(['label', 'class', 'class_name', 'category', 'diagnosis', 'target']);

function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes(';')) return ';';
  if (firstLine.includes('\t')) return '\t';
  return ',';
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records of raw fields; fails only on an unterminated quote. */
export function parseCsvRecords(input: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = (): void => {
    fields.push(field);
    // A blank line is not a record (trailing newline, spacing between blocks).
    if (fields.length > 1 || (fields[0] ?? '').trim() !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      // CRLF: handled at the '\n'.
    } else if (char === '\n' || char === '\r') {
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
    }
    i += 1;
  }
  if (quoted) problems.push({ line: recordLine, reason: 'a quoted field is never closed (missing ")' });
  else endRecord();
  return { records, problems };
}

function isHeader(fields: readonly string[]): boolean {
  const [first = '', second = ''] = fields.map((field) => field.trim().toLowerCase());
  return FILE_HEADERS.has(first) || LABEL_HEADERS.has(second) || (LABEL_HEADERS.has(first) && FILE_HEADERS.has(second));
}

/** Parses a `file,label` manifest. A header row, when present, may name the columns in any order. */
export function parseCsvLabels(text: string): CsvLabels {
  const { records, problems } = parseCsvRecords(text);
  let fileColumn = 0;
  let labelColumn = 1;
  let body = records;
  const first = records[0];
  if (first && isHeader(first.fields)) {
    const names = first.fields.map((field) => field.trim().toLowerCase());
    const namedFile = names.findIndex((name) => FILE_HEADERS.has(name));
    const namedLabel = names.findIndex((name) => LABEL_HEADERS.has(name));
    if (namedFile >= 0) fileColumn = namedFile;
    if (namedLabel >= 0) labelColumn = namedLabel;
    body = records.slice(1);
  }
  const rows: CsvLabel[] = [];
  for (const record of body) {
    const file = (record.fields[fileColumn] ?? '').trim();
    const label = (record.fields[labelColumn] ?? '').trim();
    if (file === '') problems.push({ line: record.line, reason: 'no file name' });
    else if (label === '') problems.push({ line: record.line, reason: `no label for ${file}` });
    else rows.push({ file, label });
  }
  return { rows, problems };
}
