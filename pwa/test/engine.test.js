import { describe, it, expect, vi } from 'vitest';
import * as outbox from '../src/store/outbox.js';
import * as signals from '../src/store/signals.js';
import { createSyncEngine, LOCK_NAME } from '../src/sync/engine.js';
import { backoffDelay, createBackoff, BASE_MS, CAP_MS } from '../src/sync/backoff.js';
import { FIELDS, seedSignal, signIn, signedIn, stored } from './fixtures.js';
import { forgetUser } from '../src/store/logout.js';
import { keepPhoto, uploadWaitingPhotos } from '../src/store/photos.js';

const TOKEN = 'tok';
const EML = { code: 'EML', name: 'Emmeloord' };

// ---- a small in-memory server speaking the sync protocol ---------------------

function json(status, body, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

function problem(status, detail) {
  return { type: 'about:blank', title: detail, status, detail };
}

function createFakeServer({ epoch = 'e1' } = {}) {
  const s = {
    epoch,
    rows: new Map(), // id → {id, data, version, deleted, kern}
    done: new Map(), // mutation id → {status, version, problem, signal_id}
    log: [], // [{seq, id}]
    requests: [], // {method, path, query, body}
    faults: [], // [{path, kind: 500|'network'|'drop'|401}]
    active: 0,
    maxActive: 0,
  };

  const touch = (id) => s.log.push({ seq: s.log.length ? s.log[s.log.length - 1].seq + 1 : 1, id });
  const view = (row) => (row && !row.deleted ? { ...row.data, id: row.id, version: row.version, kern: row.kern } : null);
  const kernOf = (data) => (data.location ? EML : null);

  /** What another user does directly on the server. */
  s.put = (id, data) => {
    const row = s.rows.get(id);
    if (row) {
      Object.assign(row.data, data);
      row.version += 1;
    } else {
      s.rows.set(id, { id, data: { ...data }, version: 1, deleted: false, kern: kernOf(data) });
    }
    touch(id);
    return view(s.rows.get(id));
  };
  s.remove = (id) => {
    const row = s.rows.get(id);
    row.deleted = true;
    row.version += 1;
    touch(id);
  };
  /** A restore from backup: a new epoch and the state of `snapshot`. */
  s.snapshot = () => structuredClone({ rows: [...s.rows], done: [...s.done], log: s.log });
  s.restore = (snap, newEpoch) => {
    s.rows = new Map(snap.rows);
    s.done = new Map(snap.done);
    s.log = snap.log;
    s.epoch = newEpoch;
  };

  function apply(m) {
    const row = s.rows.get(m.signal_id);
    if (m.op === 'create') {
      if (!m.data.category || !m.data.description) {
        return { status: 'rejected', version: null, problem: problem(422, 'Controleer category.') };
      }
      if (row?.deleted) return { status: 'rejected', version: null, problem: problem(409, 'verwijderd') };
      if (row) return { status: 'applied', version: row.version };
      s.rows.set(m.signal_id, { id: m.signal_id, data: { ...m.data }, version: 1, deleted: false, kern: kernOf(m.data) });
      touch(m.signal_id);
      return { status: 'applied', version: 1 };
    }
    if (!row) return { status: 'rejected', version: null, problem: problem(404, 'bestaat niet') };
    if (m.op === 'update') {
      if (row.deleted) return { status: 'conflict', version: row.version, problem: problem(409, 'verwijderd') };
      const stale = m.base_version != null && m.base_version < row.version;
      Object.assign(row.data, m.data);
      row.version += 1;
      touch(row.id);
      return stale
        ? { status: 'conflict', version: row.version, problem: problem(409, 'Ook elders gewijzigd') }
        : { status: 'applied', version: row.version };
    }
    if (!row.deleted) {
      row.deleted = true;
      row.version += 1;
      touch(row.id);
    }
    return { status: 'applied', version: row.version };
  }

  function push(body) {
    const results = body.mutations.map((m) => {
      const prior = s.done.get(m.id);
      if (prior) {
        return { id: m.id, signal_id: m.signal_id, ...prior, status: 'duplicate', server: view(s.rows.get(m.signal_id)) };
      }
      const out = { problem: null, ...apply(m) };
      s.done.set(m.id, out);
      return { id: m.id, signal_id: m.signal_id, ...out, server: view(s.rows.get(m.signal_id)) };
    });
    return { server_epoch: s.epoch, results };
  }

  function pull(cursor, limit) {
    let after = 0;
    if (cursor) {
      const [e, n] = cursor.split(':');
      after = e === s.epoch ? Number(n) : 0;
    }
    const rows = s.log.filter((c) => c.seq > after).slice(0, limit + 1);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    const lastAt = new Map(page.map((c, i) => [c.id, i]));
    const changes = page
      .filter((c, i) => lastAt.get(c.id) === i)
      .map((c) => {
        const row = s.rows.get(c.id);
        return row.deleted ? { deleted: row.id, version: row.version } : { signal: view(row) };
      });
    const last = s.log.length ? s.log[s.log.length - 1].seq : 0;
    const position = hasMore ? page[page.length - 1].seq : Math.max(after, last);
    return { server_epoch: s.epoch, changes, cursor: `${s.epoch}:${position}`, has_more: hasMore };
  }

  s.fetch = async (url, init = {}) => {
    const u = new URL(url, 'http://localhost');
    const body = init.body ? JSON.parse(init.body) : undefined;
    s.requests.push({ method: init.method, path: u.pathname, query: Object.fromEntries(u.searchParams), body });
    s.active += 1;
    s.maxActive = Math.max(s.maxActive, s.active);
    try {
      await new Promise((r) => setTimeout(r, 1));
      const i = s.faults.findIndex((f) => u.pathname.endsWith(f.path));
      const fault = i >= 0 ? s.faults.splice(i, 1)[0].kind : null;
      if (fault === 'network') throw new TypeError('Failed to fetch');
      if (fault === 500) return json(500, problem(500, 'kapot'), 'application/problem+json');
      if (fault === 401 || init.headers?.Authorization !== `Bearer ${TOKEN}`) {
        return json(401, problem(401, 'niet ingelogd'), 'application/problem+json');
      }
      if (u.pathname === '/api/v1/sync/push' && init.method === 'POST') {
        const answer = push(body);
        if (fault === 'drop') throw new TypeError('Failed to fetch'); // committed, answer lost
        return json(200, answer);
      }
      if (u.pathname === '/api/v1/sync/pull' && init.method === 'GET') {
        const cursor = u.searchParams.get('cursor');
        return json(200, pull(cursor, Number(u.searchParams.get('limit') || 500)));
      }
      return json(404, problem(404, 'niet gevonden'));
    } finally {
      s.active -= 1;
    }
  };
  return s;
}

/** Timers the test runs by hand. */
function manualTimers() {
  const timers = new Map();
  let next = 1;
  return {
    timers,
    setTimer(fn, ms) {
      const id = next++;
      timers.set(id, { fn, ms });
      return id;
    },
    clearTimer(id) {
      timers.delete(id);
    },
    async fire() {
      const [[id, t]] = [...timers];
      timers.delete(id);
      t.fn();
    },
  };
}

function setup(options = {}) {
  const server = createFakeServer();
  const clock = manualTimers();
  const events = [];
  const engine = createSyncEngine({
    fetchImpl: server.fetch,
    getToken: async () => TOKEN,
    onChange: (e) => events.push(e),
    random: () => 0.5,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    locks: null,
    win: null,
    doc: null,
    ...options,
  });
  return { server, clock, engine, events };
}

const pushes = (server) => server.requests.filter((r) => r.path.endsWith('/sync/push'));
const pulls = (server) => server.requests.filter((r) => r.path.endsWith('/sync/pull'));

// ---- backoff -------------------------------------------------------------------

describe('backoff', () => {
  it('grows exponentially with full jitter and a cap', () => {
    expect(backoffDelay(0, { random: () => 0.5 })).toBe(500);
    expect(backoffDelay(1, { random: () => 0.5 })).toBe(1000);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(4000);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { random: () => 0.999999 })).toBe(7999);
    expect(backoffDelay(20, { random: () => 0.5 })).toBe(CAP_MS / 2);
    expect(backoffDelay(10_000, { random: () => 0.999999 })).toBeLessThan(CAP_MS);
    expect(backoffDelay(-1, { random: () => 0.5 })).toBe(BASE_MS / 2);
    expect(backoffDelay(NaN, { random: () => 1 })).toBeLessThan(BASE_MS);
  });

  it('counts attempts and resets', () => {
    const b = createBackoff({ random: () => 0.5 });
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.next()).toBe(500);
  });
});

// ---- the engine ------------------------------------------------------------------

describe('sync engine', () => {
  signedIn();

  it('sends a signal made offline once the network is back', async () => {
    const { server, clock, engine } = setup();
    const local = await signals.createSignal(FIELDS);
    server.faults.push({ path: '/sync/push', kind: 'network' });

    const offline = await engine.syncOnce();
    expect(offline).toMatchObject({ ok: false, error: 'network', retryIn: 500 });
    expect(clock.timers.size).toBe(1);
    expect(await outbox.count()).toBe(1);

    const result = await engine.syncNow();
    expect(result).toMatchObject({ ok: true, pushed: 1, pending: 0 });
    expect(clock.timers.size).toBe(0);
    expect(await outbox.count()).toBe(0);
    const kept = await stored('signals', local.id);
    expect(kept).toMatchObject({ ...FIELDS, id: local.id, version: 1, kern: EML });
    expect(kept).not.toHaveProperty('_pending');

    const push = pushes(server)[1].body;
    expect(push.device_id).toBe(await outbox.deviceId());
    expect(push.mutations).toEqual([expect.objectContaining({ op: 'create', signal_id: local.id, seq: 1 })]);
    expect(await stored('sync', 'epoch')).toBe('e1');
    expect(await signals.getCursor()).toBe('e1:1');
  });

  it('does not duplicate a signal when the answer to a push was lost', async () => {
    const { server, engine } = setup();
    const local = await signals.createSignal(FIELDS);
    server.faults.push({ path: '/sync/push', kind: 'drop' });

    expect(await engine.syncOnce()).toMatchObject({ ok: false, error: 'network' });
    expect(server.rows.size).toBe(1); // the server did commit
    expect(await outbox.count()).toBe(1); // but we do not know it

    const retried = await engine.syncNow();
    expect(retried).toMatchObject({ ok: true, pushed: 1 });
    const [first, second] = pushes(server);
    expect(second.body.mutations[0].id).toBe(first.body.mutations[0].id);
    expect(server.rows.size).toBe(1);
    expect(server.log.filter((c) => c.id === local.id)).toHaveLength(1);
    expect(await outbox.count()).toBe(0);
    expect(await stored('signals', local.id)).toMatchObject({ version: 1, kern: EML });
  });

  it('does not let a rejected mutation block the others', async () => {
    const { server, engine } = setup();
    const bad = await signals.createSignal({ ...FIELDS, category: undefined });
    const good = await signals.createSignal(FIELDS);
    await seedSignal({ id: 'ghost', ...FIELDS, version: 4 });
    await signals.editSignal('ghost', { urgency: 'hoog' }); // the server does not know it: 404

    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: true, pushed: 3, rejected: 2, pending: 0 });
    expect(pushes(server)).toHaveLength(1);
    expect(await outbox.count()).toBe(0);
    expect(await stored('signals', bad.id)).toBeNull(); // a refused create is dropped locally
    expect(await stored('signals', good.id)).toMatchObject({ version: 1 });
    expect(await stored('signals', 'ghost')).toMatchObject({ urgency: 'hoog', version: 4 });
    expect(await stored('signals', 'ghost')).not.toHaveProperty('_pending');
    const notices = await signals.getNotices();
    expect(notices.map((n) => [n.signal_id, n.kind]).sort()).toEqual([
      [bad.id, 'rejected'],
      ['ghost', 'rejected'],
    ].sort());
    expect((await stored('notices', bad.id)).problem.status).toBe(422);
    expect((await stored('notices', bad.id)).data).toMatchObject({ description: FIELDS.description });
  });

  it('stores the merged state and a notice on a conflict', async () => {
    const { server, engine } = setup();
    const local = await signals.createSignal(FIELDS);
    await engine.syncOnce();
    expect((await stored('signals', local.id)).version).toBe(1);

    server.put(local.id, { description: 'Elders aangepast' }); // version 2 on the server
    await signals.editSignal(local.id, { urgency: 'hoog' }); // based on version 1

    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: true, conflicts: 1, pending: 0 });
    const kept = await stored('signals', local.id);
    expect(kept).toMatchObject({ version: 3, urgency: 'hoog', description: 'Elders aangepast' });
    expect(kept).not.toHaveProperty('_pending');
    const notice = await stored('notices', local.id);
    expect(notice).toMatchObject({ kind: 'conflict', version: 3, server: { version: 3, urgency: 'hoog' } });
    await signals.dismissNotice(local.id);
    expect(await signals.getNotices()).toEqual([]);
  });

  it('retries a 500 with growing backoff and recovers', async () => {
    const { server, clock, engine, events } = setup();
    await signals.createSignal(FIELDS);
    server.faults.push({ path: '/sync/push', kind: 500 }, { path: '/sync/push', kind: 500 });

    const first = await engine.syncOnce();
    expect(first).toMatchObject({ ok: false, error: 'server', status: 500, retryIn: 500 });
    expect([...clock.timers.values()].map((t) => t.ms)).toEqual([500]);
    expect(engine.state).toMatchObject({ retrying: true, attempt: 1 });

    await clock.fire(); // the retry runs and fails again
    await engine.syncOnce(); // waits for that run and one more, which succeeds
    const results = events.filter((e) => e.reason === 'state' && e.result).map((e) => e.result);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(results[1].retryIn).toBe(1000);
    expect(await outbox.count()).toBe(0);
    expect(clock.timers.size).toBe(0);
    expect(engine.state).toMatchObject({ retrying: false, attempt: 0 });
  });

  it('asks for a new login on 401 and does not retry', async () => {
    const { server, clock, engine } = setup();
    await signals.createSignal(FIELDS);
    server.faults.push({ path: '/sync/push', kind: 401 });
    expect(await engine.syncOnce()).toMatchObject({ ok: false, needsLogin: true, status: 401 });
    expect(clock.timers.size).toBe(0);
    expect(await outbox.count()).toBe(1);

    const noToken = setup({ getToken: () => null });
    expect(await noToken.engine.syncOnce()).toMatchObject({ ok: false, needsLogin: true });
    expect(noToken.server.requests).toHaveLength(0);
  });

  it('pushes in batches of at most 100', async () => {
    const { server, engine } = setup();
    for (let i = 0; i < 230; i++) await outbox.enqueue('create', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, FIELDS);
    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: true, pushed: 230, pending: 0 });
    const sizes = pushes(server).map((r) => r.body.mutations.length);
    expect(sizes).toEqual([100, 100, 30]);
    const seqs = pushes(server).flatMap((r) => r.body.mutations.map((m) => m.seq));
    expect(seqs).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    expect(server.rows.size).toBe(230);
  });

  it('pulls every page until has_more is false', async () => {
    const { server, engine } = setup({ pullLimit: 3 });
    for (let i = 0; i < 7; i++) server.put(`other-${i}`, { ...FIELDS, description: `nr ${i}` });
    server.put('other-0', { urgency: 'acuut' }); // changed again: on page 1 and again on page 3

    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: true, pulled: 8 });
    const queries = pulls(server).map((r) => r.query);
    expect(queries).toEqual([
      { limit: '3' },
      { cursor: 'e1:3', limit: '3' },
      { cursor: 'e1:6', limit: '3' },
    ]);
    expect(await signals.getCursor()).toBe('e1:8');
    expect(await signals.all()).toHaveLength(7);
    expect(await stored('signals', 'other-0')).toMatchObject({ urgency: 'acuut', version: 2 });

    // Next time: only what changed since the cursor.
    server.remove('other-1');
    await engine.syncOnce();
    expect(pulls(server).at(-1).query).toEqual({ cursor: 'e1:8', limit: '3' });
    expect(await stored('signals', 'other-1')).toBeNull();
  });

  it('does not let a pull overwrite a local edit that still waits', async () => {
    const { server, engine } = setup();
    server.put('s1', FIELDS);
    await engine.syncOnce();
    await signals.editSignal('s1', { description: 'lokaal' });
    server.put('s1', { urgency: 'hoog' });
    server.faults.push({ path: '/sync/push', kind: 'network' });
    await engine.syncOnce(); // push fails: nothing is pulled either
    expect(await stored('signals', 's1')).toMatchObject({ description: 'lokaal', _pending: true });
    await engine.syncNow();
    expect(await stored('signals', 's1')).toMatchObject({ description: 'lokaal', urgency: 'hoog', version: 3 });
  });

  it('deletes on the server and applies deletions from elsewhere', async () => {
    const { server, engine } = setup();
    const mine = await signals.createSignal(FIELDS);
    server.put('theirs', FIELDS);
    await engine.syncOnce();
    expect(await signals.all()).toHaveLength(2);
    await signals.deleteSignal(mine.id);
    server.remove('theirs');
    expect(await engine.syncOnce()).toMatchObject({ ok: true, pushed: 1 });
    expect(server.rows.get(mine.id).deleted).toBe(true);
    expect(await signals.all()).toEqual([]);
  });

  it('starts again from the beginning when the server epoch changes', async () => {
    const { server, engine } = setup();
    server.put('a', FIELDS);
    const backup = server.snapshot();
    server.put('b', FIELDS);
    await engine.syncOnce();
    expect(await signals.getCursor()).toBe('e1:2');

    server.restore(backup, 'e2'); // back to only "a", then "c" is added
    server.put('c', FIELDS);
    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: true, epochReset: true });
    const after = pulls(server).slice(1).map((r) => r.query.cursor ?? null);
    expect(after).toEqual(['e1:2', null]); // the old cursor, then from the start
    expect(await stored('sync', 'epoch')).toBe('e2');
    expect(await signals.getCursor()).toBe('e2:2');
    expect(await stored('signals', 'c')).toMatchObject({ version: 1 });
  });

  it('resets the cursor when a push answer carries a new epoch', async () => {
    const { server, engine } = setup();
    server.put('a', FIELDS);
    await engine.syncOnce();
    server.epoch = 'e9';
    await signals.createSignal(FIELDS);
    await engine.syncOnce();
    expect(pulls(server).at(-1).query.cursor).toBeUndefined();
    expect(await stored('sync', 'epoch')).toBe('e9');
  });

  it('runs one sync at a time and once more when asked during a run', async () => {
    const lockNames = [];
    let chain = Promise.resolve();
    const locks = {
      request(name, cb) {
        lockNames.push(name);
        const run = chain.then(() => cb());
        chain = run.catch(() => {});
        return run;
      },
    };
    const { server, engine } = setup({ locks });
    await signals.createSignal(FIELDS);
    const [a, b, c] = await Promise.all([engine.syncOnce(), engine.syncOnce(), engine.syncOnce()]);
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, true]);
    expect(server.maxActive).toBe(1);
    expect(pushes(server)).toHaveLength(1);
    expect(lockNames).toEqual([LOCK_NAME, LOCK_NAME]); // the run and one follow-up
    expect(b).toBe(c);
  });

  it('syncs on start, when online and when visible again', async () => {
    const win = new EventTarget();
    const doc = new EventTarget();
    doc.visibilityState = 'hidden';
    const { server, engine, events } = setup({ win, doc });
    const idle = () => new Promise((r) => setTimeout(r, 30));
    const runs = () => events.filter((e) => e.reason === 'state' && e.result).length;

    const stop = engine.start();
    await vi.waitFor(() => expect(runs()).toBe(1));
    win.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(runs()).toBe(2));
    doc.dispatchEvent(new Event('visibilitychange')); // still hidden
    await idle();
    expect(runs()).toBe(2);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    await vi.waitFor(() => expect(runs()).toBe(3));
    stop();
    win.dispatchEvent(new Event('online'));
    await idle();
    expect(runs()).toBe(3);
    expect(pulls(server)).toHaveLength(3);
  });
});

// ---- a shared phone: each outbox belongs to its user ------------------------------

/** The server records who sent each mutation (the bearer's user), as created_by would. */
function senders(server) {
  return pushes(server).flatMap((r) => r.body.mutations.map((m) => [m.signal_id, r.user]));
}

describe('a phone shared by two users', () => {
  function twoUsers() {
    let user = 'anna';
    const fake = setup({
      fetchImpl: (url, init) => {
        const answer = fake.server.fetch(url, init); // records the request before its first await
        fake.server.requests[fake.server.requests.length - 1].user = user;
        return answer;
      },
    });
    const switchTo = async (next) => {
      await forgetUser(); // what logging out does on the device
      user = next;
      await signIn(next);
    };
    return { ...fake, switchTo };
  }

  it("never sends the previous user's unsent signals as the next user's; they go when that user is back", async () => {
    await signIn('anna');
    const { server, engine, switchTo } = twoUsers();
    server.faults.push({ path: '/sync/push', kind: 'network' });
    const annas = await signals.createSignal({ ...FIELDS, description: 'Anna: buren in de Kerkstraat' });
    expect(await engine.syncOnce()).toMatchObject({ ok: false, error: 'network' });
    server.requests.length = 0; // that push never reached the server

    await switchTo('bert'); // Anna logged out anyway; Bert signs in on the same phone
    const berts = await signals.createSignal({ ...FIELDS, description: 'Bert: lantaarnpaal kapot' });
    expect(await outbox.count()).toBe(1); // Bert's status line counts only his own
    expect(await engine.syncNow()).toMatchObject({ ok: true, pushed: 1, pending: 0 });
    expect(senders(server)).toEqual([[berts.id, 'bert']]);
    expect(server.rows.has(annas.id)).toBe(false);
    expect((await signals.all()).map((x) => x.description)).not.toContain('Anna: buren in de Kerkstraat');
    expect(await outbox.peek(10, 'anna')).toEqual([expect.objectContaining({ signal_id: annas.id, user: 'anna' })]);

    await switchTo('anna');
    expect(await engine.syncNow()).toMatchObject({ ok: true, pushed: 1, pending: 0 });
    expect(senders(server)).toEqual([[berts.id, 'bert'], [annas.id, 'anna']]);
    expect(await stored('signals', annas.id)).toMatchObject({ description: 'Anna: buren in de Kerkstraat', version: 1 });
    expect(await outbox.peek(10, 'anna')).toEqual([]);
  });

  it("uploads only the signed-in user's photos", async () => {
    await signIn('anna');
    const annas = await signals.createSignal(FIELDS);
    await keepPhoto('aa'.repeat(32), annas.id, new Blob([new Uint8Array([1])], { type: 'image/jpeg' }));
    await forgetUser();
    await signIn('bert');
    const berts = await signals.createSignal(FIELDS);
    await keepPhoto('bb'.repeat(32), berts.id, new Blob([new Uint8Array([2])], { type: 'image/jpeg' }));
    const put = vi.fn(async () => null);
    await uploadWaitingPhotos(put);
    expect(put.mock.calls.map(([, path]) => path)).toEqual([`/attachments/${'bb'.repeat(32)}`]);
    expect(await stored('photos', 'aa'.repeat(32))).toMatchObject({ user: 'anna' });
  });

  it("lets the next user's pull store a signal the previous user left an edit for", async () => {
    await signIn('anna');
    const { server, engine, switchTo } = twoUsers();
    server.put('s1', { ...FIELDS, description: 'van de server' });
    await engine.syncNow();
    server.faults.push({ path: '/sync/push', kind: 'network' });
    await signals.editSignal('s1', { urgency: 'hoog' });
    await engine.syncOnce();
    await switchTo('bert');
    await engine.syncNow();
    expect(await stored('signals', 's1')).toMatchObject({ description: 'van de server', urgency: 'normaal', version: 1 });
    expect(await stored('signals', 's1')).not.toHaveProperty('_pending');
  });
});

// ---- removals: a signal leaves the user's sight --------------------------------------

describe('a pull that removes a signal', () => {
  signedIn();

  it('drops the local copy, its waiting photos and its notices', async () => {
    const { server, engine } = setup();
    server.put('s1', { ...FIELDS, description: 'Mevrouw Jansen valt vaak' });
    await engine.syncNow();
    const db = await (await import('../src/store/db.js')).openDb();
    await db.put('photos', { sha256: 'cc'.repeat(32), signal_id: 's1', bytes: new ArrayBuffer(1), type: 'image/jpeg', user: 'anna' });
    await db.put('notices', { signal_id: 's1', kind: 'conflict', server: { description: 'Mevrouw Jansen valt vaak' } });
    server.remove('s1'); // moved to an area this user does not cover: the server sends {deleted, version}
    expect(await engine.syncNow()).toMatchObject({ ok: true, pulled: 1 });
    expect(await stored('signals', 's1')).toBeNull();
    expect(await stored('photos', 'cc'.repeat(32))).toBeNull();
    expect(await stored('notices', 's1')).toBeNull();
  });

  it("leaves another user's unsent photo of that signal on the device", async () => {
    const { server, engine } = setup();
    server.put('s1', { ...FIELDS });
    await engine.syncNow();
    const db = await (await import('../src/store/db.js')).openDb();
    await db.put('photos', { sha256: 'dd'.repeat(32), signal_id: 's1', bytes: new ArrayBuffer(1), type: 'image/jpeg', user: 'bert' });
    server.remove('s1');
    expect(await engine.syncNow()).toMatchObject({ ok: true, pulled: 1 });
    expect(await stored('signals', 's1')).toBeNull();
    expect(await stored('photos', 'dd'.repeat(32))).toMatchObject({ user: 'bert' });
  });

  it("keeps telling, without the signal's content, that the server refused the user's change", async () => {
    const { applyPullPage } = await import('../src/sync/engine.js');
    const db = await (await import('../src/store/db.js')).openDb();
    await seedSignal({ id: 's1', ...FIELDS, version: 1 });
    const problem = { status: 404, detail: 'Dit signaal bestaat niet (meer).' };
    await db.put('notices', { signal_id: 's1', kind: 'rejected', op: 'update', problem, server: null,
      data: { urgency: 'hoog' }, at: 't' });
    await applyPullPage({ server_epoch: 'e1', changes: [{ deleted: 's1', version: 2 }], cursor: 'e1:2', has_more: false });
    expect(await stored('signals', 's1')).toBeNull();
    expect(await stored('notices', 's1')).toEqual({ signal_id: 's1', kind: 'rejected', op: 'update', problem, at: 't' });
  });

  it('keeps a local edit that still waits, says so without content, and sends it for the server to answer', async () => {
    const { server, engine } = setup();
    server.put('s1', { ...FIELDS, description: 'Mevrouw Jansen valt vaak' });
    await engine.syncNow();
    await signals.editSignal('s1', { urgency: 'hoog' });
    server.remove('s1');
    // The pull comes before the push here (e.g. the push failed): applied on its own.
    const { applyPullPage } = await import('../src/sync/engine.js');
    const page = { server_epoch: 'e1', changes: [{ deleted: 's1', version: 2 }], cursor: 'e1:2', has_more: false };
    expect(await applyPullPage(page)).toMatchObject({ applied: 1 });
    expect(await stored('signals', 's1')).toBeNull();
    expect(await outbox.peek(10)).toEqual([expect.objectContaining({ op: 'update', signal_id: 's1' })]);
    expect(await stored('notices', 's1')).toEqual({ signal_id: 's1', kind: 'removed', at: expect.any(String) });
    const result = await engine.syncNow();
    expect(result).toMatchObject({ ok: true, pushed: 1, pending: 0 });
    expect(pushes(server).at(-1).body.mutations).toEqual([expect.objectContaining({ op: 'update', signal_id: 's1' })]);
    expect(await stored('notices', 's1')).toMatchObject({ kind: 'conflict' }); // the server's answer replaces it
    expect(await stored('signals', 's1')).toBeNull();
  });
});
