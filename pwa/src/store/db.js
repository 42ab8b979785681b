// The one module that owns the IndexedDB database: its name, version and
// upgrades. Every other module goes through the functions exported here.
//
// Version history (never change an old step, only add a new one):
//   1 — "session" (token, me) and "cache" (categories), both key → value.
//   2 — sync: "outbox" (mutations, keyPath id; indexes "seq" unique and
//       "signal_id"), "signals" (the local copy, keyPath id), "sync"
//       (key → value: deviceId, seq, cursor, epoch) and "notices" (conflict
//       and rejection notices, keyPath signal_id). Used by store/outbox.js,
//       store/signals.js and sync/engine.js.
//   3 — owners: every outbox entry (and every photo waiting for upload) has
//       `user`, the username that made it; index "user_seq" on [user, seq] so
//       the engine sends only the signed-in user's entries. Entries from
//       version 2 get the user of the stored session; without one they stay
//       ownerless until someone signs in (outbox.adoptOrphans).
//   4 — index "observed_at" on "signals": the list's first page (the newest observations)
//       is read without reading every signal first (store/signals.js newestWithNotices).
import { openDB } from 'idb';

export const DB_NAME = 'gebiedsradar';
export const DB_VERSION = 4;

/** Treat a token as expired this long before the server would. */
export const EXPIRY_MARGIN_MS = 30_000;

let dbPromise = null;

function upgrade(db, oldVersion, _newVersion, tx) {
  if (oldVersion < 1) {
    db.createObjectStore('session');
    db.createObjectStore('cache');
  }
  if (oldVersion < 2) {
    const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
    outbox.createIndex('seq', 'seq', { unique: true });
    outbox.createIndex('signal_id', 'signal_id');
    db.createObjectStore('signals', { keyPath: 'id' });
    db.createObjectStore('sync');
    db.createObjectStore('notices', { keyPath: 'signal_id' });
    // Photos waiting for upload: {sha256, signal_id, bytes}; gone once the server has them.
    db.createObjectStore('photos', { keyPath: 'sha256' });
    // Mutations the server acknowledged but no pull has echoed yet: pushed again
    // when the server turns out to be restored from a backup (a new epoch).
    db.createObjectStore('acked', { keyPath: 'id' }).createIndex('signal_id', 'signal_id');
  }
  if (oldVersion < 3) {
    tx.objectStore('outbox').createIndex('user_seq', ['user', 'seq'], { unique: true });
    // Not awaited: the upgrade transaction stays open while these requests run.
    bindOwners(tx);
  }
  if (oldVersion < 4) {
    tx.objectStore('signals').createIndex('observed_at', 'observed_at');
  }
}

/** Version 2 → 3: entries made before owners were recorded belong to the session's user. */
async function bindOwners(tx) {
  const owner = await ownerInTx(tx);
  if (owner) await ownOrphansInTx(tx, ['outbox', 'photos', 'acked'], owner);
}

/**
 * Give every record without `user` in `stores` (all in `tx`, readwrite) to `user`.
 * @returns {Promise<number>} how many were given
 */
export async function ownOrphansInTx(tx, stores, user) {
  let given = 0;
  for (const name of stores) {
    let cursor = await tx.objectStore(name).openCursor();
    while (cursor) {
      if (!cursor.value.user) {
        await cursor.update({ ...cursor.value, user });
        given += 1;
      }
      cursor = await cursor.continue();
    }
  }
  return given;
}

export function openDb() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade,
      blocking() {
        // A newer version of the app (another tab) wants to upgrade: let it.
        closeDb();
      },
    }).catch((err) => {
      dbPromise = null;
      throw err;
    });
  }
  return dbPromise;
}

/** Close the connection (and forget it); the next call opens a new one. */
export async function closeDb() {
  const p = dbPromise;
  dbPromise = null;
  if (p) {
    try {
      (await p).close();
    } catch {
      /* opening had failed: nothing to close */
    }
  }
}

/**
 * Options for transactions that write the outbox: ask the browser to flush
 * to disk before reporting success (ignored where not supported).
 */
export const STRICT = Object.freeze({ durability: 'strict' });

// ---- session: access token ----------------------------------------------

/**
 * Store the token from POST /auth/token with its absolute expiry time and the
 * username it was issued to (the owner of what is made in this session).
 * @param {{access_token: string, expires_in?: number}} tokenResponse
 */
export async function saveToken(tokenResponse, now = Date.now(), { username = null } = {}) {
  const { access_token, expires_in } = tokenResponse || {};
  if (!access_token) throw new TypeError('access_token ontbreekt');
  const seconds = Number.isFinite(expires_in) ? expires_in : 3600;
  const record = { token: access_token, expiresAt: now + seconds * 1000, username };
  const db = await openDb();
  await db.put('session', record, 'token');
  return record;
}

/** The stored token, or null when there is none or it has (nearly) expired. */
export async function getToken(now = Date.now()) {
  const db = await openDb();
  const record = await db.get('session', 'token');
  if (!record || typeof record.token !== 'string') return null;
  if (!(record.expiresAt - EXPIRY_MARGIN_MS > now)) return null;
  return record.token;
}

/**
 * The username of the session in `tx` (which includes "session"): the one the
 * token was issued to, else the kept GET /me; null when nobody is signed in.
 */
export async function ownerInTx(tx) {
  const session = tx.objectStore('session');
  const token = await session.get('token');
  if (token?.username) return token.username;
  return (await session.get('me'))?.username ?? null;
}

/** The signed-in user's name (also when the token has expired), or null. */
export async function sessionUser() {
  const db = await openDb();
  return ownerInTx(db.transaction('session'));
}

/** `user` when given, else the signed-in user (null: nobody): the default of the per-user reads. */
export async function userOrSession(user) {
  return user === undefined ? sessionUser() : user;
}

// ---- session: the signed-in user (GET /me), kept for offline start ---------

export async function saveMe(me) {
  const db = await openDb();
  await db.put('session', me, 'me');
}

export async function getMe() {
  const db = await openDb();
  return (await db.get('session', 'me')) ?? null;
}

// ---- cache: categories (GET /categories) -----------------------------------

export async function saveCategories(categories) {
  const db = await openDb();
  await db.put('cache', { items: categories, savedAt: Date.now() }, 'categories');
}

export async function getCategories() {
  const db = await openDb();
  const record = await db.get('cache', 'categories');
  return record ? record.items : null;
}
