// The app's few pages, from the URL path. A join link is `/join/<code>`; `?code=` also works
// (a link pasted into an e-mail client that mangles paths still opens the right study).

export type Route =
  | { page: 'contribute'; joinCode: string }
  | { page: 'dashboard'; studyId: string }
  | { page: 'demo' }
  | { page: 'studies' }
  | { page: 'not-found'; path: string };

function segment(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return decodeURIComponent(value).trim();
  } catch {
    return value.trim();
  }
}

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter((part) => part !== '');
  const queryCode = new URLSearchParams(search).get('code')?.trim() ?? '';
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'contribute', joinCode: queryCode };
  if (first === 'join' && parts.length <= 2) return { page: 'contribute', joinCode: segment(second) || queryCode };
  if (first === 'dashboard' && parts.length === 2) return { page: 'dashboard', studyId: segment(second) };
  if (first === 'demo' && parts.length === 1) return { page: 'demo' };
  if (first === 'studies' && parts.length === 1) return { page: 'studies' };
  return { page: 'not-found', path: pathname };
}

export function joinPath(joinCode: string): string {
  return `/join/${encodeURIComponent(joinCode.trim())}`;
}
