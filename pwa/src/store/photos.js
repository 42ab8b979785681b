// Photos waiting to be uploaded, kept in IndexedDB until the server has them.
// Like an outbox entry, a photo belongs to the user who took it (`user`): only
// that user uploads it, and it stays on the device if they log out before.
import { openDb, ownerInTx, STRICT, userOrSession } from './db.js';

/** Keep a photo of the signed-in user for a signal; `sha256` names it on the server. */
export async function keepPhoto(sha256, signalId, blob) {
  // Stored as bytes, not as a Blob: Blobs in IndexedDB have failed on iOS.
  const bytes = await blob.arrayBuffer();
  const db = await openDb();
  const tx = db.transaction(['photos', 'session'], 'readwrite', STRICT);
  const user = await ownerInTx(tx);
  if (!user) throw new TypeError('niemand is ingelogd');
  await tx.objectStore('photos').put({ sha256, signal_id: signalId, bytes, type: blob.type || 'image/jpeg', user });
  await tx.done;
}

async function waitingPhotos(user) {
  const owner = await userOrSession(user);
  if (!owner) return [];
  return (await (await openDb()).getAll('photos')).filter((p) => p.user === owner);
}

/** Signal ids that still wait for a photo upload of `user` (default: the signed-in user). */
export async function signalsWaitingForPhotos(user = undefined) {
  return new Set((await waitingPhotos(user)).map((p) => p.signal_id));
}

/**
 * Upload every waiting photo of `user` (default: the signed-in user) with
 * `call('PUT', path, blob)`. A photo the server refuses for good (too big, wrong
 * type) is dropped so it never blocks the rest; a network or server error stops
 * here and the next sync tries again.
 */
export async function uploadWaitingPhotos(call, user = undefined) {
  const db = await openDb();
  for (const photo of await waitingPhotos(user)) {
    try {
      await call('PUT', `/attachments/${photo.sha256}`, new Blob([photo.bytes], { type: photo.type }));
    } catch (err) {
      if (err?.kind !== 'http') throw err;
    }
    await db.delete('photos', photo.sha256);
  }
}

const waitingInTx = new WeakMap(); // tx → Promise<photos>: a pull page with many removals reads the store once

/**
 * Photos of `user` waiting in transaction `tx` (which includes "photos") for this signal.
 * The store is read once per transaction; one deleted since may still be listed (deleting it again is harmless).
 */
export async function photosOfSignalInTx(tx, signalId, user) {
  if (!waitingInTx.has(tx)) waitingInTx.set(tx, tx.objectStore('photos').getAll());
  return (await waitingInTx.get(tx)).filter((p) => p.signal_id === signalId && p.user === user);
}
