import { useState, type FormEvent, type ReactNode } from 'react';

// The researcher token's field, shared by the dashboard and the studies console: the token is
// kept for this browser tab only (lib/researcher/token_store), never put in a link.

export function TokenForm({ token, onToken }: { token: string; onToken: (token: string) => void }): ReactNode {
  const [draft, setDraft] = useState('');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onToken(draft);
    setDraft('');
  };
  if (token !== '') {
    return (
      <p className="input-row">
        <span>Researcher token set for this tab.</span>
        <button type="button" className="link-button" onClick={() => onToken('')}>
          Forget the token
        </button>
      </p>
    );
  }
  return (
    <form className="field" onSubmit={submit}>
      <label htmlFor="researcher-token">Researcher token</label>
      <div className="input-row">
        <input id="researcher-token" type="password" autoComplete="off" value={draft} onChange={(event) => setDraft(event.target.value)} aria-describedby="researcher-token-hint" />
        <button type="submit" disabled={draft.trim() === ''}>
          Use token
        </button>
      </div>
      <p id="researcher-token-hint" className="hint">
        The relay printed it when it first started. It stays in this browser tab (never in the link); without it this page is read-only.
      </p>
    </form>
  );
}
