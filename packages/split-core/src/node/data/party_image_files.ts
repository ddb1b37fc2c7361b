import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PartyImageLoader } from '../../study/party_images';
import { MAX_FILE_BYTES } from './image_folder';
import { decodeImageFile } from './decode_image';

// Node's image loader for a vertical image party (the browser's worker has its own, over the
// files the clinician chose): the mapping CSV's file cells, already checked by split-core not
// to climb out of the CSV's folder, are read from disk below that folder and decoded to the
// party's shape. A link is followed only when it stays inside the folder: the CSV must not
// be able to point the client at files the data owner did not put beside it.

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Loads images named relative to `folder` (the mapping CSV's folder). */
export function imageFileLoader(folder: string): PartyImageLoader {
  const root = path.resolve(folder);
  let realRoot: Promise<string> | undefined;
  return async (relativePath, shape) => {
    const file = path.resolve(root, ...relativePath.split('/'));
    if (!isInside(root, file)) throw new Error('leaves the CSV’s folder');
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new Error(`cannot be read (${code ?? String(error)})`, { cause: error });
    }
    realRoot ??= realpath(root);
    if (!isInside(await realRoot, await realpath(file))) throw new Error('a link to a file outside the CSV’s folder (not followed)');
    if (!info.isFile()) throw new Error('a folder, not an image file');
    if (info.size === 0) throw new Error('empty file');
    if (info.size > MAX_FILE_BYTES) throw new Error(`file larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    return (await decodeImageFile(await readFile(file), shape)).values;
  };
}
