import { describe, expect, it } from 'vitest';
import { startDemoStudy } from './demo_api';

function reply(status: number, body: unknown): () => Promise<Response> {
  return () => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

const created = { studyId: 's1', joinCode: 'ABCD-1234', config: { name: 'Booth demo', model: 'cnn-small', topology: 'vanilla', schedule: 'round-robin', rounds: 10, batchSize: 32, minClients: 4, seed: 1 } };

describe('startDemoStudy', () => {
  it('posts the hospitals and schedule and returns the study', async () => {
    let sent: { url: string; init?: RequestInit } | undefined;
    const result = await startDemoStudy({ hospitals: 4, schedule: 'round-robin' }, 'http://relay', (url, init) => {
      sent = { url, ...(init ? { init } : {}) };
      return reply(201, created)();
    });
    expect(sent?.url).toBe('http://relay/api/demo');
    expect(sent?.init?.method).toBe('POST');
    expect(JSON.parse(sent?.init?.body as string)).toEqual({ hospitals: 4, schedule: 'round-robin' });
    expect(result).toMatchObject({ ok: true, study: { studyId: 's1', joinCode: 'ABCD-1234', config: { seed: 1 } } });
  });

  it('explains a relay without the demo, a refusal, an unreadable answer and no relay at all', async () => {
    expect(await startDemoStudy({ hospitals: 4 }, 'http://relay', reply(404, { error: 'off' }))).toMatchObject({ ok: false, error: { message: /npm start -- --demo/ } });
    expect(await startDemoStudy({ hospitals: 40 }, 'http://relay', reply(400, { error: 'hospitals: too big' }))).toMatchObject({ ok: false, error: { code: 'relay-error', message: /too big/ } });
    expect(await startDemoStudy({ hospitals: 4 }, 'http://relay', reply(201, { studyId: 's1' }))).toMatchObject({ ok: false, error: { code: 'protocol-mismatch' } });
    expect(await startDemoStudy({ hospitals: 4 }, 'http://relay', () => Promise.reject(new TypeError('Failed to fetch')))).toMatchObject({ ok: false, error: { code: 'relay-unreachable' } });
  });
});
