import { describe, it, expect } from 'vitest';
import { statusText, pendingCount } from '../src/sync/status.js';
import { createSignal } from '../src/store/signals.js';
import { keepPhoto } from '../src/store/photos.js';
import { signIn } from './fixtures.js';

describe('sync status text', () => {
  it('says all is sent when nothing waits', () => {
    expect(statusText(0, true)).toBe('Alles verzonden');
  });
  it('uses singular and plural', () => {
    expect(statusText(1, true)).toBe('1 signaal wacht op verzending');
    expect(statusText(2, true)).toBe('2 signalen wachten op verzending');
    expect(statusText(17, true)).toBe('17 signalen wachten op verzending');
  });
  it('adds (offline) when offline', () => {
    expect(statusText(0, false)).toBe('Alles verzonden (offline)');
    expect(statusText(1, false)).toBe('1 signaal wacht op verzending (offline)');
    expect(statusText(3, false)).toBe('3 signalen wachten op verzending (offline)');
  });
  it('contains "wacht" whenever something waits', () => {
    for (const n of [1, 2, 10]) expect(statusText(n, true)).toContain('wacht');
  });
  it('pendingCount counts signals waiting in the outbox or for a photo, once each', async () => {
    expect(await pendingCount()).toBe(0);
    await signIn('anna');
    const a = await createSignal({ category: 'jeugd', description: 'x', source: 'inwoner' });
    await createSignal({ category: 'verkeer', description: 'y', source: 'inwoner' });
    expect(await pendingCount()).toBe(2);
    await keepPhoto('ab'.repeat(32), a.id, new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' }));
    expect(await pendingCount()).toBe(2);
  });
});
