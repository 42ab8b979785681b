// A signal as the capture form makes it, shared by the store and engine tests,
// and helpers to seed and read the local database.
import { beforeEach } from 'vitest';
import { openDb, saveToken } from '../src/store/db.js';

export const FIELDS = {
  category: 'overlast',
  description: 'Geluidsoverlast bij de haven',
  urgency: 'normaal',
  source: 'inwoner',
  location: { lat: 52.7107, lon: 5.748, accuracy_m: 12, method: 'gps' },
  observed_at: '2026-11-28T10:15:00+01:00',
};

/** What IndexedDB holds in `store` under `key` (null: nothing): to check what the app stored. */
export async function stored(store, key) {
  const db = await openDb();
  return (await db.get(store, key)) ?? null;
}

/** A signal in the local copy as an earlier pull would have left it (no outbox entry). */
export async function seedSignal(signal) {
  const db = await openDb();
  await db.put('signals', structuredClone(signal));
}

/** Sign `username` in on this device, as the log-in screen does (the owner of what is made). */
export async function signIn(username = 'anna') {
  await saveToken({ access_token: `token-${username}`, expires_in: 3600 }, Date.now(), { username });
}

/** In a describe block: every test starts with `username` signed in. */
export function signedIn(username = 'anna') {
  beforeEach(() => signIn(username));
}
