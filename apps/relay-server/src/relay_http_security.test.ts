import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIMITS } from './http/rate_limits';
import { demoStudy } from './testing/demo_study';
import { api, rawRequest, startRelayProcess, type RelayProcess } from './testing/relay_process';

// The relay's HTTP surface against hostile and careless clients, on a real relay process
// with real requests: the booth demo's guard rails, the researcher token's failure limit,
// join-code lookups, malformed URLs, and what the static file server will and will not read.

const relays: RelayProcess[] = [];
const scratch: string[] = [];

afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.dispose()));
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function relayWith(options: Parameters<typeof startRelayProcess>[0] = {}): Promise<RelayProcess> {
  const relay = await startRelayProcess(options);
  relays.push(relay);
  return relay;
}

/** Error lines in the relay's log, whichever way it writes them. */
function errorLines(relay: RelayProcess): string[] {
  return relay
    .output()
    .split('\n')
    .filter((line) => /"level":"error"|\bERROR\b/.test(line));
}

function errorOf(body: string): unknown {
  return (JSON.parse(body) as { error?: unknown }).error;
}

const postDemo = (relay: RelayProcess, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  rawRequest(relay, '/api/demo', { method: 'POST', headers, body: JSON.stringify(body) });

describe('booth demo API', () => {
  it('is off unless the relay runs with --demo, and says how to turn it on', async () => {
    const relay = await relayWith();
    const refused = await postDemo(relay, { hospitals: 2 });
    expect(refused.status).toBe(404);
    expect(errorOf(refused.body)).toMatch(/restart it with --demo/);
  });

  it('takes only JSON from the relay’s own pages, deletes the previous booth study, and is rate-limited per address', { timeout: 120_000 }, async () => {
    const relay = await relayWith({ demo: true });
    const ownOrigin = { 'content-type': 'application/json', origin: relay.url };

    const notJson = await postDemo(relay, { hospitals: 2 }, { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(415);
    expect(errorOf(notJson.body)).toMatch(/Content-Type: application\/json/);

    const crossOrigin = await postDemo(relay, { hospitals: 2 }, { 'content-type': 'application/json', origin: 'http://booth.example' });
    expect(crossOrigin.status).toBe(403);
    expect(errorOf(crossOrigin.body)).toMatch(/only takes requests from the relay's own pages: this one came from http:\/\/booth\.example/);
    const sandboxed = await postDemo(relay, { hospitals: 2 }, { 'content-type': 'application/json', origin: 'null' });
    expect(sandboxed.status).toBe(403);

    const first = await postDemo(relay, { hospitals: 2 }, ownOrigin);
    expect(first.status).toBe(201);
    const firstStudy = JSON.parse(first.body) as { studyId: string; joinCode: string };
    const second = await postDemo(relay, { hospitals: 3 });
    expect(second.status).toBe(201);
    const secondStudy = JSON.parse(second.body) as { studyId: string };

    // The older booth study is gone, not just finished: no state, no metrics, no join code.
    expect((await rawRequest(relay, `/api/studies/${firstStudy.studyId}`)).status).toBe(404);
    expect((await rawRequest(relay, `/api/studies/${firstStudy.studyId}/metrics`)).status).toBe(404);
    expect((await rawRequest(relay, `/api/join/${firstStudy.joinCode}`)).status).toBe(404);
    const { studies } = await api<{ studies: { id: string }[] }>(relay, 'GET', '/api/studies');
    expect(studies.map((study) => study.id)).toContain(secondStudy.studyId);
    expect(studies.map((study) => study.id)).not.toContain(firstStudy.studyId);

    // Every request so far counted against the address's budget; refused bodies (400) count too.
    let sent = 5;
    let limited: Awaited<ReturnType<typeof postDemo>> | undefined;
    while (!limited && sent < LIMITS.boothStudies.max + 5) {
      const reply = await postDemo(relay, { hospitals: 1 });
      sent += 1;
      if (reply.status === 429) limited = reply;
      else expect(reply.status).toBe(400);
    }
    expect(sent).toBe(LIMITS.boothStudies.max + 1);
    expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
    expect(errorOf(limited?.body ?? '{}')).toMatch(/too many requests from this address/);
    // Other routes are not affected.
    expect((await rawRequest(relay, '/api/health')).status).toBe(200);
  });
});

describe('researcher token', () => {
  it('refuses an address for a while after too many wrong tokens, even with the right one; successes are not counted', { timeout: 120_000 }, async () => {
    const relay = await relayWith();
    const withToken = (token: string) => rawRequest(relay, '/api/studies', { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < LIMITS.failedResearcherTokens.max + 5; i++) expect((await withToken(relay.token)).status).toBe(200);
    for (let i = 0; i < LIMITS.failedResearcherTokens.max; i++) expect((await withToken(`wrong-${i}`)).status).toBe(401);

    const refused = await withToken(relay.token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(errorOf(refused.body)).toMatch(/too many wrong researcher tokens from this address .* even with the right token/);
    // Routes without the token still answer.
    expect(JSON.parse((await rawRequest(relay, '/api/health')).body)).toMatchObject({ ok: true });
    expect((await rawRequest(relay, '/api/join/NOSUCHCD')).status).toBe(404);
  });
});

describe('join-code lookups', () => {
  it('answer a finished study like an unknown code, and are rate-limited per address', { timeout: 120_000 }, async () => {
    const relay = await relayWith();
    const unknown = await rawRequest(relay, '/api/join/NOSUCHCD');
    expect(unknown.status).toBe(404);

    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('Finished before anyone joined', { rounds: 1 }));
    expect((await rawRequest(relay, `/api/join/${study.joinCode}`)).status).toBe(200);
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'stop' });
    const finished = await rawRequest(relay, `/api/join/${study.joinCode}`);
    expect(finished.status).toBe(404);
    expect(JSON.parse(finished.body)).toEqual(JSON.parse(unknown.body));

    let sent = 3;
    let limited: Awaited<ReturnType<typeof rawRequest>> | undefined;
    while (!limited && sent < LIMITS.joinLookups.max + 5) {
      const reply = await rawRequest(relay, `/api/join/GUESS${String(sent).padStart(3, '0')}`);
      sent += 1;
      if (reply.status === 429) limited = reply;
      else expect(reply.status).toBe(404);
    }
    expect(sent).toBe(LIMITS.joinLookups.max + 1);
    expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
    // The lookup clients read a code and a message.
    expect(errorOf(limited?.body ?? '{}')).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/too many join-code lookups/) as unknown });
    expect((await rawRequest(relay, '/api/health')).status).toBe(200);
  });
});

describe('malformed URLs', () => {
  it('answer 400 and leave no error in the log', async () => {
    const relay = await relayWith();
    for (const bad of ['/%E0%A4%A', '/api/studies/%ZZ', '/join/%E0%A4%A']) {
      const reply = await rawRequest(relay, bad);
      expect(reply.status, bad).toBe(400);
      expect(errorOf(reply.body), bad).toMatch(/not valid percent-encoding/);
      expect(reply.headers['cross-origin-embedder-policy'], bad).toBe('require-corp');
    }
    expect((await rawRequest(relay, '/api/health')).status).toBe(200);
    expect(errorLines(relay)).toEqual([]);
  });
});

describe('static files', () => {
  /** A built web app at <tmp>/dist, and beside it <tmp>/dist-secret, which must never be served. */
  async function webDirWithSibling(): Promise<string> {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'relay-web-'));
    scratch.push(parent);
    const webDir = path.join(parent, 'dist');
    await mkdir(path.join(webDir, 'assets'), { recursive: true });
    await mkdir(path.join(parent, 'dist-secret'));
    await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(path.join(webDir, 'assets', 'app-1234.js'), 'export {};');
    await writeFile(path.join(webDir, '.env'), 'SECRET=dotfile');
    await writeFile(path.join(parent, 'dist-secret', 'file'), 'SECRET=sibling');
    return webDir;
  }

  it('never serves a sibling folder whose name starts with the web folder’s, nor dotfiles; the app keeps its headers', async () => {
    const webDir = await webDirWithSibling();
    const relay = await relayWith({ args: ['--web-dir', webDir] });
    for (const attempt of ['/..%2fdist-secret/file', '/../dist-secret/file', '/%2e%2e/dist-secret/file', '/assets/..%2f..%2f..%2fdist-secret/file', '/.env', '/%2eenv']) {
      const reply = await rawRequest(relay, attempt);
      expect(reply.body, attempt).not.toContain('SECRET');
      expect(reply.status === 200 ? reply.body : '', attempt).not.toContain('SECRET');
    }
    expect((await rawRequest(relay, '/..%2fdist-secret/file')).status).toBe(403);

    const page = await rawRequest(relay, '/demo');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>app</title>');
    expect(page.headers).toMatchObject({
      'cache-control': 'no-cache',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    const asset = await rawRequest(relay, '/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect((await rawRequest(relay, '/assets/missing.js')).status).toBe(404);
    const api404 = await rawRequest(relay, '/api/no-such-route');
    expect(api404.status).toBe(404);
    expect(api404.headers['cross-origin-embedder-policy']).toBe('require-corp');
  });

  it('survives a file it cannot read', async () => {
    const webDir = await webDirWithSibling();
    // Reading offset 0 of a process's own memory fails (EIO): a read error root cannot bypass.
    const memoryLink = process.platform === 'linux' ? path.join(webDir, 'memory.bin') : undefined;
    if (memoryLink) await symlink('/proc/self/mem', memoryLink);
    const unreadable = path.join(webDir, 'unreadable.js');
    await writeFile(unreadable, 'export {};');
    await chmod(unreadable, 0o000);
    const relay = await relayWith({ args: ['--web-dir', webDir] });

    if (memoryLink) {
      const reply = await rawRequest(relay, '/memory.bin').catch((error: unknown) => ({ status: 0, body: String(error) }));
      expect(reply.status).not.toBe(200);
    }
    if (process.getuid?.() === 0) {
      console.info('[relay_http_security] skipping the unreadable-file request: running as root, chmod 000 does not stop reads');
    } else {
      const reply = await rawRequest(relay, '/unreadable.js');
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.body).not.toContain('export');
    }
    // Still serving.
    expect(JSON.parse((await rawRequest(relay, '/api/health')).body)).toMatchObject({ ok: true });
    expect((await rawRequest(relay, '/')).status).toBe(200);
    expect(relay.child.exitCode).toBeNull();
  });
});
