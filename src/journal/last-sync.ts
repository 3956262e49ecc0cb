import type { Journal } from './journal.js';

const LAST_SYNC_KEY = 'last_sync';

/** The last run that sent anything (or failed to), whoever ran it: what `status` and the dashboard show. */
export interface LastSync {
  /** ISO time. */
  readonly at: string;
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly failed: number;
  readonly pending: number;
  /** Who ran it (absent in entries written before this was kept). */
  readonly by?: 'daemon' | 'sync';
}

export function recordLastSync(journal: Journal, sync: Omit<LastSync, 'at'>, at = Date.now()): void {
  journal.setMeta(LAST_SYNC_KEY, JSON.stringify({ at: new Date(at).toISOString(), ...sync }));
}

export function readLastSync(journal: Journal): LastSync | undefined {
  const text = journal.getMeta(LAST_SYNC_KEY);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LastSync;
  } catch {
    return undefined;
  }
}
