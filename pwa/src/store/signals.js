// The local copy of signals (server state plus edits that still wait in the
// outbox), the pull cursor and the conflict notices. The sync engine writes
// these (and the server epoch) in its own transactions with the building
// blocks below.
//
// A local signal is the signal as on the wire, plus `_pending: true` while
// local changes wait. `version` is always the last version known from the
// server (null for a signal the server has not acknowledged yet): it is the
// base_version of the next edit.
import { openDb, STRICT } from './db.js';
import { uuid7, enqueueInTx, hasPendingInTx, ownerOf } from './outbox.js';
import { photosOfSignalInTx } from './photos.js';

// ---- building blocks that run inside a caller's transaction ------------------

/**
 * Take the server's state for a signal (null: it is gone) unless a local
 * mutation for it still waits or the local copy is newer. The same rule as
 * tests/sync_device.py `_accept`. `tx` must include "signals", "outbox" and "session".
 * @returns {Promise<boolean>} whether the local copy changed
 */
export async function acceptInTx(tx, signalId, server, version) {
  if (await hasPendingInTx(tx, signalId)) return false;
  const store = tx.objectStore('signals');
  const local = await store.get(signalId);
  const known = local?.version;
  if (known != null && version != null && version < known) return false; // a late, older answer
  if (server == null) {
    if (!local) return false;
    await store.delete(signalId);
  } else {
    await store.put(stripLocal(server));
  }
  return true;
}

/**
 * A pull says the signal left this user's sight (deleted, moved to another
 * area, the user's areas changed): drop the local copy, its photos and notices,
 * because the user may no longer hold them. A local edit that still waits is
 * not dropped with it: its outbox entry stays and the server answers it on the
 * next push; until then a notice without content tells the user where it went.
 * A refusal of the user's change the server already sent stays told, without content.
 * `tx` must include "signals", "outbox", "session", "photos" and "notices".
 * @returns {Promise<boolean>} whether the local copy changed
 */
export async function removeInTx(tx, signalId, version) {
  const store = tx.objectStore('signals');
  const local = await store.get(signalId);
  if (local?.version != null && version != null && version < local.version) return false; // a late, older answer
  const pending = await hasPendingInTx(tx, signalId);
  if (local) await store.delete(signalId);
  if (!pending) {
    // Only this user's photos: another user's unsent photo stays theirs (store/logout.js).
    for (const photo of await photosOfSignalInTx(tx, signalId, await ownerOf(tx))) {
      await tx.objectStore('photos').delete(photo.sha256);
    }
  }
  const notices = tx.objectStore('notices');
  const told = await notices.get(signalId);
  if (pending) {
    await noticeInTx(tx, { signal_id: signalId, kind: 'removed' });
  } else if (told?.kind === 'rejected') {
    // The server refused the user's change (e.g. just before this removal): keep telling
    // them, but without the signal's server state.
    await notices.put({ signal_id: signalId, kind: 'rejected', op: told.op ?? null, problem: told.problem ?? null, at: told.at });
  } else {
    await notices.delete(signalId);
  }
  return Boolean(local);
}

/** Mark a signal as no longer waiting when its last mutation got an answer that left it as is. */
export async function settleInTx(tx, signalId) {
  if (await hasPendingInTx(tx, signalId)) return;
  const store = tx.objectStore('signals');
  const local = await store.get(signalId);
  if (local?._pending) {
    delete local._pending;
    await store.put(local);
  }
}

/** Remember a notice for the user about one signal. `tx` must include "notices". */
export async function noticeInTx(tx, notice) {
  await tx.objectStore('notices').put({ at: new Date().toISOString(), ...notice });
}

function stripLocal(signal) {
  const copy = { ...signal };
  for (const key of Object.keys(copy)) if (key.startsWith('_')) delete copy[key];
  return copy;
}

// ---- the local copy ----------------------------------------------------------

/** Every local signal. */
export async function all() {
  const db = await openDb();
  return db.getAll('signals');
}

/** One local signal by id (undefined when the phone does not have it): no read of all 5,000. */
export async function one(id) {
  const db = await openDb();
  return db.get('signals', id);
}

/**
 * The `count` newest observations, how many signals there are, and every notice: the list's
 * first page on a phone with thousands of signals, drawn before all of them are read.
 * (Ordered by the observed_at text: a signal not yet sent, with the phone's offset, may sit an
 * hour off; the full read that follows sorts by time.)
 * @returns {Promise<{signals: object[], notices: object[], total: number}>}
 */
export async function newestWithNotices(count, now = Date.now()) {
  const db = await openDb();
  const tx = db.transaction(['signals', 'notices']);
  const store = tx.objectStore('signals');
  const [total, notices] = await Promise.all([store.count(), tx.objectStore('notices').getAll()]);
  // One read of the last week, month, … (a cursor step per signal is far slower on a phone).
  let signals = [];
  for (const days of [7, 31, 122, 366, null]) {
    const range = days == null ? null : IDBKeyRange.lowerBound(new Date(now - days * 86_400_000).toISOString());
    signals = await store.index('observed_at').getAll(range);
    if (signals.length >= count || signals.length >= total) break;
  }
  await tx.done;
  return { signals: signals.slice(-count).reverse(), notices, total };
}

/** Every local signal and every notice, read in one transaction (what the list shows). */
export async function allWithNotices() {
  const db = await openDb();
  const tx = db.transaction(['signals', 'notices']);
  const [signals, notices] = await Promise.all([tx.objectStore('signals').getAll(), tx.objectStore('notices').getAll()]);
  return { signals, notices };
}

// ---- the pull cursor ---------------------------------------------------------

/** Where the next pull starts (null: from the beginning). */
export async function getCursor() {
  const db = await openDb();
  return (await db.get('sync', 'cursor')) ?? null;
}

// ---- notices (conflicts and rejections reported by the server) ----------------

/** All notices: {signal_id, kind: 'conflict'|'rejected', mutation_id, op, problem, server, version, lost, at}
 *  (`lost`: on a conflict, the fields where the user's change did not win → what it sent; null if none). */
export async function getNotices() {
  const db = await openDb();
  return db.getAll('notices');
}

/** The user has seen the notice. */
export async function dismissNotice(signalId) {
  const db = await openDb();
  await db.delete('notices', signalId);
}

// ---- capture: local change + outbox entry in one transaction -----------------

async function capture(work) {
  const db = await openDb();
  const tx = db.transaction(['signals', 'outbox', 'sync', 'session'], 'readwrite', STRICT);
  try {
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (err) {
    tx.done.catch(() => {}); // the abort below rejects it; the caller gets `err`
    try {
      tx.abort();
    } catch {
      /* already finished */
    }
    throw err;
  }
}

const READ_ONLY = ['id', 'version', 'kern', 'wijk', 'buurt', 'created_by', 'created_at', 'updated_at'];

function clientFields(fields) {
  const data = structuredClone(fields ?? {});
  for (const key of Object.keys(data)) {
    if (READ_ONLY.includes(key) || key.startsWith('_')) delete data[key];
  }
  return data;
}

/**
 * A new signal: a client-made id, stored locally (version null, pending) and
 * a `create` in the outbox.
 * @param {object} fields what the user entered
 * @param {{kern?: object|null, wijk?: object|null, buurt?: object|null}} [place] where the phone's
 *   own areas put it: shown while the signal waits; the server's answer replaces it
 * @returns {Promise<object>} the local signal
 */
export async function createSignal(fields, place = {}) {
  const data = clientFields(fields);
  const id = fields?.id || uuid7();
  const { kern = null, wijk = null, buurt = null } = place ?? {};
  return capture(async (tx) => {
    const local = { ...structuredClone(data), kern, wijk, buurt, id, version: null, _pending: true };
    await tx.objectStore('signals').add(local);
    await enqueueInTx(tx, 'create', id, data, null);
    return local;
  });
}

/**
 * Change fields of a signal: an `update` based on the last known server
 * version, applied locally at once.
 * @returns {Promise<object>} the local signal
 */
export async function editSignal(id, fields) {
  const data = clientFields(fields);
  return capture(async (tx) => {
    const store = tx.objectStore('signals');
    const local = await store.get(id);
    if (!local) throw new Error(`Signaal ${id} bestaat niet op dit apparaat.`);
    await enqueueInTx(tx, 'update', id, data, local.version ?? null);
    const updated = { ...local, ...structuredClone(data), _pending: true };
    await store.put(updated);
    return updated;
  });
}

/** Delete a signal: a `delete` in the outbox, gone locally at once. */
export async function deleteSignal(id) {
  return capture(async (tx) => {
    const store = tx.objectStore('signals');
    const local = await store.get(id);
    await enqueueInTx(tx, 'delete', id, {}, local?.version ?? null);
    await store.delete(id);
  });
}
