// Study ids and blob names become path segments under the data directory. They are checked
// against a whitelist, never sanitized: "../x", "a/b", "" or a name starting with a dot is an
// error, so nothing outside <dataDir>/checkpoints/<studyId>/ can ever be read or written.

const STUDY_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const BLOB_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export const MANIFEST_FILE_NAME = 'manifest.json';
/** Prefixes of work directories; a dot keeps them apart from every `round-<n>` name. */
export const STAGING_PREFIX = '.staging-';
export const TRASH_PREFIX = '.trash-';

const ROUND_DIRECTORY_PATTERN = /^round-(0|[1-9][0-9]{0,15})$/;

export function assertStudyId(studyId: unknown): asserts studyId is string {
  if (typeof studyId !== 'string' || !STUDY_ID_PATTERN.test(studyId)) {
    throw new RangeError(`Checkpoint study id ${JSON.stringify(studyId)} must be 1-128 characters of A-Z a-z 0-9 _ -.`);
  }
}

export function assertRound(round: unknown): asserts round is number {
  if (typeof round !== 'number' || !Number.isSafeInteger(round) || round < 0) {
    throw new RangeError(`Checkpoint round ${String(round)} must be a non-negative integer.`);
  }
}

export function isBlobName(name: string): boolean {
  return BLOB_NAME_PATTERN.test(name) && name !== MANIFEST_FILE_NAME;
}

export function assertBlobName(name: string): void {
  if (!isBlobName(name)) {
    throw new RangeError(
      `Checkpoint blob name ${JSON.stringify(name)} must be 1-128 characters of A-Z a-z 0-9 . _ -, ` +
        `not start with a dot, and not be ${MANIFEST_FILE_NAME}.`,
    );
  }
}

export function roundDirectoryName(round: number): string {
  return `round-${round}`;
}

/** The round a directory entry holds, or undefined for anything else (work dirs, stray files). */
export function parseRoundDirectoryName(entry: string): number | undefined {
  const match = ROUND_DIRECTORY_PATTERN.exec(entry);
  if (match?.[1] === undefined) return undefined;
  const round = Number(match[1]);
  return Number.isSafeInteger(round) ? round : undefined;
}
