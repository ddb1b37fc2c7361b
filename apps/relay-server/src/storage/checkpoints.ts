import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from './clock';
import { CheckpointCorruptionError } from './errors';
import { encodeJson, type JsonValue } from './row_codec';
import { syncDirectory, writeFileDurably } from './durable_files';
import { DATA_DIR_MODE } from './database';
import {
  assertBlobName,
  assertRound,
  assertStudyId,
  MANIFEST_FILE_NAME,
  parseRoundDirectoryName,
  roundDirectoryName,
  STAGING_PREFIX,
  TRASH_PREFIX,
} from './checkpoint_names';
import { CHECKPOINT_FORMAT, decodeManifest, describeBlob, verifyBlob, type CheckpointManifest } from './checkpoint_manifest';

export interface CheckpointContents {
  /** The caller's JSON: step counters, optimizer settings, which blob is which segment. Null when absent. */
  manifest?: JsonValue;
  /** Binary payloads by file name, e.g. 'server-segment0.bin', 'client-segment0.bin', 'optimizer.json'. */
  blobs: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
}

export interface Checkpoint {
  studyId: string;
  round: number;
  createdAt: number;
  manifest: JsonValue;
  blobs: Map<string, Uint8Array>;
}

export interface CheckpointStoreOptions {
  /** How many checkpoints per study survive a save: those of the highest rounds. */
  keep?: number;
  now?: Clock;
}

export const CHECKPOINTS_DIRECTORY = 'checkpoints';

/**
 * Checkpoints as files: `<dataDir>/checkpoints/<studyId>/round-<n>/` holding manifest.json
 * and the blobs. A checkpoint is written into a `.staging-*` directory, flushed, then renamed
 * into place, so a `round-<n>` directory is always complete; work directories a crash leaves
 * behind are ignored and removed on the study's next save or latest().
 *
 * Operations on one study run one at a time within this store; two processes must not share
 * a study's checkpoints (the relay keeps each study on one process).
 */
export class CheckpointStore {
  readonly directory: string;
  readonly keep: number;
  readonly #now: Clock;
  readonly #queues = new Map<string, Promise<void>>();

  constructor(dataDir: string, options: CheckpointStoreOptions = {}) {
    const keep = options.keep ?? 3;
    if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`CheckpointStore keep must be an integer >= 1, got ${keep}.`);
    this.directory = join(dataDir, CHECKPOINTS_DIRECTORY);
    this.keep = keep;
    this.#now = options.now ?? systemClock;
  }

  /**
   * Saving a round that already exists replaces it. Then prunes to the `keep` highest rounds
   * and the rounds in `keepAlso` (the study's best round, which exports default to).
   */
  async save(studyId: string, round: number, contents: CheckpointContents, options: { keepAlso?: readonly number[] } = {}): Promise<{ studyId: string; round: number; createdAt: number }> {
    assertStudyId(studyId);
    assertRound(round);
    const blobs: Array<[string, Uint8Array]> = isReadonlyMap(contents.blobs) ? [...contents.blobs] : Object.entries(contents.blobs);
    for (const [name, data] of blobs) {
      assertBlobName(name);
      if (!(data instanceof Uint8Array)) throw new TypeError(`Checkpoint blob ${name} must be a Uint8Array.`);
    }
    const createdAt = this.#now();
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      studyId,
      round,
      createdAt,
      manifest: contents.manifest ?? null,
      blobs: blobs.map(([name, data]) => describeBlob(name, data)),
    };
    const manifestText = encodeJson(manifest, 'checkpoint manifest');

    return this.#exclusive(studyId, async () => {
      const studyDirectory = await this.#ensureStudyDirectory(studyId);
      await removeWorkDirectories(studyDirectory);
      const staging = join(studyDirectory, `${STAGING_PREFIX}${roundDirectoryName(round)}-${randomBytes(6).toString('hex')}`);
      const target = join(studyDirectory, roundDirectoryName(round));
      const replaced = join(studyDirectory, `${TRASH_PREFIX}${roundDirectoryName(round)}-${randomBytes(6).toString('hex')}`);
      let replacing = false;
      await mkdir(staging, { mode: DATA_DIR_MODE });
      try {
        for (const [name, data] of blobs) await writeFileDurably(join(staging, name), data);
        await writeFileDurably(join(staging, MANIFEST_FILE_NAME), manifestText);
        await syncDirectory(staging);
        // rename() cannot replace a non-empty directory, so an existing round moves aside
        // first. A crash between the two renames loses that round but never exposes a partial one.
        if (await isDirectory(target)) {
          await rename(target, replaced);
          replacing = true;
        }
        await rename(staging, target);
        await syncDirectory(studyDirectory);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        if (replacing) await rename(replaced, target).catch(() => undefined);
        throw error;
      }
      if (replacing) await rm(replaced, { recursive: true, force: true });
      await this.#prune(studyDirectory, options.keepAlso ?? []);
      return { studyId, round, createdAt };
    });
  }

  /** Complete checkpoints of the study, ascending. */
  async rounds(studyId: string): Promise<number[]> {
    assertStudyId(studyId);
    return this.#exclusive(studyId, () => listRounds(join(this.directory, studyId)));
  }

  /** The highest round's checkpoint; undefined when the study has none. Cleans crash leftovers. */
  async latest(studyId: string): Promise<Checkpoint | undefined> {
    assertStudyId(studyId);
    return this.#exclusive(studyId, async () => {
      const studyDirectory = join(this.directory, studyId);
      if (!(await isDirectory(studyDirectory))) return undefined;
      await removeWorkDirectories(studyDirectory);
      const round = (await listRounds(studyDirectory)).at(-1);
      return round === undefined ? undefined : readCheckpoint(studyDirectory, studyId, round);
    });
  }

  /** Undefined when that round has no checkpoint (never saved, or pruned). */
  async load(studyId: string, round: number): Promise<Checkpoint | undefined> {
    assertStudyId(studyId);
    assertRound(round);
    return this.#exclusive(studyId, () => readCheckpoint(join(this.directory, studyId), studyId, round));
  }

  async deleteStudy(studyId: string): Promise<void> {
    assertStudyId(studyId);
    await this.#exclusive(studyId, async () => {
      const studyDirectory = join(this.directory, studyId);
      if (!(await isDirectory(studyDirectory))) return;
      // Renamed away first so a crash mid-delete never leaves a half study that looks live; a
      // `.trash-*` left in checkpoints/ by such a crash is inert and can be removed by hand.
      const doomed = join(this.directory, `${TRASH_PREFIX}${studyId}-${randomBytes(6).toString('hex')}`);
      await rename(studyDirectory, doomed);
      await rm(doomed, { recursive: true, force: true });
    });
  }

  async #ensureStudyDirectory(studyId: string): Promise<string> {
    const studyDirectory = join(this.directory, studyId);
    const created = await mkdir(studyDirectory, { recursive: true, mode: DATA_DIR_MODE });
    if (created !== undefined) await syncDirectory(this.directory);
    return studyDirectory;
  }

  async #prune(studyDirectory: string, keepAlso: readonly number[]): Promise<void> {
    const surplus = (await listRounds(studyDirectory)).slice(0, -this.keep).filter((round) => !keepAlso.includes(round));
    for (const round of surplus) {
      const doomed = join(studyDirectory, `${TRASH_PREFIX}${roundDirectoryName(round)}-${randomBytes(6).toString('hex')}`);
      await rename(join(studyDirectory, roundDirectoryName(round)), doomed);
      await rm(doomed, { recursive: true, force: true });
    }
  }

  /** Runs `task` after every earlier operation on the same study has settled. */
  #exclusive<T>(studyId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(studyId) ?? Promise.resolve();
    const result = previous.then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(studyId, settled);
    void settled.then(() => {
      if (this.#queues.get(studyId) === settled) this.#queues.delete(studyId);
    });
    return result;
  }
}

function isReadonlyMap(blobs: CheckpointContents['blobs']): blobs is ReadonlyMap<string, Uint8Array> {
  return blobs instanceof Map;
}

async function readCheckpoint(studyDirectory: string, studyId: string, round: number): Promise<Checkpoint | undefined> {
  const directory = join(studyDirectory, roundDirectoryName(round));
  if (!(await isDirectory(directory))) return undefined;
  let manifestText: string;
  try {
    manifestText = await readFile(join(directory, MANIFEST_FILE_NAME), 'utf8');
  } catch (error) {
    throw new CheckpointCorruptionError(directory, `${MANIFEST_FILE_NAME} cannot be read`, { cause: error });
  }
  const manifest = decodeManifest(manifestText, directory);
  if (manifest.studyId !== studyId || manifest.round !== round) {
    throw new CheckpointCorruptionError(
      directory,
      `its manifest is for study ${manifest.studyId} round ${manifest.round} (the directory was moved or copied)`,
    );
  }
  const blobs = new Map<string, Uint8Array>();
  for (const entry of manifest.blobs) {
    let file: Buffer;
    try {
      file = await readFile(join(directory, entry.name));
    } catch (error) {
      throw new CheckpointCorruptionError(directory, `${entry.name} listed in the manifest cannot be read`, { cause: error });
    }
    const data = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    verifyBlob(entry, data, directory);
    blobs.set(entry.name, data);
  }
  return { studyId, round, createdAt: manifest.createdAt, manifest: manifest.manifest, blobs };
}

async function listRounds(studyDirectory: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir(studyDirectory);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return entries
    .map(parseRoundDirectoryName)
    .filter((round): round is number => round !== undefined)
    .sort((a, b) => a - b);
}

/** Staging and trash directories are only ever left over by a crash or a failed write. */
async function removeWorkDirectories(studyDirectory: string): Promise<void> {
  for (const entry of await readdir(studyDirectory)) {
    if (entry.startsWith(STAGING_PREFIX) || entry.startsWith(TRASH_PREFIX)) {
      await rm(join(studyDirectory, entry), { recursive: true, force: true });
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}
