import { z } from 'zod';
import { StorageCorruptionError, type RowLocation } from './errors';

// better-sqlite3 hands rows back as `unknown`. Every row goes through a zod schema on the
// way out, so a hand-edited or damaged row becomes a StorageCorruptionError naming the
// table, row and column, not a TypeError three calls later.

export function decodeRow<T>(schema: z.ZodType<T>, row: unknown, location: RowLocation): T {
  const result = schema.safeParse(row);
  if (!result.success) throw new StorageCorruptionError(location, describeZodError(result.error));
  return result.data;
}

export function decodeJsonColumn<T>(schema: z.ZodType<T>, text: string, location: RowLocation): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StorageCorruptionError(location, `not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  return decodeRow(schema, value, location);
}

/**
 * JSON.stringify turns NaN and Infinity into null without a word; here they are refused, so
 * what is read back is what was written. (Metrics map NaN to null on purpose, before this.)
 */
export function encodeJson(value: unknown, what: string): string {
  const text = JSON.stringify(value, (key, member: unknown) => {
    if (typeof member === 'number' && !Number.isFinite(member)) {
      throw new RangeError(`${what}: ${key === '' ? 'value' : `"${key}"`} is ${member}, which JSON cannot store.`);
    }
    return member;
  }) as string | undefined;
  if (text === undefined) throw new TypeError(`${what}: ${typeof value} is not a JSON value.`);
  return text;
}

/** One line for a log or an error message: "model: Invalid option ...; classes: Invalid input ...". */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** SQLite has no boolean: flags are stored as 0/1 integers. */
export const sqliteBoolean = z.union([z.literal(0), z.literal(1)]).transform((flag) => flag === 1);

/** The id of a row about to be validated, for the error message, if it has a usable one. */
export function rowIdOf(row: unknown): string | number | undefined {
  if (typeof row !== 'object' || row === null || !('id' in row)) return undefined;
  return typeof row.id === 'string' || typeof row.id === 'number' ? row.id : undefined;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValueSchema: z.ZodType<JsonValue> = z.json();
