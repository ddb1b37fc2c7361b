// The researcher token lives in sessionStorage: it survives a reload of this tab and is gone
// when the tab closes; it is never put in the URL, so a copied dashboard link is read-only.

const KEY = 'splitlearn:researcher-token';

export function loadToken(storage: Pick<Storage, 'getItem'>): string {
  try {
    return storage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveToken(storage: Pick<Storage, 'setItem' | 'removeItem'>, token: string): void {
  try {
    if (token.trim() === '') storage.removeItem(KEY);
    else storage.setItem(KEY, token.trim());
  } catch {
    // Storage can be disabled (private mode, policy): the token then lasts until the page closes.
  }
}
