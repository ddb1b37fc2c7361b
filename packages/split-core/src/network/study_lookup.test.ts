import { describe, expect, it } from 'vitest';
import * as protocol from '../protocol';
import { lookupStudy } from './study_lookup';

const study = {
  id: 'study-1',
  state: 'open',
  round: 0,
  config: protocol.StudyConfigSchema.parse({
    name: 'Pneumonia',
    model: 'cnn-small',
    inputShape: [28, 28, 1],
    classes: ['normal', 'pneumonia'],
    topology: 'vanilla',
    schedule: 'round-robin',
  }),
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('lookupStudy', () => {
  it('returns the validated study and asks for the encoded join code', async () => {
    const urls: string[] = [];
    const result = await lookupStudy('http://relay/', ' AB CD ', (url) => {
      urls.push(url);
      return Promise.resolve(json(200, { protocolVersion: protocol.PROTOCOL_VERSION, study }));
    });
    expect(urls).toEqual(['http://relay/api/join/AB%20CD']);
    expect(result).toMatchObject({ ok: true, study: { id: 'study-1' } });
  });

  it('maps the relay errors: unknown code, other protocol version', async () => {
    const unknown = await lookupStudy('', 'x', () => Promise.resolve(json(404, { error: { code: 'unknown-study', message: 'no such code' } })));
    expect(unknown).toEqual({ ok: false, failure: { reason: 'refused', error: { code: 'unknown-study', message: 'no such code' } } });
    const plain404 = await lookupStudy('', 'x', () => Promise.resolve(new Response('not found', { status: 404 })));
    expect(plain404).toMatchObject({ ok: false, failure: { reason: 'refused', error: { code: 'unknown-study' } } });
    const version = await lookupStudy('', 'x', () => Promise.resolve(json(200, { protocolVersion: protocol.PROTOCOL_VERSION + 1, study })));
    expect(version).toMatchObject({ ok: false, failure: { reason: 'protocol-mismatch' } });
    const refused = await lookupStudy('', 'x', () => Promise.resolve(json(400, { error: { code: 'unsupported-protocol', message: 'reload' } })));
    expect(refused).toMatchObject({ ok: false, failure: { reason: 'protocol-mismatch' } });
  });

  it('treats a network failure or a proxy error page as an unreachable relay', async () => {
    let attempts = 0;
    const failed = await lookupStudy('http://relay', 'x', () => {
      attempts += 1;
      return Promise.reject(new TypeError('Failed to fetch'));
    });
    expect(failed).toMatchObject({ ok: false, failure: { reason: 'unreachable' } });
    expect(attempts).toBe(2);
    const proxy = await lookupStudy('', 'x', () => Promise.resolve(new Response('Bad Gateway', { status: 502 })));
    expect(proxy).toMatchObject({ ok: false, failure: { reason: 'unreachable' } });
  });

  it('asks again once when a connection drops as the request goes out (a kept-alive connection the relay closed)', async () => {
    const answers = [() => Promise.reject(new TypeError('fetch failed')), () => Promise.resolve(json(200, { protocolVersion: protocol.PROTOCOL_VERSION, study }))];
    const result = await lookupStudy('http://relay', 'x', () => (answers.shift() ?? (() => Promise.reject(new Error('asked a third time'))))());
    expect(result).toMatchObject({ ok: true, study: { id: 'study-1' } });
  });

  it('refuses a study description that does not validate', async () => {
    const result = await lookupStudy('', 'x', () => Promise.resolve(json(200, { study: { ...study, config: { ...study.config, topology: 'vertical' } } })));
    expect(result).toMatchObject({ ok: false, failure: { reason: 'protocol-mismatch' } });
  });
});
