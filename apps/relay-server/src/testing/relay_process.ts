// Shared helpers for the relay's integration tests: a real relay process on port 0 with its
// own data directory, and a small REST client.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

export interface RelayProcess {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** Stops the process (SIGTERM, SIGKILL after 5 s); keeps the data directory. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops and removes the data directory. */
  dispose(): Promise<void>;
}

/** `demo: true` turns the relay's demos on (the startup demo study, and the booth's POST /api/demo with --demo); tests run without them by default. */
export async function startRelayProcess(options: { dataDir?: string; args?: string[]; env?: Record<string, string>; demo?: boolean } = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'relay-test-')));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/relay-server/src/main.ts'), '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...(options.demo === true ? ['--demo'] : ['--no-demo']), ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start within 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      const match = /Relay listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code} before listening:\n${output}`));
    });
  });
  const token = /Researcher token[^\n]*\n\n\s+(\S+)/.exec(output)?.[1] ?? '';
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    dataDir,
    child,
    output: () => output,
    stop,
    dispose: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON over the relay's REST API; throws with the relay's error message on a non-2xx reply. */
export async function api<T = unknown>(relay: RelayProcess, method: string, route: string, body?: unknown, token: string | undefined = relay.token): Promise<T> {
  const response = await fetch(`${relay.url}${route}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`${method} ${route} -> ${response.status}: ${json.error ?? ''}`);
  return json;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface CommandProcess {
  child: ChildProcess;
  /** Resolves when the process exits, with everything it wrote. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** One of the repository's command lines (a tsx script path relative to the repository root), as `npm run` starts it. */
export function startCommand(script: string, args: string[], env: Record<string, string> = {}): CommandProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, exited };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with the path sent exactly as given: fetch normalizes paths ("/../x"
 * becomes "/x"), which hides what a hostile client can send.
 */
export function rawRequest(relay: Pick<RelayProcess, 'port'>, requestPath: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: relay.port, path: requestPath, method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
