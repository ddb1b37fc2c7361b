import type { study } from '@splitlearn/split-core';
import { decodeImage } from './decode_image';
import type { PartyImageFile } from './messages';

// The browser's image loader for a vertical image party (the Node client reads from disk
// instead): the mapping CSV names each image relative to the CSV's folder, and the files the
// clinician chose are looked up by that name and decoded here, in the worker.

function slashed(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

/**
 * The chosen files by path relative to the CSV's folder, where its file names start. A file
 * outside that folder cannot be named, as on disk (split-core refuses names that climb out).
 */
export function filesBesideCsv(csvName: string, files: readonly PartyImageFile[]): Map<string, Blob> {
  const csvPath = slashed(csvName);
  const folder = csvPath.includes('/') ? csvPath.slice(0, csvPath.lastIndexOf('/') + 1) : '';
  const beside = new Map<string, Blob>();
  for (const { path, file } of files) {
    const relative = slashed(path);
    if (relative.startsWith(folder) && relative.length > folder.length) beside.set(relative.slice(folder.length), file);
  }
  return beside;
}

/** Decodes the file a mapping CSV names, or resolves undefined when it was not chosen. */
export function imageFileLoader(files: ReadonlyMap<string, Blob>): study.PartyImageLoader {
  return async (relativePath, shape) => {
    const file = files.get(relativePath);
    return file === undefined ? undefined : (await decodeImage(file, shape)).values;
  };
}
