import { open } from 'node:fs/promises';
import { DATA_FILE_MODE } from './database';

// A rename is only crash-safe if what it publishes is already on disk: without these fsyncs
// a power cut after the rename can leave a complete-looking directory of empty files.

/** Writes a new file (refusing to replace one) and flushes it to disk before returning. */
export async function writeFileDurably(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx', DATA_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes entries created, renamed or removed in a directory durable. */
export async function syncDirectory(path: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
