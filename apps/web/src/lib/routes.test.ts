import { describe, expect, it } from 'vitest';
import { joinPath, parseRoute } from './routes';

describe('parseRoute', () => {
  it('shows Contribute at / and /join/<code>, with the code from the path or ?code=', () => {
    expect(parseRoute('/')).toEqual({ page: 'contribute', joinCode: '' });
    expect(parseRoute('/', '?code=ABC123')).toEqual({ page: 'contribute', joinCode: 'ABC123' });
    expect(parseRoute('/join/ABC%20123')).toEqual({ page: 'contribute', joinCode: 'ABC 123' });
    expect(parseRoute('/join/', '?code=XYZ')).toEqual({ page: 'contribute', joinCode: 'XYZ' });
    expect(parseRoute('/join/%E0%A4%A')).toEqual({ page: 'contribute', joinCode: '%E0%A4%A' });
  });

  it('routes the dashboard, the demo and the studies console, and nothing else', () => {
    expect(parseRoute('/dashboard/study-7')).toEqual({ page: 'dashboard', studyId: 'study-7' });
    expect(parseRoute('/demo/')).toEqual({ page: 'demo' });
    expect(parseRoute('/studies')).toEqual({ page: 'studies' });
    expect(parseRoute('/studies/x')).toEqual({ page: 'not-found', path: '/studies/x' });
    expect(parseRoute('/dashboard')).toEqual({ page: 'not-found', path: '/dashboard' });
    expect(parseRoute('/join/a/b')).toEqual({ page: 'not-found', path: '/join/a/b' });
  });

  it('builds join links that parse back to the same code', () => {
    expect(parseRoute(joinPath(' a/b c '))).toEqual({ page: 'contribute', joinCode: 'a/b c' });
  });
});
