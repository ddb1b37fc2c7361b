import { z } from 'zod';

// Who this browser is in a study, so that a page reload rejoins as the same participant.
// Stored per join code; what comes back out of localStorage is checked like any input
// (another tab, an extension or an old version of this page may have written it).

const IdentitySchema = z.object({ participantId: z.string().min(1).max(128), resumeToken: z.string().min(1).max(128) });
export type Identity = z.infer<typeof IdentitySchema>;

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function storageKey(joinCode: string): string {
  return `splitlearn.participant.${joinCode.trim()}`;
}

export function loadIdentity(store: KeyValueStore, joinCode: string): Identity | undefined {
  try {
    const raw = store.getItem(storageKey(joinCode));
    if (raw === null) return undefined;
    const parsed = IdentitySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Storage disabled (private mode, policy) or unparseable: behave as a first visit.
    return undefined;
  }
}

export function saveIdentity(store: KeyValueStore, joinCode: string, identity: Identity): void {
  try {
    store.setItem(storageKey(joinCode), JSON.stringify(identity));
  } catch {
    // Without storage the clinician can still contribute; a reload then joins anew.
  }
}

export function forgetIdentity(store: KeyValueStore, joinCode: string): void {
  try {
    store.removeItem(storageKey(joinCode));
  } catch {
    // Nothing stored, nothing to forget.
  }
}
