// The sync engine: the client side of the sync protocol (CONTRACT.md, "Sync
// protocol"; the reference client is tests/sync_device.py).
//
// syncOnce(): push the outbox in batches, then pull every page since the
// cursor. It never throws: it returns a result object
//   {ok: true, pushed, conflicts, rejected, pulled, epochReset, pending}
//   {ok: false, needsLogin: true, status: 401}
//   {ok: false, error: 'network'|'server'|'http'|'protocol'|'internal', status, retryIn}
// and after a failure (except 401) it schedules a retry with backoff.
// One sync at a time per tab, and across tabs through a Web Lock.
//
// A sync pushes only the signed-in user's outbox entries (and photos): on a
// shared phone, what another user left unsent waits for that user.
import { openDb, closeDb, sessionUser, STRICT } from '../store/db.js';
import * as outbox from '../store/outbox.js';
import { acceptInTx, removeInTx, settleInTx, noticeInTx, getCursor } from '../store/signals.js';
import { createBackoff } from './backoff.js';

export const LOCK_NAME = 'gebiedsradar-sync';
const SYNC_TAG = 'gebiedsradar-sync';
const PUSH_BATCH = 100;
const PULL_LIMIT = 500;
const MAX_EPOCH_RESETS = 2;

/** A failed request, turned into a result by the engine. */
class SyncFailure extends Error {
  constructor(kind, status = 0, problem = null) {
    super(problem?.detail || `sync: ${kind}${status ? ` (${status})` : ''}`);
    this.name = 'SyncFailure';
    this.kind = kind; // 'network' | 'auth' | 'server' | 'http' | 'protocol'
    this.status = status;
    this.problem = problem;
  }
}

function toWire(m) {
  return {
    id: m.id,
    seq: m.seq,
    op: m.op,
    signal_id: m.signal_id,
    base_version: m.base_version ?? null,
    data: m.data ?? {},
    client_time: m.client_time ?? null,
  };
}

/**
 * Store a newly seen epoch. On a change the server was restored from a backup:
 * forget the cursor (pull from the start) and put every acknowledged mutation that
 * no pull has echoed back into the outbox, so the server gets it again.
 * `tx` includes "sync", "acked" and "outbox".
 */
async function checkEpochInTx(tx, epoch) {
  const meta = tx.objectStore('sync');
  const known = (await meta.get('epoch')) ?? null;
  if (epoch == null || epoch === known) return false;
  await meta.put(epoch, 'epoch');
  if (known === null) return false;
  await meta.put(null, 'cursor');
  const acked = tx.objectStore('acked');
  for (const m of await acked.getAll()) {
    const { acked_version: _version, ...mutation } = m;
    await tx.objectStore('outbox').put(mutation);
  }
  await acked.clear();
  return true;
}

/** A pull echoed this signal at `version`: acknowledged mutations up to it are safe. */
async function forgetEchoedInTx(tx, signalId, version) {
  const index = tx.objectStore('acked').index('signal_id');
  let cursor = await index.openCursor(signalId);
  while (cursor) {
    if (version == null || cursor.value.acked_version == null || cursor.value.acked_version <= version) {
      await cursor.delete();
    }
    cursor = await cursor.continue();
  }
}

/**
 * Apply a push response: every result is final for its mutation, which
 * leaves the outbox; the server's state is taken where no local change waits.
 * @returns {Promise<{removed: number, conflicts: number, rejected: number, epochReset: boolean}>}
 */
export async function applyPushResponse(response) {
  const db = await openDb();
  const tx = db.transaction(['outbox', 'acked', 'signals', 'notices', 'sync', 'session'], 'readwrite', STRICT);
  const summary = { removed: 0, conflicts: 0, rejected: 0, epochReset: false };
  summary.epochReset = await checkEpochInTx(tx, response?.server_epoch ?? null);
  const box = tx.objectStore('outbox');
  for (const result of response?.results ?? []) {
    const mutation = await box.get(result.id);
    if (mutation) {
      await box.delete(result.id);
      summary.removed += 1;
      if (result.status !== 'rejected') {
        await tx.objectStore('acked').put({ ...mutation, acked_version: result.version ?? null });
      }
    }
    const sid = result.signal_id;
    const server = result.server ?? null;
    const notice = {
      signal_id: sid,
      mutation_id: result.id,
      op: mutation?.op ?? null,
      data: mutation?.data ?? null,
      problem: result.problem ?? null,
      server,
      version: result.version ?? null,
      // On a conflict: the fields where this change did not win, with what it sent
      // (e.g. {status: 'doorgezet'} for a signal closed meanwhile).
      lost: result.lost ?? null,
    };
    if (result.status === 'rejected') {
      summary.rejected += 1;
      await noticeInTx(tx, { ...notice, kind: 'rejected' });
      if (server === null) {
        const local = await tx.objectStore('signals').get(sid);
        // A create the server refused: the signal never existed there.
        if (local && local.version == null) await acceptInTx(tx, sid, null, null);
      } else {
        await acceptInTx(tx, sid, server, result.version ?? null);
      }
    } else {
      if (result.status === 'conflict') {
        summary.conflicts += 1;
        await noticeInTx(tx, { ...notice, kind: 'conflict' });
      }
      await acceptInTx(tx, sid, server, result.version ?? null);
    }
    await settleInTx(tx, sid);
  }
  await tx.done;
  return summary;
}

/**
 * Apply one pull page and store its cursor, atomically. A removal
 * ({deleted, version}: deleted, or out of the user's sight) drops the local
 * copy and its photos (store/signals.js removeInTx).
 * @returns {Promise<{reset: boolean, hasMore: boolean, applied: number}>}
 */
export async function applyPullPage(page) {
  const db = await openDb();
  const tx = db.transaction(['outbox', 'acked', 'signals', 'sync', 'session', 'photos', 'notices'], 'readwrite');
  if (await checkEpochInTx(tx, page?.server_epoch ?? null)) {
    await tx.done;
    return { reset: true, hasMore: true, applied: 0 };
  }
  let applied = 0;
  for (const change of page?.changes ?? []) {
    if (change.signal) {
      await forgetEchoedInTx(tx, change.signal.id, change.signal.version ?? null);
      if (await acceptInTx(tx, change.signal.id, change.signal, change.signal.version ?? null)) applied += 1;
    } else if (change.deleted) {
      await forgetEchoedInTx(tx, change.deleted, null);
      if (await removeInTx(tx, change.deleted, change.version ?? null)) applied += 1;
    }
  }
  await tx.objectStore('sync').put(page?.cursor ?? null, 'cursor');
  await tx.done;
  return { reset: false, hasMore: Boolean(page?.has_more), applied };
}

/** Ask for a Background Sync (Chromium only; elsewhere nothing happens). */
async function registerBackgroundSync(tag = SYNC_TAG) {
  try {
    const sw = globalThis.navigator?.serviceWorker;
    if (!sw || !('SyncManager' in globalThis)) return false;
    const registration = await sw.ready;
    if (!registration?.sync?.register) return false;
    await registration.sync.register(tag);
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {object} options
 * @param {typeof fetch} [options.fetchImpl]
 * @param {() => (string|null|Promise<string|null>)} options.getToken
 * @param {() => (string|null|Promise<string|null>)} [options.getUser] whose entries to send (default: the session's)
 * @param {(event: {reason: 'state'|'push'|'pull', syncing: boolean, result?: object}) => void} [options.onChange]
 */
export function createSyncEngine({
  fetchImpl = (...args) => globalThis.fetch(...args),
  getToken,
  getUser = () => sessionUser(),
  onChange = () => {},
  apiBase = '/api/v1',
  batchSize = PUSH_BATCH,
  pullLimit = PULL_LIMIT,
  random = Math.random,
  setTimer = (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimer = (id) => globalThis.clearTimeout(id),
  locks = globalThis.navigator?.locks,
  timeoutMs = 60_000,
  win = globalThis.window,
  doc = globalThis.document,
  backgroundSync = false,
  beforePush = null,
} = {}) {
  if (typeof getToken !== 'function') throw new TypeError('getToken ontbreekt');
  const backoff = createBackoff({ random });
  let inflight = null;
  let queued = null;
  let timer = null;
  let syncing = false;
  let lastResult = null;
  let listeners = null;

  function notify(reason, extra = {}) {
    try {
      onChange({ reason, syncing, ...extra });
    } catch {
      /* a broken listener must not break sync */
    }
  }

  async function call(method, path, token, body) {
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timeout = controller && timeoutMs ? globalThis.setTimeout(() => controller.abort(), timeoutMs) : null;
    try {
      const headers = { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${token}` };
      const init = { method, headers, cache: 'no-store', credentials: 'same-origin', signal: controller?.signal };
      if (body instanceof Blob) {
        headers['Content-Type'] = body.type || 'application/octet-stream';
        init.body = body;
      } else if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      let res;
      try {
        res = await fetchImpl(apiBase + path, init);
      } catch {
        throw new SyncFailure('network'); // offline, DNS, reset, timeout: the server may have committed
      }
      if (res.status === 401) throw new SyncFailure('auth', 401);
      if (!res.ok) {
        let problem = null;
        try {
          problem = await res.json();
        } catch {
          /* no problem document */
        }
        throw new SyncFailure(res.status >= 500 ? 'server' : 'http', res.status, problem);
      }
      try {
        return await res.json();
      } catch {
        throw new SyncFailure(controller?.signal.aborted ? 'network' : 'protocol', res.status);
      }
    } finally {
      if (timeout !== null) globalThis.clearTimeout(timeout);
    }
  }

  async function push(token, user, summary) {
    const device = await outbox.deviceId();
    for (;;) {
      const batch = await outbox.peek(batchSize, user);
      if (batch.length === 0) return;
      const response = await call('POST', '/sync/push', token, { device_id: device, mutations: batch.map(toWire) });
      if (!response || !Array.isArray(response.results)) throw new SyncFailure('protocol', 200);
      const done = await applyPushResponse(response);
      summary.pushed += done.removed;
      summary.conflicts += done.conflicts;
      summary.rejected += done.rejected;
      summary.epochReset ||= done.epochReset;
      notify('push', { done });
      // A response that acknowledges none of the batch would make us loop.
      if (done.removed === 0) throw new SyncFailure('protocol', 200);
    }
  }

  async function pull(token, summary) {
    let cursor = await getCursor();
    let resets = 0;
    for (;;) {
      const query = new URLSearchParams();
      if (cursor) query.set('cursor', cursor);
      query.set('limit', String(pullLimit));
      const page = await call('GET', `/sync/pull?${query}`, token);
      if (!page || !Array.isArray(page.changes)) throw new SyncFailure('protocol', 200);
      const done = await applyPullPage(page);
      if (done.reset) {
        if (++resets > MAX_EPOCH_RESETS) throw new SyncFailure('protocol', 200);
        summary.epochReset = true;
        cursor = null;
        continue;
      }
      summary.pulled += done.applied;
      if (done.applied) notify('pull', { done });
      if (!done.hasMore) return;
      if (!page.cursor || page.cursor === cursor) throw new SyncFailure('protocol', 200);
      cursor = page.cursor;
    }
  }

  async function sync() {
    const token = await getToken();
    const user = token ? await getUser() : null;
    if (!token || !user) return { ok: false, needsLogin: true, status: 401 };
    const summary = { ok: true, pushed: 0, conflicts: 0, rejected: 0, pulled: 0, epochReset: false };
    try {
      // Photos first: a signal may refer to a photo still on its way, but sooner is better.
      if (beforePush) await beforePush({ token, user, call: (method, path, body) => call(method, path, token, body) });
      await push(token, user, summary);
      await pull(token, summary);
    } catch (err) {
      if (!(err instanceof SyncFailure)) throw err;
      if (err.kind === 'auth') return { ...summary, ok: false, needsLogin: true, status: 401 };
      return { ...summary, ok: false, error: err.kind, status: err.status, problem: err.problem };
    }
    summary.pending = await outbox.count(user);
    return summary;
  }

  function withLock(fn) {
    if (locks && typeof locks.request === 'function') return locks.request(LOCK_NAME, () => fn());
    return fn();
  }

  function clearRetry() {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
  }

  function scheduleRetry() {
    clearRetry();
    const delay = backoff.next();
    timer = setTimer(() => {
      timer = null;
      syncOnce();
    }, delay);
    return delay;
  }

  async function run() {
    syncing = true;
    notify('state');
    let result;
    try {
      result = await withLock(sync);
    } catch (err) {
      // IndexedDB trouble (e.g. iOS closed the connection): reopen next time.
      if (err?.name === 'InvalidStateError') await closeDb();
      result = { ok: false, error: 'internal', status: 0, detail: String(err?.message ?? err) };
    }
    if (result.ok) {
      backoff.reset();
      clearRetry();
    } else if (result.needsLogin) {
      clearRetry(); // nothing to retry until the user signs in again (then syncNow)
    } else {
      result.retryIn = scheduleRetry();
      // Only when truly offline: the browser fires the sync when the connection returns.
      // Online with an unreachable server, a sync registration would fire at once and loop.
      if (backgroundSync && result.error === 'network' && globalThis.navigator?.onLine === false) {
        registerBackgroundSync();
      }
    }
    lastResult = result;
    syncing = false;
    notify('state', { result });
    return result;
  }

  /** Push and pull once. Called while a sync runs, it runs once more after it. */
  function syncOnce() {
    if (inflight) {
      if (!queued) {
        queued = inflight.then(() => {
          queued = null;
          return syncOnce();
        });
      }
      return queued;
    }
    inflight = run().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /** Sync now (a button, a new signal, sign-in): skips a waiting retry. */
  function syncNow() {
    clearRetry();
    return syncOnce();
  }

  function stop() {
    clearRetry();
    if (listeners) {
      win?.removeEventListener?.('online', listeners.online);
      doc?.removeEventListener?.('visibilitychange', listeners.visible);
      listeners = null;
    }
  }

  /** Sync on start, when the connection returns and when the app becomes visible. */
  function start() {
    if (listeners) return stop;
    listeners = {
      online: () => {
        backoff.reset();
        syncNow();
      },
      visible: () => {
        if (doc?.visibilityState === 'visible') syncNow();
      },
    };
    win?.addEventListener?.('online', listeners.online);
    doc?.addEventListener?.('visibilitychange', listeners.visible);
    if (backgroundSync && globalThis.navigator?.onLine === false) registerBackgroundSync();
    syncNow();
    return stop;
  }

  /** Resolves when no sync runs (the one running, and one queued after it, have ended). */
  async function idle() {
    while (inflight || queued) await (queued || inflight).catch(() => {});
  }

  /** Run `fn` while no sync runs in this tab or another (e.g. clearing the device on log-out). */
  async function exclusive(fn) {
    stop();
    await idle();
    return withLock(fn);
  }

  return {
    syncOnce,
    syncNow,
    start,
    stop,
    idle,
    exclusive,
    get state() {
      return { syncing, lastResult, retrying: timer !== null, attempt: backoff.attempt };
    },
  };
}
