import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CheckpointCorruptionError } from './errors';
import { describeZodError, JsonValueSchema } from './row_codec';
import { isBlobName } from './checkpoint_names';

// manifest.json of one checkpoint directory: the caller's JSON plus, for each blob, its size
// and SHA-256, so a truncated or swapped file is caught on load rather than fed to tfjs.

export const CHECKPOINT_FORMAT = 1;

const BlobEntrySchema = z.object({
  name: z.string().refine(isBlobName, 'not an allowed blob name'),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const CheckpointManifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  studyId: z.string(),
  round: z.number().int().nonnegative(),
  createdAt: z.number().int(),
  manifest: JsonValueSchema,
  blobs: z
    .array(BlobEntrySchema)
    .refine((blobs) => new Set(blobs.map((blob) => blob.name)).size === blobs.length, 'blob names repeat'),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

export function describeBlob(name: string, data: Uint8Array): CheckpointManifest['blobs'][number] {
  return { name, bytes: data.byteLength, sha256: sha256Hex(data) };
}

export function decodeManifest(text: string, directory: string): CheckpointManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointCorruptionError(directory, 'manifest.json is not valid JSON', { cause: error });
  }
  const result = CheckpointManifestSchema.safeParse(value);
  if (!result.success) {
    throw new CheckpointCorruptionError(directory, `manifest.json is invalid (${describeZodError(result.error)})`);
  }
  return result.data;
}

export function verifyBlob(entry: CheckpointManifest['blobs'][number], data: Uint8Array, directory: string): void {
  if (data.byteLength !== entry.bytes || sha256Hex(data) !== entry.sha256) {
    throw new CheckpointCorruptionError(
      directory,
      `${entry.name} has ${data.byteLength} bytes and does not match the ${entry.bytes} bytes recorded in the manifest`,
    );
  }
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
