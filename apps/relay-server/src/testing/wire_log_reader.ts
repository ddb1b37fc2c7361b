// Reads the relay's wire log (--wire-log: one JSON line per incoming socket event and per
// acknowledged reply, binary attachments decoded as codec frames or bundles). Tests read it
// to see what actually arrived, and to wait on what has arrived so far.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const TensorSchema = z.object({ name: z.string(), dtype: z.string(), shape: z.array(z.number().int()), encoding: z.string().optional() });
export const WireBinarySchema = z.object({
  binary: z.enum(['frame', 'bundle', 'unknown']),
  bytes: z.number().int().nonnegative(),
  name: z.string().optional(),
  dtype: z.string().optional(),
  shape: z.array(z.number().int()).optional(),
  encoding: z.string().optional(),
  tensors: z.array(TensorSchema).optional(),
  /** The bytes of an attachment that is not a tensor, as hex (null when too large to record). */
  hex: z.string().nullable().optional(),
});
export type WireBinary = z.infer<typeof WireBinarySchema>;

const EntrySchema = z.object({ at: z.number(), socket: z.string(), participant: z.string().nullable(), event: z.string(), args: z.array(z.unknown()) });
export type WireEntry = z.infer<typeof EntrySchema>;

export const WireStepHeaderSchema = z.object({ studyId: z.string(), round: z.number(), step: z.number(), seq: z.number(), kind: z.string(), phase: z.enum(['train', 'eval']) });
export type WireStepHeader = z.infer<typeof WireStepHeaderSchema>;

/** Every entry so far; an absent file (nothing arrived yet) reads as none. */
export async function readWireLog(file: string): Promise<WireEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // The relay appends whole lines; a line still being written is not an entry yet.
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  return lines
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = EntrySchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`wire log line ${index + 1} is not an entry: ${parsed.error.message}`);
      return parsed.data;
    });
}

/** The step header of a 'step:frame' entry, or undefined for any other entry. */
export function stepHeaderOf(entry: WireEntry): WireStepHeader | undefined {
  if (entry.event !== 'step:frame') return undefined;
  const parsed = WireStepHeaderSchema.safeParse(entry.args[0]);
  return parsed.success ? parsed.data : undefined;
}

/** Every decoded binary payload inside a message's arguments. */
export function binariesIn(value: unknown): WireBinary[] {
  if (Array.isArray(value)) return value.flatMap(binariesIn);
  if (value !== null && typeof value === 'object') {
    if ('binary' in value) return [WireBinarySchema.parse(value)];
    return Object.values(value).flatMap(binariesIn);
  }
  return [];
}
