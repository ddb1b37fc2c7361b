import { describe, expect, it } from 'vitest';
import { availableActions, createStudyApi, explainFailure, relayErrorText, StudyApiError } from './study_api';
import { loadToken, saveToken } from './token_store';

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push({ url: input instanceof Request ? input.url : input.toString(), init });
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
  };
  return { calls, fetchImpl };
}

describe('study API', () => {
  it('sends controls with the token as a bearer header, never in the URL', async () => {
    const { calls, fetchImpl } = fakeFetch(200, { state: 'paused' });
    await createStudyApi('s 1', ' secret ', fetchImpl).control('pause');
    expect(calls[0]?.url).toBe('/api/studies/s%201/control');
    expect(calls[0]?.init).toMatchObject({ method: 'POST', body: '{"action":"pause"}', headers: { Authorization: 'Bearer secret' } });
  });

  it('patches schedule and codec', async () => {
    const { calls, fetchImpl } = fakeFetch(200, {});
    await createStudyApi('s1', 'secret', fetchImpl).change({ codec: 'fp16' });
    expect(calls[0]).toMatchObject({ url: '/api/studies/s1', init: { method: 'PATCH', body: '{"codec":"fp16"}' } });
  });

  it('says the token is needed on 401, and without a token does not call the relay', async () => {
    const { calls, fetchImpl } = fakeFetch(401, { error: 'this needs the researcher token' });
    await expect(createStudyApi('s1', 'wrong', fetchImpl).control('start')).rejects.toThrow(/this needs the researcher token/);
    await expect(createStudyApi('s1', '', fetchImpl).control('start')).rejects.toBeInstanceOf(StudyApiError);
    expect(calls).toHaveLength(1);
  });

  it('passes on what the relay said for other failures', () => {
    expect(explainFailure('stop the study', 400, { error: 'study s1 is finished or unknown' })).toBe('Could not stop the study: study s1 is finished or unknown.');
    expect(explainFailure('download the server segment', 500, undefined)).toMatch(/relay failed \(500\).*relay's log/);
    expect(relayErrorText({ error: { code: 'unknown-study', message: 'no such study' } })).toBe('no such study');
    expect(relayErrorText('oops')).toBeUndefined();
  });

  it('reports an unreachable relay', async () => {
    const failing: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(createStudyApi('s1', 'secret', failing).control('start')).rejects.toThrow(/could not be reached \(Failed to fetch\)/);
  });

  it('offers only the actions that fit the state', () => {
    expect(availableActions('open')).toEqual(['start', 'stop']);
    expect(availableActions('training')).toEqual(['pause', 'stop']);
    expect(availableActions('paused')).toEqual(['resume', 'stop']);
    expect(availableActions('finished')).toEqual([]);
  });

  it('keeps the token in session storage, trimmed, and forgets an empty one', () => {
    const items = new Map<string, string>();
    const storage = { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), removeItem: (key: string) => void items.delete(key) };
    expect(loadToken(storage)).toBe('');
    saveToken(storage, ' abc ');
    expect(loadToken(storage)).toBe('abc');
    saveToken(storage, '');
    expect(items.size).toBe(0);
  });
});
