import type { BackendPreference } from '../backends/select';
import { initNodeWasmBackend } from './wasm_threads';

// What the project's tfjs command lines (sim, infer) share, so they behave alike: a usage
// error prints the message and the usage and exits 2; --help prints the usage and exits 0;
// the backend and the effective configuration go to stderr before any work; an error that
// escapes the command exits 1 with its message.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CommandArgs {
  backend: BackendPreference;
  json?: boolean;
}

export interface Command<A extends CommandArgs> {
  usage: string;
  /** Parses argv; undefined when --help was asked for; throws UsageError on bad arguments. */
  parse: (argv: string[]) => A | undefined;
  /** The work, on the chosen backend; resolves to the exit code. */
  run: (args: A) => Promise<number>;
}

async function main<A extends CommandArgs>(command: Command<A>, argv: string[]): Promise<number> {
  let args: A | undefined;
  try {
    args = command.parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
  if (!args) {
    process.stdout.write(command.usage);
    return 0;
  }
  const backend = await initNodeWasmBackend(args.backend);
  process.stderr.write(`backend: ${backend.name} (${backend.reason})\n`);
  const { json: _json, ...effective } = args;
  process.stderr.write(`configuration: ${JSON.stringify(effective)}\n`);
  return command.run(args);
}

/** Runs a command with this process's arguments and exits with its code. */
export function runCommand<A extends CommandArgs>(command: Command<A>): void {
  main(command, process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
