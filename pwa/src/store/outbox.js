// The outbox: mutations made on this device that the server has not answered
// yet, in IndexedDB, first in first out by `seq`. A mutation leaves the outbox
// only when the server has given it a result (any status is final); nothing
// here ever expires.
//
// A mutation, exactly as it goes on the wire (CONTRACT.md, "Sync protocol"):
//   {id, seq, op: 'create'|'update'|'delete', signal_id, base_version, data, client_time}
// plus `user`, its owner: the user signed in when it was made. Only that user
// sends it (a phone may be shared; what A made never reaches the server as B's),
// and it stays on the device when its owner logs out before it was sent.
import { openDb, ownerInTx, ownOrphansInTx, STRICT, userOrSession } from './db.js';

const OPS = Object.freeze(['create', 'update', 'delete']);

const hex = (bytes) => [...bytes].map((x) => x.toString(16).padStart(2, '0')).join('');
const dashed = (h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;

/** A random uuid (v4): the device id, which says nothing about when it was made. */
function uuid4() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return dashed(hex(b));
}

// State of uuid7(): the last timestamp used and the counter within it.
let lastMs = -Infinity;
let counter = 0;
const counterStart = () => globalThis.crypto.getRandomValues(new Uint16Array(1))[0] & 0x7ff;

/**
 * A time-ordered uuid (v7, RFC 9562 §5.7) for the signal and mutation ids made
 * here. The server keeps signals and mutations in SQLite B-trees keyed by these
 * ids: ids that grow with time land at the end of the index instead of on a
 * random page (v4), so inserts stay local and the index stays dense.
 *
 * Layout: 48-bit big-endian Unix milliseconds, version 7, a 12-bit counter
 * (rand_a), variant 0b10, 62 random bits (rand_b) from crypto.getRandomValues.
 * Monotonic within this page (RFC 9562 §6.2, method 1, fixed-length dedicated
 * counter): a new millisecond starts the counter at a random value below 2048;
 * the same millisecond, or a clock that went back, keeps the last timestamp and
 * counts up; when the counter would pass 4095 the timestamp moves one
 * millisecond ahead. So ids made on one page sort (as strings too) in the order
 * they were made.
 */
export function uuid7() {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = counterStart();
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = counterStart();
  }
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  return dashed(hex(b));
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
// atomically; the transaction must include "outbox", "sync" and "session".)

const owners = new WeakMap(); // tx → Promise<owner>: read the session once per transaction

/** The signed-in user of `tx` (which includes "session"), read once per transaction. */
export function ownerOf(tx) {
  if (!owners.has(tx)) owners.set(tx, ownerInTx(tx));
  return owners.get(tx);
}

const ownRange = (user) => IDBKeyRange.bound([user, -Infinity], [user, Infinity]);

/**
 * Add a mutation with the next seq, owned by the signed-in user.
 * `tx` must include "outbox", "sync" and "session" (readwrite).
 * @returns {Promise<object>} the stored mutation
 */
export async function enqueueInTx(tx, op, signalId, data = {}, baseVersion = null) {
  if (!OPS.includes(op)) throw new TypeError(`onbekende operatie: ${op}`);
  if (!signalId) throw new TypeError('signal_id ontbreekt');
  const user = await ownerOf(tx);
  if (!user) throw new TypeError('niemand is ingelogd');
  const meta = tx.objectStore('sync');
  // seq is per device and only ever grows, also after the outbox ran empty.
  const seq = ((await meta.get('seq')) ?? 0) + 1;
  await meta.put(seq, 'seq');
  const mutation = {
    id: uuid7(),
    seq,
    op,
    signal_id: signalId,
    base_version: Number.isInteger(baseVersion) && baseVersion >= 1 ? baseVersion : null,
    data: data == null ? {} : structuredClone(data),
    client_time: localTime(),
    user,
  };
  await tx.objectStore('outbox').add(mutation);
  return mutation;
}

/**
 * Whether a mutation of the signed-in user for this signal still waits
 * (another user's waiting entries do not hold back this user's copy).
 * `tx` must include "outbox" and "session".
 */
export async function hasPendingInTx(tx, signalId) {
  const user = await ownerOf(tx);
  const waiting = await tx.objectStore('outbox').index('signal_id').getAll(signalId);
  return waiting.some((m) => m.user === user);
}

// ---- the public API ----------------------------------------------------------

/** Add a mutation of the signed-in user to the end of the outbox (durable once the promise resolves). */
export async function enqueue(op, signalId, data = {}, baseVersion = null) {
  const db = await openDb();
  const tx = db.transaction(['outbox', 'sync', 'session'], 'readwrite', STRICT);
  const mutation = await enqueueInTx(tx, op, signalId, data, baseVersion);
  await tx.done;
  return mutation;
}

/** The oldest `limit` mutations of `user` (default: the signed-in user), in seq order. */
export async function peek(limit = 100, user = undefined) {
  const owner = await userOrSession(user);
  if (!owner) return [];
  const db = await openDb();
  return db.getAllFromIndex('outbox', 'user_seq', ownRange(owner), limit);
}

/** How many mutations of `user` (default: the signed-in user) wait. */
export async function count(user = undefined) {
  const owner = await userOrSession(user);
  if (!owner) return 0;
  const db = await openDb();
  return db.countFromIndex('outbox', 'user_seq', ownRange(owner));
}

/** The different signals with mutations of `user` (default: the signed-in user) waiting. */
export async function pendingSignalIds(user = undefined) {
  const owner = await userOrSession(user);
  if (!owner) return new Set();
  const db = await openDb();
  return new Set((await db.getAllFromIndex('outbox', 'user_seq', ownRange(owner))).map((m) => m.signal_id));
}

/**
 * Give entries without an owner (made by a version that did not record one,
 * while nobody was signed in) to `user`: the only case where the signed-in
 * user sends what may not be theirs, because nothing on the device says whose.
 * @returns {Promise<number>} how many were adopted
 */
export async function adoptOrphans(user) {
  if (!user) return 0;
  const db = await openDb();
  const tx = db.transaction(['outbox', 'photos'], 'readwrite', STRICT);
  const adopted = await ownOrphansInTx(tx, ['outbox', 'photos'], user);
  await tx.done;
  return adopted;
}

/** This device's id: a random uuid (v4), made once and kept. */
export async function deviceId() {
  const db = await openDb();
  const known = await db.get('sync', 'deviceId');
  if (known) return known;
  const tx = db.transaction('sync', 'readwrite', STRICT);
  let id = await tx.store.get('deviceId'); // another tab may have just made it
  if (!id) {
    id = uuid4();
    await tx.store.put(id, 'deviceId');
  }
  await tx.done;
  return id;
}
