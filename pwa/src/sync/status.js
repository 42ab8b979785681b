// Sync state shown in the app's single role="status" element.
import { pendingSignalIds } from '../store/outbox.js';
import { signalsWaitingForPhotos } from '../store/photos.js';

/**
 * How many signals of `user` (default: the signed-in user) still wait to be
 * sent: in the outbox or waiting for a photo upload.
 * @returns {Promise<number>}
 */
export async function pendingCount(user = undefined) {
  const [outbox, photos] = await Promise.all([pendingSignalIds(user), signalsWaitingForPhotos(user)]);
  return new Set([...outbox, ...photos]).size;
}

/**
 * The sync state in plain Dutch.
 * @param {number} pending signals waiting to be sent
 * @param {boolean} online whether the device has a connection
 */
export function statusText(pending, online = true) {
  const n = Math.max(0, Math.trunc(Number(pending) || 0));
  let text;
  if (n === 0) text = 'Alles verzonden';
  else if (n === 1) text = '1 signaal wacht op verzending';
  else text = `${n} signalen wachten op verzending`;
  return online ? text : `${text} (offline)`;
}
