// Photos waiting to be uploaded, kept in IndexedDB until the server has them.
import { openDb, STRICT } from './db.js';

/** Keep a photo for a signal; `sha256` names it on the server. */
export async function keepPhoto(sha256, signalId, blob) {
  // Stored as bytes, not as a Blob: Blobs in IndexedDB have failed on iOS.
  const bytes = await blob.arrayBuffer();
  const db = await openDb();
  const tx = db.transaction('photos', 'readwrite', STRICT);
  await tx.store.put({ sha256, signal_id: signalId, bytes, type: blob.type || 'image/jpeg' });
  await tx.done;
}

async function waitingPhotos() {
  return (await openDb()).getAll('photos');
}

/** Signal ids that still wait for a photo upload. */
export async function signalsWaitingForPhotos() {
  return new Set((await waitingPhotos()).map((p) => p.signal_id));
}

/**
 * Upload every waiting photo with `call('PUT', path, blob)`. A photo the server
 * refuses for good (too big, wrong type) is dropped so it never blocks the rest;
 * a network or server error stops here and the next sync tries again.
 */
export async function uploadWaitingPhotos(call) {
  const db = await openDb();
  for (const photo of await waitingPhotos()) {
    try {
      await call('PUT', `/attachments/${photo.sha256}`, new Blob([photo.bytes], { type: photo.type }));
    } catch (err) {
      if (err?.kind !== 'http') throw err;
    }
    await db.delete('photos', photo.sha256);
  }
}
