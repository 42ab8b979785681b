// Logging out leaves nothing of the user on the device but what they have not sent yet.
import { describe, expect, it } from 'vitest';
import { getMe, getToken, openDb, saveCategories, saveMe, sessionUser } from '../src/store/db.js';
import { forgetUser } from '../src/store/logout.js';
import * as outbox from '../src/store/outbox.js';
import * as signals from '../src/store/signals.js';
import { keepPhoto } from '../src/store/photos.js';
import { FIELDS, seedSignal, signIn, stored } from './fixtures.js';

const AREAS = { etag: '"a1"', collection: { type: 'FeatureCollection', features: [] } };
const jpeg = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])], { type: 'image/jpeg' });

/** Every record of every store: what someone who picks up the phone could read. */
async function everything() {
  const db = await openDb();
  const out = {};
  for (const name of db.objectStoreNames) out[name] = await db.getAllKeys(name);
  return out;
}

async function aDayOfWork() {
  await signIn('anna');
  await saveMe({ username: 'anna', role: 'gebiedsregisseur', areas: [] });
  await saveCategories([{ code: 'overlast', name: 'Overlast', subcategories: [] }]);
  const db = await openDb();
  await db.put('cache', AREAS, 'areas');
  await db.put('sync', 'e1:40', 'cursor');
  await db.put('sync', 'e1', 'epoch');
  await seedSignal({ id: 'pulled', ...FIELDS, description: 'Mevrouw De Vries (Kerkstraat 4) is eenzaam', version: 3 });
  await db.put('notices', { signal_id: 'pulled', kind: 'conflict', server: { description: 'persoonlijk' } });
  await db.put('acked', { id: 'm0', signal_id: 'pulled', data: { description: 'persoonlijk' }, user: 'anna' });
  return outbox.deviceId();
}

describe('log out', () => {
  it('with nothing waiting, leaves only the device id, seq, epoch and the public areas', async () => {
    const device = await aDayOfWork();
    await forgetUser();
    expect(await everything()).toEqual({
      acked: [], cache: ['areas'], notices: [], outbox: [], photos: [], session: [], signals: [],
      sync: ['deviceId', 'epoch'],
    });
    expect(await stored('sync', 'deviceId')).toBe(device);
    expect(await getToken()).toBeNull();
    expect(await getMe()).toBeNull();
    expect(await sessionUser()).toBeNull();
    expect(await stored('cache', 'areas')).toEqual(AREAS);
  });

  it('keeps what the user has not sent, bound to them, and nothing else of theirs', async () => {
    await aDayOfWork();
    const made = await signals.createSignal({ ...FIELDS, description: 'Buurman slaat zijn hond' });
    await keepPhoto('ab'.repeat(32), made.id, jpeg());
    await forgetUser();
    const left = await everything();
    expect(left.signals).toEqual([]); // not even the user's own unsent signal is listed
    expect(left.notices).toEqual([]);
    expect(left.acked).toEqual([]);
    expect(left.session).toEqual([]);
    expect(left.sync).not.toContain('cursor');
    const [waiting] = await outbox.peek(10, 'anna');
    expect(waiting).toMatchObject({ op: 'create', signal_id: made.id, user: 'anna' });
    expect(await stored('photos', 'ab'.repeat(32))).toMatchObject({ signal_id: made.id, user: 'anna' });
    // Nobody is signed in: nobody's entries count or go out.
    expect(await outbox.count()).toBe(0);
    expect(await outbox.peek(10)).toEqual([]);
  });

  it('keeps counting seq after a log-out (one device, one sequence)', async () => {
    await signIn('anna');
    await outbox.enqueue('create', 's1', FIELDS);
    await forgetUser();
    await signIn('bert');
    expect((await outbox.enqueue('create', 's2', FIELDS)).seq).toBe(2);
  });
});
