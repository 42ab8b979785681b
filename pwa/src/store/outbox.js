// The outbox: mutations made on this device that the server has not answered
// yet, in IndexedDB, first in first out by `seq`. A mutation leaves the outbox
// only when the server has given it a result (any status is final); nothing
// here ever expires.
//
// A mutation, exactly as it goes on the wire (CONTRACT.md, "Sync protocol"):
//   {id, seq, op: 'create'|'update'|'delete', signal_id, base_version, data, client_time}
import { openDb, STRICT } from './db.js';

const OPS = Object.freeze(['create', 'update', 'delete']);

/** A random uuid (v4). */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Now as RFC 3339 with the device's own offset, e.g. 2026-11-28T10:15:00+01:00. */
function localTime(date = new Date()) {
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(off / 60)}:${pad(off % 60)}`
  );
}

// ---- building blocks that run inside a caller's transaction ------------------
// (store/signals.js uses them to change a signal and enqueue its mutation
// atomically; the transaction must include "outbox" and "sync".)

/**
 * Add a mutation with the next seq. `tx` must include "outbox" and "sync" (readwrite).
 * @returns {Promise<object>} the stored mutation
 */
export async function enqueueInTx(tx, op, signalId, data = {}, baseVersion = null) {
  if (!OPS.includes(op)) throw new TypeError(`onbekende operatie: ${op}`);
  if (!signalId) throw new TypeError('signal_id ontbreekt');
  const meta = tx.objectStore('sync');
  // seq is per device and only ever grows, also after the outbox ran empty.
  const seq = ((await meta.get('seq')) ?? 0) + 1;
  await meta.put(seq, 'seq');
  const mutation = {
    id: uuid(),
    seq,
    op,
    signal_id: signalId,
    base_version: Number.isInteger(baseVersion) && baseVersion >= 1 ? baseVersion : null,
    data: data == null ? {} : structuredClone(data),
    client_time: localTime(),
  };
  await tx.objectStore('outbox').add(mutation);
  return mutation;
}

/** Whether a mutation for this signal still waits. `tx` must include "outbox". */
export async function hasPendingInTx(tx, signalId) {
  return (await tx.objectStore('outbox').index('signal_id').count(signalId)) > 0;
}

// ---- the public API ----------------------------------------------------------

/** Add a mutation to the end of the outbox (durable once the promise resolves). */
export async function enqueue(op, signalId, data = {}, baseVersion = null) {
  const db = await openDb();
  const tx = db.transaction(['outbox', 'sync'], 'readwrite', STRICT);
  const mutation = await enqueueInTx(tx, op, signalId, data, baseVersion);
  await tx.done;
  return mutation;
}

/** The oldest `limit` mutations, in seq order. */
export async function peek(limit = 100) {
  const db = await openDb();
  return db.getAllFromIndex('outbox', 'seq', null, limit);
}

/** How many mutations wait. */
export async function count() {
  const db = await openDb();
  return db.count('outbox');
}

/** The different signals that have mutations waiting (for the status line). */
export async function pendingSignalIds() {
  const db = await openDb();
  const tx = db.transaction('outbox');
  const ids = new Set();
  let cursor = await tx.store.index('signal_id').openKeyCursor(null, 'nextunique');
  while (cursor) {
    ids.add(cursor.key);
    cursor = await cursor.continue();
  }
  return ids;
}

/** This device's id: a uuid made once and kept. */
export async function deviceId() {
  const db = await openDb();
  const known = await db.get('sync', 'deviceId');
  if (known) return known;
  const tx = db.transaction('sync', 'readwrite', STRICT);
  let id = await tx.store.get('deviceId'); // another tab may have just made it
  if (!id) {
    id = uuid();
    await tx.store.put(id, 'deviceId');
  }
  await tx.done;
  return id;
}
