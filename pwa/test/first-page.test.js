// @vitest-environment happy-dom
// The list at start with thousands of signals on the phone: its first page (the newest) is read
// and drawn before all the others, and says how many there are.
import { describe, it, expect, beforeEach } from 'vitest';
import { createSignalList } from '../src/views/list.js';
import { newestWithNotices, allWithNotices } from '../src/store/signals.js';
import { openDb } from '../src/store/db.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const sig = (i, extra = {}) => ({ id: `s${String(i).padStart(4, '0')}`, category: 'overlast', description: `Signaal ${i}`,
  status: 'nieuw', urgency: 'normaal', version: 1, created_by: 'anna', kern: { code: 'WK017106', name: 'Ens' },
  observed_at: new Date(NOW - i * 3_600_000).toISOString(), ...extra }); // s0000 the newest, an hour apart

describe('the newest page of the signals on the phone', () => {
  it('has the newest observations first, the count of all, and every notice', async () => {
    const db = await openDb();
    for (let i = 0; i < 250; i += 1) await db.put('signals', sig(i));
    await db.put('signals', sig(999, { observed_at: new Date(NOW - 400 * 86_400_000).toISOString() })); // over a year ago
    await db.put('notices', { signal_id: 's0003', kind: 'conflict' });
    const page = await newestWithNotices(100, NOW);
    expect(page.total).toBe(251);
    expect(page.signals.map((s) => s.id)).toEqual(Array.from({ length: 100 }, (_, i) => sig(i).id));
    expect(page.notices).toEqual([expect.objectContaining({ signal_id: 's0003' })]);
    // Fewer than a page: all of them, also those without a recent observation.
    const few = await openDb();
    await few.clear('signals');
    await few.put('signals', sig(999, { observed_at: new Date(NOW - 400 * 86_400_000).toISOString() }));
    await few.put('signals', sig(1));
    expect((await newestWithNotices(100, NOW)).signals.map((s) => s.id)).toEqual(['s0001', 's0999']);
    expect((await allWithNotices()).signals).toHaveLength(2);
  });
});

describe('the list drawn from the first page', () => {
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    history.replaceState(null, '', '/signalen');
  });

  it('says how many signals there are, not how many were read, and tells no notice as gone', () => {
    const root = document.getElementById('app');
    const list = createSignalList(root, { searchServer: null, loadKernen: null });
    const page = Array.from({ length: 100 }, (_, i) => sig(i));
    // A notice about a signal further down (not in the first page): not "no longer on this phone".
    list.update({ signals: page, total: 5000, notices: [{ signal_id: 's4000', kind: 'rejected', problem: { status: 422 } }],
      categories: [{ code: 'overlast', name: 'Overlast' }], me: 'anna' });
    expect(root.querySelector('.signal-count').textContent).toBe('5.000 signalen');
    expect(root.querySelectorAll('.signal-list--local .signal-item__open')).toHaveLength(100);
    expect(root.querySelector('.signal-item--gone')).toBeNull();
    // All of them arrive: the same count, and the first cards stay.
    const first = root.querySelector('.signal-item__open');
    const all = Array.from({ length: 5000 }, (_, i) => sig(i));
    list.update({ signals: all, notices: [], categories: [{ code: 'overlast', name: 'Overlast' }], me: 'anna' });
    expect(root.querySelector('.signal-count').textContent).toBe('5.000 signalen');
    expect(root.querySelector('.signal-item__open')).toBe(first);
    expect(root.textContent).toContain('De nieuwste 100 van 5.000 signalen.');
    list.destroy();
  });
});
