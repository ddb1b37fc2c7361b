import { describe, expect, it } from 'vitest';
import { forgetIdentity, loadIdentity, saveIdentity } from './resume_store';

function memoryStore(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('resume store', () => {
  it('keeps one identity per join code', () => {
    const store = memoryStore();
    saveIdentity(store, 'AAA', { participantId: 'p1', resumeToken: 't1' });
    saveIdentity(store, 'BBB', { participantId: 'p2', resumeToken: 't2' });
    expect(loadIdentity(store, ' AAA ')).toEqual({ participantId: 'p1', resumeToken: 't1' });
    forgetIdentity(store, 'AAA');
    expect(loadIdentity(store, 'AAA')).toBeUndefined();
    expect(loadIdentity(store, 'BBB')?.participantId).toBe('p2');
  });

  it('ignores tampered or unreadable entries and failing storage', () => {
    const store = memoryStore();
    store.data.set('splitlearn.participant.AAA', '{"participantId": 5}');
    store.data.set('splitlearn.participant.BBB', 'not json');
    expect(loadIdentity(store, 'AAA')).toBeUndefined();
    expect(loadIdentity(store, 'BBB')).toBeUndefined();
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => undefined };
    expect(loadIdentity(broken, 'AAA')).toBeUndefined();
    expect(() => saveIdentity(broken, 'AAA', { participantId: 'p', resumeToken: 't' })).not.toThrow();
  });
});
