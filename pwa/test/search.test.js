import { describe, it, expect } from 'vitest';
import {
  amsterdamDay, createSearchIndex, filterEntries, normalise, periodStart, queryWords, today,
} from '../src/store/search.js';
import { local } from '../src/views/dates.js';

const sig = (id, description, extra = {}) => ({
  id, description, category: 'overlast', status: 'nieuw', version: 1, created_by: 'anna',
  kern: { code: 'WK017106', name: 'Ens' }, observed_at: '2026-11-28T10:15:00+01:00', ...extra,
});
const names = { overlast: 'Overlast', jeugd: 'Jeugd' };
const catName = (c) => names[c] ?? c;
const find = (signals, q, filters = {}) => {
  const index = createSearchIndex();
  return filterEntries(index.update(signals, catName), { q, ...filters }, { me: 'anna', textOf: index.textOf })
    .map((e) => e.signal.id);
};

describe('normalise', () => {
  it('drops case and accents and splits words', () => {
    expect(normalise('Café  ÉÉN—Ünïcode, ’s-Gravenhage')).toBe('cafe een unicode s gravenhage');
    expect(queryWords('  ')).toEqual([]);
  });
});

describe('local search', () => {
  const signals = [
    sig('a', 'Overlast bij het Café aan de Haven'),
    sig('b', 'Fietsen gestolen bij de haven', { category: 'jeugd', kern: { code: 'WK017101', name: 'Emmeloord' } }),
    sig('c', 'Zwerfvuil in het parkje', { kern: null }),
  ];

  it('"cafe" finds "Café", and "CAFÉ" finds it too', () => {
    expect(find(signals, 'cafe')).toEqual(['a']);
    expect(find(signals, 'CAFÉ')).toEqual(['a']);
  });

  it('matches words by their beginning, not their middle', () => {
    expect(find(signals, 'fiets')).toEqual(['b']);
    expect(find(signals, 'iets')).toEqual([]);
    expect(find(signals, 'vuil')).toEqual([]); // inside "Zwerfvuil"
  });

  it('needs every word, in any order', () => {
    expect(find(signals, 'haven bij').sort()).toEqual(['a', 'b']);
    expect(find(signals, 'haven fiets')).toEqual(['b']);
    expect(find(signals, 'haven zwerf')).toEqual([]);
  });

  it('searches the category name and the kern name too', () => {
    expect(find(signals, 'jeugd')).toEqual(['b']);
    expect(find(signals, 'emmel')).toEqual(['b']);
  });

  it('combines the search with kern, category, status, mine and follow-up', () => {
    const more = [...signals,
      sig('d', 'Haven: kapotte lamp', { status: 'afgesloten', follow_up_date: '2026-01-01' }),
      sig('e', 'Haven: lamp', { created_by: 'piet', follow_up_date: '2026-01-01' }),
      sig('f', 'Haven nog niet verzonden', { version: null, created_by: undefined })];
    expect(find(more, 'haven', { kern: 'WK017106' }).sort()).toEqual(['a', 'd', 'e', 'f']);
    expect(find(more, 'haven', { status: 'afgesloten' })).toEqual(['d']);
    expect(find(more, '', { category: 'jeugd' })).toEqual(['b']);
    expect(find(more, 'haven', { mine: true }).sort()).toEqual(['a', 'b', 'd', 'f']);
    expect(find(more, '', { opvolgen: true })).toEqual(['e']); // d is closed
  });
});

describe('periods and days', () => {
  it('knows the Amsterdam day without Intl, in winter and summer time', () => {
    for (const t of ['2026-11-28T23:30:00Z', '2026-07-01T22:30:00Z', '2026-03-29T00:59:00Z', '2026-03-29T01:00:00Z',
      '2026-10-25T00:59:00Z', '2026-10-25T01:00:00Z', '2026-12-31T23:00:00Z']) {
      expect(amsterdamDay(Date.parse(t))).toBe(local(t).dayNo);
    }
  });

  it('starts "deze week" on Monday and "deze maand" on the first', () => {
    const now = Date.parse('2026-12-02T12:00:00+01:00'); // a Wednesday
    expect(new Date(periodStart('week', now) * 86_400_000).toISOString().slice(0, 10)).toBe('2026-11-30');
    expect(new Date(periodStart('maand', now) * 86_400_000).toISOString().slice(0, 10)).toBe('2026-12-01');
    expect(new Date(periodStart('3maanden', now) * 86_400_000).toISOString().slice(0, 10)).toBe('2026-09-02');
    expect(periodStart('', now)).toBeNull();
    expect(today(now).iso).toBe('2026-12-02');
  });

  it('filters on the period', () => {
    const now = Date.parse('2026-12-02T12:00:00+01:00');
    const signals = [sig('old', 'x', { observed_at: '2026-11-29T12:00:00+01:00' }),
      sig('new', 'x', { observed_at: '2026-11-30T08:00:00+01:00' }),
      sig('dec', 'x', { observed_at: '2026-11-30T23:30:00Z' })]; // 1 Dec 00:30 in Amsterdam
    const sorted = createSearchIndex().update(signals, catName);
    const ids = (period) => filterEntries(sorted, { period }, { now }).map((e) => e.signal.id);
    expect(ids('week')).toEqual(['dec', 'new']);
    expect(ids('maand')).toEqual(['dec']);
    expect(ids('3maanden')).toEqual(['dec', 'new', 'old']);
  });
});

describe('5,000 signals', () => {
  const words = ['haven', 'fietsen', 'jongeren', 'zwerfvuil', 'lantaarnpaal', 'geluid', 'straat', 'school', 'parkeren'];
  const many = Array.from({ length: 5000 }, (_, i) => sig(`s${String(i).padStart(5, '0')}`,
    `${words[i % 9]} bij ${words[(i * 7) % 9]} nummer ${i}${i === 4321 ? ' en het Café' : ''}`,
    { observed_at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() }));

  it('builds the index once and keeps it while nothing changes', () => {
    const index = createSearchIndex();
    const first = index.update(many, catName);
    const entry = first.find((e) => e.signal.id === 's04321');
    index.textOf(entry);
    const again = index.update(many.map((s) => ({ ...s })), catName); // fresh objects, as after every read
    expect(again).toBe(first); // not sorted again
    expect(again.find((e) => e.signal.id === 's04321')).toBe(entry); // not normalised again
    expect(index.changed).toBe(false);
    const edited = many.map((s) => (s.id === 's00001' ? { ...s, description: 'nieuw', _pending: true } : s));
    const third = index.update(edited, catName);
    expect(third.find((e) => e.signal.id === 's04321')).toBe(entry);
    expect(index.textOf(third.find((e) => e.signal.id === 's00001'))).toContain(' nieuw');
    expect(first[0].signal.id).toBe('s04999'); // newest first
  });

  it('makes the texts ahead of time (warm), then finds "cafe" among them quickly', () => {
    const index = createSearchIndex();
    const sorted = index.update(many, catName);
    expect(sorted.every((e) => e.text == null)).toBe(true); // the first draw does not wait for them
    while (!index.warm(5)) { /* in idle slices, as the list does */ }
    expect(sorted.every((e) => e.text != null)).toBe(true);
    const t0 = performance.now();
    const found = filterEntries(sorted, { q: 'cafe' }, { textOf: index.textOf });
    const hav = filterEntries(sorted, { q: 'hav numm 12' }, { textOf: index.textOf });
    const took = performance.now() - t0;
    expect(found.map((e) => e.signal.id)).toEqual(['s04321']);
    expect(hav.length).toBeGreaterThan(0);
    expect(took).toBeLessThan(50);
  });
});
