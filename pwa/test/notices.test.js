import { describe, it, expect } from 'vitest';
import { applyPushResponse } from '../src/sync/engine.js';
import * as signals from '../src/store/signals.js';
import * as outbox from '../src/store/outbox.js';
import { conflictText } from '../src/views/notices.js';
import { FIELDS, seedSignal, signedIn, stored } from './fixtures.js';

const EPOCH = 'e1';

describe('a status change lost to a closing', () => {
  signedIn();

  it('keeps what the user wanted in the notice and says it in words', async () => {
    await seedSignal({ id: 's1', ...FIELDS, status: 'nieuw', version: 1, created_by: 'anna' });
    await signals.editSignal('s1', { status: 'doorgezet' }); // offline, on version 1
    const [mutation] = await outbox.peek();
    expect(mutation).toMatchObject({ op: 'update', base_version: 1, data: { status: 'doorgezet' } });
    const id = mutation.id;
    const closed = { id: 's1', ...FIELDS, status: 'afgesloten', version: 2, created_by: 'anna' };
    await applyPushResponse({ server_epoch: EPOCH, results: [{
      id, signal_id: 's1', status: 'conflict', version: 2, server: closed,
      problem: { status: 409, title: 'Conflict', detail: 'Niet doorgevoerd: status' },
      lost: { status: 'doorgezet' },
    }] });

    const notice = await stored('notices', 's1');
    expect(notice).toMatchObject({ kind: 'conflict', lost: { status: 'doorgezet' }, server: { status: 'afgesloten' } });
    expect((await stored('signals', 's1')).status).toBe('afgesloten');
    expect(conflictText(notice)).toBe('Jouw wijziging (Doorgezet) is niet doorgevoerd: het signaal was al afgesloten.');
    expect(conflictText(notice, (code) => ({ doorgezet: 'Doorgestuurd' })[code]))
      .toBe('Jouw wijziging (Doorgestuurd) is niet doorgevoerd: het signaal was al afgesloten.');
  });

  it('stores no lost values when the change won, and words that as before', async () => {
    await applyPushResponse({ server_epoch: EPOCH, results: [{
      id: 'm2', signal_id: 's2', status: 'conflict', version: 3,
      server: { id: 's2', ...FIELDS, status: 'doorgezet', version: 3 }, problem: { status: 409 },
    }] });
    const notice = await stored('notices', 's2');
    expect(notice.lost).toBeNull();
    expect(conflictText(notice)).toBe('Iemand anders heeft dit signaal ook gewijzigd. Je ziet nu de samengevoegde versie.');
  });
});

describe('conflictText', () => {
  it('names other lost fields in words, and leaves other notices to the caller', () => {
    expect(conflictText({ kind: 'conflict', lost: { subcategory: 'jeugdoverlast' } }))
      .toBe('Jouw wijziging van subcategorie is niet doorgevoerd: iemand anders had dit intussen gewijzigd.');
    expect(conflictText({ kind: 'conflict', op: 'delete', lost: null })).toMatch(/niet verwijderd/);
    expect(conflictText({ kind: 'rejected', problem: { status: 422 } })).toBeNull();
  });
});
