// Sync state shown in the app's single role="status" element.

/**
 * How many signals wait in the outbox. There is no outbox yet, so 0.
 * @returns {Promise<number>}
 */
export async function pendingCount() {
  return 0;
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
