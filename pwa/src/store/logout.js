// Logging out: what of a user stays on the device and what goes.
//
// Goes: the session (token, user), every signal copied from the server, the
// notices about them, acknowledged mutations (they hold signal text), the pull
// cursor (the next user pulls their own scope from the start) and the cached
// lists. Stays: what a user made that the server has not received yet (outbox
// entries, photos waiting for upload), bound to that user and sent only when
// they sign in again; the device id, the seq counter, the server epoch and the
// area shapes (public geodata, large, the same for everyone).
import { openDb, STRICT } from './db.js';

const KEEP_CACHE = new Set(['areas']);
const KEEP_SYNC = new Set(['deviceId', 'seq', 'epoch']);

/** Forget everything of the signed-in user except what they have not sent yet. */
export async function forgetUser() {
  const db = await openDb();
  const stores = ['session', 'cache', 'signals', 'notices', 'acked', 'sync'];
  const tx = db.transaction(stores, 'readwrite', STRICT);
  await Promise.all([
    tx.objectStore('session').clear(),
    tx.objectStore('signals').clear(),
    tx.objectStore('notices').clear(),
    tx.objectStore('acked').clear(),
    dropKeys(tx.objectStore('cache'), KEEP_CACHE),
    dropKeys(tx.objectStore('sync'), KEEP_SYNC),
  ]);
  await tx.done;
}

async function dropKeys(store, keep) {
  for (const key of await store.getAllKeys()) {
    if (!keep.has(key)) await store.delete(key);
  }
}
