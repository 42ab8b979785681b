import { describe, it, expect } from 'vitest';
import { openDB } from 'idb';
import { DB_NAME, DB_VERSION, openDb, closeDb, getMe } from '../src/store/db.js';
import * as outbox from '../src/store/outbox.js';
import * as signals from '../src/store/signals.js';
import { FIELDS, seedSignal, signedIn, stored } from './fixtures.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Take a server state the way a pull does (signals.acceptInTx in its own transaction). */
async function accept(id, server, version) {
  const db = await openDb();
  const tx = db.transaction(['signals', 'outbox', 'session'], 'readwrite');
  const changed = await signals.acceptInTx(tx, id, server, version);
  await tx.done;
  return changed;
}

describe('outbox', () => {
  signedIn();

  it('keeps mutations first in, first out by seq', async () => {
    const a = await outbox.enqueue('create', 's1', { category: 'overlast' });
    const b = await outbox.enqueue('update', 's1', { urgency: 'hoog' }, 1);
    const c = await outbox.enqueue('delete', 's2', {}, 4);
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    const all = await outbox.peek(10);
    expect(all.map((m) => m.id)).toEqual([a.id, b.id, c.id]);
    expect((await outbox.peek(2)).map((m) => m.id)).toEqual([a.id, b.id]);
    expect(await outbox.count()).toBe(3);
    expect(await outbox.pendingSignalIds()).toEqual(new Set(['s1', 's2']));
  });

  it('stores the wire shape of a mutation', async () => {
    const m = await outbox.enqueue('update', 's1', { urgency: 'hoog' }, 2);
    // The wire fields (engine.js toWire) and the owner, which stays on the device.
    expect(Object.keys(m).sort()).toEqual(
      ['base_version', 'client_time', 'data', 'id', 'op', 'seq', 'signal_id', 'user'].sort(),
    );
    expect(m.user).toBe('anna');
    expect(m.id).toMatch(V7);
    expect(m.client_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(m.base_version).toBe(2);
    expect((await outbox.enqueue('update', 's1', {}, 0)).base_version).toBeNull();
    expect((await outbox.enqueue('create', 's3', {})).base_version).toBeNull();
  });

  it('refuses an unknown operation', async () => {
    await expect(outbox.enqueue('upsert', 's1', {})).rejects.toThrow(TypeError);
    expect(await outbox.count()).toBe(0);
  });

  it('survives a closed connection (persistence)', async () => {
    const a = await outbox.enqueue('create', 's1', { category: 'overlast' });
    await closeDb();
    const [back] = await outbox.peek(10);
    expect(back).toEqual(a);
  });

  it('never reuses a seq, also after the outbox ran empty and the db was reopened', async () => {
    await outbox.enqueue('create', 's1', {});
    await outbox.enqueue('create', 's2', {});
    await closeDb();
    await (await openDb()).clear('outbox'); // as when the server has answered both
    expect(await outbox.count()).toBe(0);
    await closeDb();
    const next = await outbox.enqueue('create', 's3', {});
    expect(next.seq).toBe(3);
  });

  it('gives strictly increasing seqs to concurrent enqueues', async () => {
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.enqueue('create', `s${i}`, {})));
    const seqs = made.map((m) => m.seq).sort((x, y) => x - y);
    expect(new Set(seqs).size).toBe(20);
    expect(seqs[0]).toBe(1);
    expect(seqs[19]).toBe(20);
    const peeked = (await outbox.peek(100)).map((m) => m.seq);
    expect(peeked).toEqual([...peeked].sort((x, y) => x - y));
  });

  it('has one persisted device id', async () => {
    const id = await outbox.deviceId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // v4: says nothing about when
    await closeDb();
    expect(await outbox.deviceId()).toBe(id);
  });
});

describe('database upgrade', () => {
  it('upgrades a version 1 database and keeps its data', async () => {
    const v1 = await openDB(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore('session');
        db.createObjectStore('cache');
      },
    });
    await v1.put('session', { username: 'anna' }, 'me');
    v1.close();
    const db = await openDb();
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(4);
    expect([...db.objectStoreNames].sort()).toEqual(['acked', 'cache', 'notices', 'outbox', 'photos', 'session', 'signals', 'sync']);
    expect(await getMe()).toEqual({ username: 'anna' });
    expect(await outbox.count()).toBe(0);
  });
});

describe('database upgrade from version 2', () => {
  /** A version 2 database as the previous app left it: entries without an owner. */
  async function version2(session) {
    const v2 = await openDB(DB_NAME, 2, {
      upgrade(db) {
        db.createObjectStore('session');
        db.createObjectStore('cache');
        const box = db.createObjectStore('outbox', { keyPath: 'id' });
        box.createIndex('seq', 'seq', { unique: true });
        box.createIndex('signal_id', 'signal_id');
        db.createObjectStore('signals', { keyPath: 'id' });
        db.createObjectStore('sync');
        db.createObjectStore('notices', { keyPath: 'signal_id' });
        db.createObjectStore('photos', { keyPath: 'sha256' });
        db.createObjectStore('acked', { keyPath: 'id' }).createIndex('signal_id', 'signal_id');
      },
    });
    for (const [key, value] of Object.entries(session)) await v2.put('session', value, key);
    await v2.put('outbox', { id: 'm1', seq: 1, op: 'create', signal_id: 's1', base_version: null, data: FIELDS, client_time: null });
    await v2.put('photos', { sha256: 'ab'.repeat(32), signal_id: 's1', bytes: new ArrayBuffer(1), type: 'image/jpeg' });
    await v2.put('sync', 1, 'seq');
    v2.close();
  }

  it("gives the waiting entries and photos to the session's user", async () => {
    await version2({ token: { token: 't', expiresAt: Date.now() + 3_600_000 }, me: { username: 'anna' } });
    expect((await openDb()).version).toBe(DB_VERSION);
    expect(await outbox.peek(10, 'anna')).toEqual([expect.objectContaining({ id: 'm1', user: 'anna' })]);
    expect(await stored('photos', 'ab'.repeat(32))).toMatchObject({ user: 'anna' });
    expect(await outbox.count('bert')).toBe(0);
  });

  it('leaves entries of an unknown user to whoever signs in next (nothing says whose they are)', async () => {
    await version2({});
    expect(await outbox.peek(10, 'bert')).toEqual([]);
    expect(await outbox.adoptOrphans('bert')).toBe(2);
    expect(await outbox.peek(10, 'bert')).toEqual([expect.objectContaining({ id: 'm1', user: 'bert' })]);
    expect(await outbox.adoptOrphans('carla')).toBe(0);
  });
});

describe('local signals', () => {
  signedIn();

  it('creates a signal locally and enqueues its create', async () => {
    const local = await signals.createSignal(FIELDS);
    expect(local).toMatchObject({ ...FIELDS, version: null, _pending: true });
    expect(local.id).toMatch(V7);
    expect(await stored('signals', local.id)).toEqual(local);
    const [m] = await outbox.peek(10);
    expect(m).toMatchObject({ op: 'create', signal_id: local.id, base_version: null, data: FIELDS });
    expect(m.data).not.toHaveProperty('_pending');
  });

  it('keeps the place the phone found on the waiting copy, and sends none of it', async () => {
    const ens = { code: 'WK017106', name: 'Ens' };
    const local = await signals.createSignal(FIELDS, { kern: ens, wijk: ens, buurt: null, nearBorder: false });
    expect(local).toMatchObject({ kern: ens, wijk: ens, buurt: null });
    expect(await stored('signals', local.id)).toMatchObject({ kern: ens });
    const [m] = await outbox.peek(10);
    expect(m.data).toEqual(FIELDS);
  });

  it('edits with the last known server version as base', async () => {
    await seedSignal({ id: 'x1', ...FIELDS, version: 3, kern: { code: 'EML', name: 'Emmeloord' } });
    const updated = await signals.editSignal('x1', { urgency: 'hoog', version: 99, kern: null });
    expect(updated).toMatchObject({ urgency: 'hoog', version: 3, _pending: true, kern: { code: 'EML' } });
    const [m] = await outbox.peek(10);
    expect(m).toMatchObject({ op: 'update', signal_id: 'x1', base_version: 3, data: { urgency: 'hoog' } });
  });

  it('refuses to edit an unknown signal and enqueues nothing', async () => {
    await expect(signals.editSignal('nope', { urgency: 'hoog' })).rejects.toThrow();
    expect(await outbox.count()).toBe(0);
  });

  it('deletes locally and enqueues a delete', async () => {
    await seedSignal({ id: 'x1', ...FIELDS, version: 2 });
    await signals.deleteSignal('x1');
    expect(await stored('signals', 'x1')).toBeNull();
    const [m] = await outbox.peek(10);
    expect(m).toMatchObject({ op: 'delete', signal_id: 'x1', base_version: 2, data: {} });
  });

  it('does not let server state overwrite pending edits or a newer local copy', async () => {
    await seedSignal({ id: 'x1', ...FIELDS, version: 5 });
    expect(await accept('x1', { id: 'x1', ...FIELDS, description: 'oud', version: 4 }, 4)).toBe(false);
    expect((await stored('signals', 'x1')).version).toBe(5);
    expect(await accept('x1', { id: 'x1', ...FIELDS, description: 'nieuw', version: 6 }, 6)).toBe(true);
    expect((await stored('signals', 'x1')).description).toBe('nieuw');
    await signals.editSignal('x1', { description: 'lokaal' });
    expect(await accept('x1', { id: 'x1', ...FIELDS, description: 'anders', version: 7 }, 7)).toBe(false);
    expect(await accept('x1', null, 8)).toBe(false);
    expect((await stored('signals', 'x1')).description).toBe('lokaal');
  });

  it('applies a server deletion', async () => {
    await seedSignal({ id: 'x1', ...FIELDS, version: 1 });
    expect(await accept('x1', null, 2)).toBe(true);
    expect(await signals.all()).toEqual([]);
  });
});
