import { describe, expect, it } from 'vitest';
import { toWorkerError } from './study_lookup';

describe('toWorkerError', () => {
  it('puts each lookup failure in the terms the page explains', () => {
    expect(toWorkerError({ reason: 'unreachable', message: 'no answer' })).toEqual({ code: 'relay-unreachable', message: 'no answer' });
    expect(toWorkerError({ reason: 'protocol-mismatch', message: 'v2 vs v1' })).toEqual({ code: 'protocol-mismatch', message: 'v2 vs v1' });
    expect(toWorkerError({ reason: 'refused', error: { code: 'unknown-study', message: 'no such code' } })).toEqual({ code: 'unknown-study', message: 'no such code' });
    expect(toWorkerError({ reason: 'refused', error: { code: 'internal', message: 'boom' } })).toEqual({ code: 'relay-error', message: 'internal: boom' });
  });
});
