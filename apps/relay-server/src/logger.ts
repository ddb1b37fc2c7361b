import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

// Structured, namespaced logs on stderr: one JSON object per line (STYLE.md §16), written by
// pino. The relay's modules keep this small interface (message first, then fields), so they
// do not depend on pino; Fastify logs through the same pino instance (pinoOf).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

/** Keys pino writes itself: a field with one of these names is written with a trailing underscore instead. */
const RESERVED_KEYS = new Set(['level', 'time', 'ns', 'msg']);

const pinoLoggers = new WeakMap<Logger, PinoLogger>();

/**
 * `write` receives each line (tests); by default lines go to stderr synchronously, so that
 * the last lines before process.exit are not lost.
 */
export function createLogger(namespace: string, level: LogLevel, write?: (line: string) => void): Logger {
  const destination: DestinationStream = write ? { write } : pino.destination({ dest: 2, sync: true });
  const root = pino(
    {
      level,
      // No pid and hostname on every line; ISO times and level names read without a decoder.
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return adapter(root, namespace);
}

/** The pino logger behind a Logger from createLogger, for libraries that take one (Fastify). */
export function pinoOf(log: Logger): PinoLogger | undefined {
  return pinoLoggers.get(log);
}

function adapter(root: PinoLogger, namespace: string): Logger {
  // Children are made from the root, not from each other: pino repeats a binding key per
  // level of nesting, and one `ns` per line is what a reader filters on.
  const logger = root.child({ ns: namespace });
  // The message goes first in the object so that it precedes the fields on the line, as
  // the relay's logs always read (and tests grep them so).
  const line = (message: string, fields: Record<string, unknown> | undefined): Record<string, unknown> => {
    const entry: Record<string, unknown> = { msg: message };
    for (const [key, value] of Object.entries(fields ?? {})) entry[RESERVED_KEYS.has(key) ? `${key}_` : key] = value;
    return entry;
  };
  const log: Logger = {
    debug: (message, fields) => logger.debug(line(message, fields)),
    info: (message, fields) => logger.info(line(message, fields)),
    warn: (message, fields) => logger.warn(line(message, fields)),
    error: (message, fields) => logger.error(line(message, fields)),
    child: (child) => adapter(root, `${namespace}:${child}`),
  };
  pinoLoggers.set(log, logger);
  return log;
}
