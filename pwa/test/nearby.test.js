// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { haversineM, mergeNearby, nearbyIn, findNearby } from '../src/store/nearby.js';
import { createNearbyRegion, distanceText, EMPTY_TEXT, firstWords } from '../src/views/nearby.js';
import { renderCaptureForm } from '../src/views/capture.js';
import { createSignal } from '../src/store/signals.js';
import { saveToken } from '../src/store/db.js';

const NOW = Date.parse('2026-12-02T13:00:00Z');
const DAY = 86_400_000;
const HERE = { lat: 52.7092, lon: 5.864 };
const M_PER_DEG_LAT = 111_195; // on the sphere the haversine uses

/** A point `metres` north of HERE. */
const north = (metres) => ({ lat: HERE.lat + metres / M_PER_DEG_LAT, lon: HERE.lon });

function signal(id, { metres = 50, category = 'jeugd', daysAgo = 3, description = 'Jongeren bij het dorpshuis', kern = 'Marknesse' } = {}) {
  return {
    id, category, description, kern: kern ? { code: 'x', name: kern } : null,
    location: { ...north(metres), accuracy_m: 10, method: 'gps' },
    observed_at: new Date(NOW - daysAgo * DAY).toISOString(),
  };
}

describe('nearby signals on the phone', () => {
  it('measures distances like the map does', () => {
    expect(haversineM(HERE.lat, HERE.lon, HERE.lat, HERE.lon)).toBe(0);
    expect(haversineM(HERE.lat, HERE.lon, north(120).lat, HERE.lon)).toBeCloseTo(120, 0);
    // Marknesse – Emmeloord centre is about 7.7 km.
    expect(haversineM(52.7092, 5.864, 52.711, 5.7495) / 1000).toBeCloseTo(7.72, 1);
  });

  it('keeps the same category within 250 m (the boundary included) and 12 weeks, nearest first', () => {
    const signals = [
      signal('far', { metres: 251 }),
      signal('edge', { metres: 249.9 }),
      signal('near', { metres: 40 }),
      signal('other-category', { metres: 10, category: 'verkeer' }),
      signal('old', { metres: 10, daysAgo: 12 * 7 + 1 }),
      signal('just-in-time', { metres: 100, daysAgo: 12 * 7 - 1 }),
      { ...signal('no-place'), location: null },
      signal('self', { metres: 5 }),
    ];
    const found = nearbyIn(signals, { ...HERE, category: 'jeugd', now: NOW, exclude: 'self' });
    expect(found.map((f) => f.signal.id)).toEqual(['near', 'just-in-time', 'edge']);
    expect(found[0].distance_m).toBeCloseTo(40, 0);
    expect(nearbyIn(signals, { ...HERE, category: '', now: NOW })).toEqual([]);
    expect(nearbyIn(signals, { lat: null, lon: null, category: 'jeugd', now: NOW })).toEqual([]);
  });

  it('merges the server answer by id: one item per signal, nearest first', () => {
    const a = { signal: signal('a'), distance_m: 50 };
    const b = { signal: signal('b'), distance_m: 20 };
    const merged = mergeNearby([a], [{ signal: { ...signal('a'), description: 'server' }, distance_m: 50.2 }, b]);
    expect(merged.map((m) => m.signal.id)).toEqual(['b', 'a']);
    expect(merged[1]).toBe(a);
  });

  it('answers from the phone at once and works when the server does not', async () => {
    const onLocal = vi.fn();
    const items = await findNearby({ ...HERE, category: 'jeugd' }, {
      signals: async () => [signal('a', { metres: 30 })], now: NOW, onLocal,
      fetchServer: async () => { throw new Error('offline'); },
    });
    expect(onLocal).toHaveBeenCalledOnce();
    expect(items.map((i) => i.signal.id)).toEqual(['a']);
    const both = await findNearby({ ...HERE, category: 'jeugd' }, {
      signals: async () => [signal('a', { metres: 30 })], now: NOW,
      fetchServer: async (q) => {
        expect(q).toMatchObject({ radius_m: 250, weeks: 12, category: 'jeugd' });
        return { items: [{ signal: signal('s'), distance_m: 80 }] };
      },
    });
    expect(both.map((i) => i.signal.id)).toEqual(['a', 's']);
  });

  it('reads the signals stored on the phone (IndexedDB)', async () => {
    await saveToken({ access_token: 't', token_type: 'bearer', expires_in: 3600 }, Date.now(), { username: 'regisseur' });
    await createSignal({ ...signal('x'), observed_at: new Date().toISOString() });
    await createSignal({ ...signal('y', { category: 'verkeer' }), observed_at: new Date().toISOString() });
    const items = await findNearby({ ...HERE, category: 'jeugd' });
    expect(items.map((i) => i.signal.id)).toEqual(['x']);
  });
});

describe('the "In de buurt" region', () => {
  it('words the distance and the description plainly', () => {
    expect(distanceText(120.4)).toBe('op 120 m');
    expect(distanceText(1249.6)).toBe('op 1.250 m');
    expect(firstWords('een twee  drie', 2)).toBe('een twee…');
    expect(firstWords('kort')).toBe('kort');
  });

  it('lists category, kern, date, distance and first words, and keeps one "hoort bij" choice', () => {
    const onChange = vi.fn();
    const region = createNearbyRegion({ onChange });
    document.body.append(region.el);
    expect(region.el.hidden).toBe(true);
    region.update([], {});
    expect(region.el.textContent).toContain(EMPTY_TEXT);
    expect(EMPTY_TEXT).toBe('Geen signalen van deze categorie in de buurt (250 m, 12 weken).');
    const items = [
      { signal: { ...signal('a'), observed_at: '2026-11-20T10:00:00+01:00' }, distance_m: 120 },
      { signal: signal('b', { kern: 'Ens' }), distance_m: 200, kwesties: [{ id: 'k1', title: 'Overlast dorpshuis' }] },
    ];
    region.update(items, { categories: [{ code: 'jeugd', name: 'Jeugd' }] });
    const section = region.el;
    expect(section.tagName).toBe('SECTION');
    expect(section.querySelector(`#${section.getAttribute('aria-labelledby')}`).textContent).toBe('In de buurt');
    const first = section.querySelector('.nearby__item');
    expect(first.textContent).toContain('Jeugd in Marknesse');
    expect(first.textContent).toContain('20 nov 2026');
    expect(first.textContent).toContain('op 120 m');
    expect(first.textContent).toContain('Jongeren bij het dorpshuis');
    const radios = [...section.querySelectorAll('input[type=radio]')];
    const labelOf = (input) => section.querySelector(`label[for="${input.id}"]`).textContent;
    expect(radios.map(labelOf)).toEqual(['Hoort bij dit signaal', 'Hoort bij dit signaal', 'Hoort bij geen van deze']);
    expect(region.value()).toEqual({ related_to: null, kwestie_ids: [] });
    radios[1].checked = true;
    radios[1].dispatchEvent(new Event('change'));
    expect(region.value().related_to).toBe('b');
    radios[0].checked = true;
    radios[0].dispatchEvent(new Event('change'));
    expect(region.value().related_to).toBe('a');
    const kw = [...section.querySelectorAll('input[type=checkbox]')];
    expect(kw.map(labelOf)).toEqual(['Toevoegen aan kwestie Overlast dorpshuis']);
    kw[0].checked = true;
    kw[0].dispatchEvent(new Event('change'));
    expect(region.value()).toEqual({ related_to: 'a', kwestie_ids: ['k1'] });
    // A redraw (the server's answer) keeps the choice.
    region.update(items, {});
    expect(section.querySelectorAll('input[type=radio]')[0].checked).toBe(true);
    radios.at(-1).checked = true;
    region.update(items, {});
    const none = [...section.querySelectorAll('input[type=radio]')].at(-1);
    none.checked = true;
    none.dispatchEvent(new Event('change'));
    expect(region.value().related_to).toBeNull();
  });
});

describe('the capture form with nearby signals', () => {
  const categories = [{ code: 'jeugd', name: 'Jeugd', subcategories: [] }, { code: 'verkeer', name: 'Verkeer', subcategories: [] }];
  const byLabel = (root, text) => {
    const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
    return label && root.querySelector(`#${label.getAttribute('for')}`);
  };

  it('shows them once a location and a category are known, updates on change, and stores "hoort bij"', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const onSave = vi.fn();
    const findNearby = vi.fn(async (q) => (q.category === 'jeugd' ? [{ signal: signal('earlier'), distance_m: 50 }] : []));
    let tap;
    renderCaptureForm(root, {
      categories, onSave, findNearby, kwestiesFor: async () => new Map(),
      mountMap: (el, onTap) => { tap = onTap; return { setPoint() {}, clearPoint() {} }; },
    });
    const region = () => root.querySelector('section.nearby');
    expect(region().hidden).toBe(true);
    byLabel(root, 'Categorie').value = 'jeugd';
    byLabel(root, 'Categorie').dispatchEvent(new Event('change', { bubbles: true }));
    expect(findNearby).not.toHaveBeenCalled(); // no location yet
    tap(HERE.lat, HERE.lon);
    await vi.waitFor(() => expect(region().textContent).toContain('op 50 m'));
    expect(findNearby).toHaveBeenLastCalledWith(expect.objectContaining({ lat: HERE.lat, lon: HERE.lon, category: 'jeugd' }), expect.any(Function));

    byLabel(root, 'Categorie').value = 'verkeer';
    byLabel(root, 'Categorie').dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(region().textContent).toContain(EMPTY_TEXT));
    byLabel(root, 'Categorie').value = 'jeugd';
    byLabel(root, 'Categorie').dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(byLabel(root, 'Hoort bij dit signaal')).toBeTruthy());
    byLabel(root, 'Hoort bij dit signaal').checked = true;
    byLabel(root, 'Hoort bij dit signaal').dispatchEvent(new Event('change', { bubbles: true }));
    byLabel(root, 'Omschrijving').value = 'Weer jongeren bij het dorpshuis.';
    root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][0].related_to).toBe('earlier');
    // The next signal starts without a choice and without the region.
    expect(region().hidden).toBe(true);
  });
});

describe('kwesties of nearby signals (online)', () => {
  it('maps each signal to the open kwesties it is part of, from the kwesties the user may see', async () => {
    const { kwestiesOfSignals } = await import('../src/store/nearby.js');
    const answers = {
      '/api/v1/kwesties': [
        { id: 'k1', title: 'Overlast dorpshuis', status: 'open' },
        { id: 'k2', title: 'Oud', status: 'gesloten' },
      ],
      '/api/v1/kwesties/k1': { id: 'k1', title: 'Overlast dorpshuis', timeline: [{ id: 'a' }, { id: 'c' }] },
    };
    const fetch = vi.fn(async (url) => new Response(JSON.stringify(answers[url]), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    try {
      const found = await kwestiesOfSignals(['a', 'b'], { now: 1 });
      expect([...found]).toEqual([['a', [{ id: 'k1', title: 'Overlast dorpshuis' }]]]);
      expect(fetch.mock.calls.map(([u]) => u)).toEqual(['/api/v1/kwesties', '/api/v1/kwesties/k1']); // not the closed one
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('adds the new signal to the chosen kwestie only once the server has it', async () => {
    const { addToKwestiesWhenSynced } = await import('../src/store/nearby.js');
    const { openDb } = await import('../src/store/db.js');
    await saveToken({ access_token: 't', token_type: 'bearer', expires_in: 3600 }, Date.now(), { username: 'regisseur' });
    const local = await createSignal({ ...signal('new-one'), observed_at: new Date().toISOString() });
    const fetch = vi.fn(async () => new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    try {
      await addToKwestiesWhenSynced(local.id, ['k1'], { every: 5 });
      expect(JSON.parse(localStorage.getItem('gebiedsradar-kwestie-toevoegen')))
        .toEqual([expect.objectContaining({ signal_id: local.id, kwestie_ids: ['k1'], user: 'regisseur' })]);
      await new Promise((r) => setTimeout(r, 40));
      expect(fetch).not.toHaveBeenCalled(); // still waiting to be sent
      const db = await openDb();
      await db.put('signals', { ...(await db.get('signals', local.id)), version: 1, _pending: undefined });
      await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());
      const [url, init] = fetch.mock.calls[0];
      expect(url).toBe('/api/v1/kwesties/k1/signals');
      expect(init.method).toBe('POST');
      expect(JSON.parse(init.body)).toEqual({ signal_ids: [local.id] });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('carries on after a restart with what this user chose, not what another user chose', async () => {
    const { resumeKwestieAdds } = await import('../src/store/nearby.js');
    const { openDb } = await import('../src/store/db.js');
    await saveToken({ access_token: 't', token_type: 'bearer', expires_in: 3600 }, Date.now(), { username: 'regisseur' });
    const mine = await createSignal({ ...signal('m'), observed_at: new Date().toISOString() });
    const theirs = await createSignal({ ...signal('t'), observed_at: new Date().toISOString() });
    const db = await openDb();
    for (const s of [mine, theirs]) await db.put('signals', { ...s, version: 1, _pending: undefined });
    localStorage.setItem('gebiedsradar-kwestie-toevoegen', JSON.stringify([
      { signal_id: mine.id, kwestie_ids: ['k2'], user: 'regisseur', at: Date.now() },
      { signal_id: theirs.id, kwestie_ids: ['k3'], user: 'ens', at: Date.now() },
      { signal_id: 'old', kwestie_ids: ['k4'], user: 'regisseur', at: Date.now() - 30 * DAY },
    ]));
    const fetch = vi.fn(async () => new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    try {
      await resumeKwestieAdds({ every: 5 });
      await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());
      expect(fetch.mock.calls[0][0]).toBe('/api/v1/kwesties/k2/signals');
      await vi.waitFor(() => expect(JSON.parse(localStorage.getItem('gebiedsradar-kwestie-toevoegen')).map((p) => p.signal_id))
        .toEqual([theirs.id]));
    } finally {
      vi.unstubAllGlobals();
      localStorage.clear();
    }
  });
});

describe('kwestie additions on a shared phone', () => {
  it('are not done with the next user\'s log-in, and stay remembered for their own user', async () => {
    const { addToKwestiesWhenSynced } = await import('../src/store/nearby.js');
    const { openDb } = await import('../src/store/db.js');
    const { forgetUser } = await import('../src/store/logout.js');
    await saveToken({ access_token: 'a', token_type: 'bearer', expires_in: 3600 }, Date.now(), { username: 'regisseur' });
    const local = await createSignal({ ...signal('shared'), observed_at: new Date().toISOString() });
    const fetch = vi.fn(async () => new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    try {
      await addToKwestiesWhenSynced(local.id, ['k9'], { every: 5 });
      // regisseur logs out before it was sent; ens logs in and pulls the same signal (their area too).
      await forgetUser();
      await saveToken({ access_token: 'b', token_type: 'bearer', expires_in: 3600 }, Date.now(), { username: 'ens' });
      const db = await openDb();
      await db.put('signals', { ...local, version: 1, _pending: undefined, created_by: 'regisseur' });
      await new Promise((r) => setTimeout(r, 60));
      expect(fetch).not.toHaveBeenCalled();
      expect(JSON.parse(localStorage.getItem('gebiedsradar-kwestie-toevoegen')))
        .toEqual([expect.objectContaining({ signal_id: local.id, kwestie_ids: ['k9'], user: 'regisseur' })]);
    } finally {
      vi.unstubAllGlobals();
      localStorage.clear();
    }
  });
});
