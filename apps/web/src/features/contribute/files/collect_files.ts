import type { labels } from '@splitlearn/split-core/pure';

// Files from the browser's two ways of handing over a folder, as relative paths:
// <input webkitdirectory> gives each File a webkitRelativePath; a drop gives
// FileSystemEntry trees that are walked here.

export function pickedFromFileList(files: Iterable<File>): labels.PickedFile<File>[] {
  return [...files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** readEntries returns at most about 100 entries per call: read until it returns none. */
async function childrenOf(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const children: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return children;
    children.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, into: labels.PickedFile<File>[]): Promise<void> {
  if (isFile(entry)) {
    into.push({ path: entry.fullPath.replace(/^\/+/, ''), file: await fileOf(entry) });
  } else if (isDirectory(entry)) {
    for (const child of await childrenOf(entry)) await walk(child, into);
  }
}

/**
 * Call synchronously inside the drop handler: the DataTransfer items are emptied when the
 * event handler returns, so their entries are taken first and walked afterwards.
 */
export function pickedFromDrop(transfer: DataTransfer): Promise<labels.PickedFile<File>[]> {
  const entries: FileSystemEntry[] = [];
  const looseFiles: File[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) looseFiles.push(file);
    }
  }
  return (async () => {
    const picked: labels.PickedFile<File>[] = pickedFromFileList(looseFiles);
    for (const entry of entries) await walk(entry, picked);
    return picked;
  })();
}
