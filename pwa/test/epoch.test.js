import { describe, expect, it } from 'vitest';
import { applyPullPage, applyPushResponse } from '../src/sync/engine.js';
import { createSignal } from '../src/store/signals.js';
import { count, peek } from '../src/store/outbox.js';
import { openDb } from '../src/store/db.js';
import { signedIn } from './fixtures.js';

async function pushed(epoch) {
  const local = await createSignal({ category: 'jeugd', description: 'x', source: 'inwoner' });
  const [m] = await peek(10);
  const server = { ...local, version: 1 };
  delete server._pending;
  await applyPushResponse({ server_epoch: epoch, results: [
    { id: m.id, status: 'applied', signal_id: local.id, version: 1, problem: null, server }] });
  return { local, mutation: m, server };
}

describe('server restored from a backup (new epoch)', () => {
  signedIn();

  it('forgets an acknowledged mutation once a pull echoes it', async () => {
    const { server } = await pushed('e1');
    expect(await count()).toBe(0);
    expect(await (await openDb()).count('acked')).toBe(1);
    await applyPullPage({ server_epoch: 'e1', changes: [{ signal: server }], cursor: 'c1', has_more: false });
    expect(await (await openDb()).count('acked')).toBe(0);
  });

  it('pushes again what was acknowledged but not echoed when the epoch changes', async () => {
    const { mutation } = await pushed('e1');
    const result = await applyPullPage({ server_epoch: 'e2', changes: [], cursor: 'x', has_more: false });
    expect(result.reset).toBe(true);
    const again = await peek(10);
    expect(again.map((m) => m.id)).toEqual([mutation.id]);
    expect(again[0]).not.toHaveProperty('acked_version');
    expect(await (await openDb()).count('acked')).toBe(0);
  });
});
