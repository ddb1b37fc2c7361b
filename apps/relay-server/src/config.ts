import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

// The relay's configuration, validated once at start-up from flags and environment
// (flags win), and printed (STYLE.md §17).

const RelayConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default('0.0.0.0'),
  dataDir: z.string().min(1).default('data'),
  webDir: z.string().min(1),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** How long a participant may take to acknowledge an epoch or a weights transfer. */
  ackTimeoutMs: z.coerce.number().int().positive().default(30 * 60 * 1000),
  /** How long the server waits for the next frame of a step before abandoning it. */
  stepTimeoutMs: z.coerce.number().int().positive().default(60_000),
  /** socket.io heartbeat: a vanished client is noticed after about interval + timeout. */
  pingIntervalMs: z.coerce.number().int().positive().default(10_000),
  pingTimeoutMs: z.coerce.number().int().positive().default(10_000),
  /**
   * The transport's message size limit (socket.io maxHttpBufferSize), fixed when the server
   * starts. Each study gets a tighter limit from its own largest tensor; a study whose
   * tensors would not fit under this one is refused at creation.
   */
  maxMessageMb: z.coerce.number().positive().max(2048).default(64),
  /** Create the demo study on the generated dataset when no study exists. */
  demo: z.boolean().default(true),
  /**
   * The booth demo's API (POST /api/demo): anyone who reaches the relay may create and
   * replace booth studies without a token, so it is off unless asked for (--demo).
   */
  boothDemo: z.boolean().default(false),
  resetResearcherToken: z.boolean().default(false),
  /** Appends a JSON line per incoming socket event (binary attachments decoded) to this file: for audits and privacy tests. */
  wireLog: z.string().optional(),
  /** A participant socket that has not said participant:hello within this is told why and disconnected. */
  helloTimeoutMs: z.coerce.number().int().positive().default(10_000),
  /**
   * Open socket.io connections per client address. The booth opens 17 from one browser (16
   * hospitals and a dashboard), and twice that for a moment on Reset.
   */
  maxConnectionsPerAddress: z.coerce.number().int().positive().default(64),
  /** participant:hello messages per client address per minute, failed ones included (join codes cannot be guessed quickly). */
  maxHellosPerMinute: z.coerce.number().int().positive().default(120),
  /** New participants a study takes while the relay runs; those already in it may always rejoin. */
  maxParticipantsPerStudy: z.coerce.number().int().positive().default(200),
  /** Browser origins whose pages may open sockets, besides the relay's own. */
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ })).default([]),
  /** Behind a reverse proxy: the last X-Forwarded-For entry is the client's address (for the per-address limits). */
  trustProxy: z.boolean().default(false),
});

export type RelayConfig = z.infer<typeof RelayConfigSchema>;

export const RELAY_USAGE = `Usage: npm start -- [--port N] [--data-dir DIR] [--log-level LEVEL] [--demo] [--no-demo] [--reset-researcher-token]

  --port N                   HTTP and WebSocket port (env PORT, default 8080; 0 picks a free one)
  --host ADDR                interface to listen on (env HOST, default 0.0.0.0)
  --data-dir DIR             SQLite database, checkpoints (env RELAY_DATA_DIR, default <repo>/data)
  --log-level LEVEL          debug | info | warn | error (env LOG_LEVEL, default info)
  --step-timeout-ms MS       abandon a step after MS without the peer's next frame (default 60000)
  --demo                     turn on the booth demo at /demo (POST /api/demo creates booth studies without a token; env RELAY_DEMO=1)
  --no-demo                  do not create the startup demo study (env RELAY_NO_DEMO=1)
  --reset-researcher-token   print a new researcher token, invalidating the old one
  --max-message-mb N         largest socket message accepted, in MiB (env RELAY_MAX_MESSAGE_MB, default 64)
  --wire-log FILE            record every incoming socket event, binary attachments decoded (env RELAY_WIRE_LOG)
  --hello-timeout-ms MS      disconnect a participant socket that has not joined within MS (env RELAY_HELLO_TIMEOUT_MS, default 10000)
  --max-connections-per-address N
                             open socket connections per client address (env RELAY_MAX_CONNECTIONS_PER_ADDRESS, default 64)
  --max-hellos-per-minute N  participant hellos per client address per minute (env RELAY_MAX_HELLOS_PER_MINUTE, default 120)
  --max-participants-per-study N
                             new participants a study takes (env RELAY_MAX_PARTICIPANTS_PER_STUDY, default 200)
  --allowed-origin ORIGIN    also accept sockets from pages on ORIGIN (repeatable or comma-separated; env RELAY_ALLOWED_ORIGINS)
  --trust-proxy              behind a reverse proxy: take the client's address from X-Forwarded-For (env RELAY_TRUST_PROXY=1)
`;

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv, repoRoot: string): RelayConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'web-dir': { type: 'string' },
      'log-level': { type: 'string' },
      'step-timeout-ms': { type: 'string' },
      'ack-timeout-ms': { type: 'string' },
      'ping-interval-ms': { type: 'string' },
      'ping-timeout-ms': { type: 'string' },
      demo: { type: 'boolean' },
      'no-demo': { type: 'boolean' },
      'reset-researcher-token': { type: 'boolean' },
      'wire-log': { type: 'string' },
      'max-message-mb': { type: 'string' },
      'hello-timeout-ms': { type: 'string' },
      'max-connections-per-address': { type: 'string' },
      'max-hellos-per-minute': { type: 'string' },
      'max-participants-per-study': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      'trust-proxy': { type: 'boolean' },
    },
  });
  const parsed = RelayConfigSchema.safeParse({
    port: values.port ?? env.PORT,
    host: values.host ?? env.HOST,
    dataDir: path.resolve(values['data-dir'] ?? env.RELAY_DATA_DIR ?? path.join(repoRoot, 'data')),
    webDir: path.resolve(values['web-dir'] ?? env.RELAY_WEB_DIR ?? path.join(repoRoot, 'apps/web/dist')),
    logLevel: values['log-level'] ?? env.LOG_LEVEL,
    stepTimeoutMs: values['step-timeout-ms'] ?? env.RELAY_STEP_TIMEOUT_MS,
    ackTimeoutMs: values['ack-timeout-ms'] ?? env.RELAY_ACK_TIMEOUT_MS,
    pingIntervalMs: values['ping-interval-ms'] ?? env.RELAY_PING_INTERVAL_MS,
    pingTimeoutMs: values['ping-timeout-ms'] ?? env.RELAY_PING_TIMEOUT_MS,
    demo: !(values['no-demo'] ?? env.RELAY_NO_DEMO === '1'),
    boothDemo: values.demo ?? env.RELAY_DEMO === '1',
    resetResearcherToken: values['reset-researcher-token'] ?? false,
    wireLog: values['wire-log'] ?? env.RELAY_WIRE_LOG,
    maxMessageMb: values['max-message-mb'] ?? env.RELAY_MAX_MESSAGE_MB,
    helloTimeoutMs: values['hello-timeout-ms'] ?? env.RELAY_HELLO_TIMEOUT_MS,
    maxConnectionsPerAddress: values['max-connections-per-address'] ?? env.RELAY_MAX_CONNECTIONS_PER_ADDRESS,
    maxHellosPerMinute: values['max-hellos-per-minute'] ?? env.RELAY_MAX_HELLOS_PER_MINUTE,
    maxParticipantsPerStudy: values['max-participants-per-study'] ?? env.RELAY_MAX_PARTICIPANTS_PER_STUDY,
    allowedOrigins: (values['allowed-origin'] ?? [env.RELAY_ALLOWED_ORIGINS ?? '']).flatMap((list) => list.split(',')).map((origin) => origin.trim()).filter(Boolean),
    trustProxy: values['trust-proxy'] ?? env.RELAY_TRUST_PROXY === '1',
  });
  if (!parsed.success) {
    throw new Error(`invalid relay configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n\n${RELAY_USAGE}`);
  }
  return parsed.data;
}
