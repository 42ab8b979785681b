// @vitest-environment happy-dom
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { renderKwesties, summary, weekCounts } from '../src/views/kwesties.js';
import { dateRange } from '../src/views/dates.js';
import { renderShell } from '../src/views/shell.js';
import { ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';

const buttons = (root, name) => [...root.querySelectorAll('button')].filter((b) => b.textContent.trim() === name);
const visible = (el) => !el.closest('[hidden]');

const CATEGORIES = [
  { code: 'jeugd', name: 'Jeugd', subcategories: [{ code: 'jeugdoverlast', name: 'Jeugdoverlast' }] },
  { code: 'openbare_ruimte', name: 'Openbare ruimte', subcategories: [] },
];

const KWESTIES = [
  { id: 'k1', title: 'Jeugdoverlast bij het dorpshuis', description: 'Jongeren blijven hangen.', status: 'open',
    alert_id: null, signal_count: 3, first_observed: '2026-11-03T10:15:00+01:00',
    last_observed: '2026-11-17T20:30:00+01:00', created_by: 'teamleider', created_at: '2026-11-18T09:00:00+01:00' },
  { id: 'k2', title: 'Zwerfafval Marknesse', description: '', status: 'gesloten', alert_id: 'a1', signal_count: 1,
    first_observed: '2026-10-01T08:00:00+02:00', last_observed: '2026-10-01T08:00:00+02:00',
    created_by: 'teamleider', created_at: '2026-10-02T09:00:00+02:00' },
];

function signal(id, observed_at, fields = {}) {
  return { id, category: 'jeugd', subcategory: 'jeugdoverlast', description: `Signaal ${id}`, urgency: 'normaal',
    source: 'inwoner', location: null, observed_at, status: 'nieuw', kern: { code: 'ENS', name: 'Ens' },
    wijk: null, buurt: null, outside_areas: false, near_border: false, ...fields };
}

const DETAIL = {
  ...KWESTIES[0],
  timeline: [
    signal('s1', '2026-11-03T10:15:00+01:00', { contains_personal_data: true }),
    // 23:30 UTC is already 4 November in Amsterdam
    signal('s2', '2026-11-03T23:30:00Z', { category: 'openbare_ruimte', subcategory: null, urgency: 'hoog',
      kern: { code: 'MAR', name: 'Marknesse' } }),
    signal('s3', '2026-11-17T20:30:00+01:00', { category: 'onbekend', subcategory: 'iets', kern: null }),
  ],
};
const NOW = new Date('2026-11-20T12:00:00+01:00');

describe('kwesties view', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<main><section><h2>Kwesties</h2><div id="box"></div></section></main>';
    root = document.getElementById('box');
  });

  const render = (options = {}) => renderKwesties(root, {
    categories: CATEGORIES, now: NOW,
    fetchKwesties: async () => KWESTIES,
    fetchKwestie: async () => DETAIL,
    ...options,
  });

  it('lists the kwesties with signals, dates and status', async () => {
    await render();
    const items = root.querySelectorAll('ul.kwestie-list > li');
    expect(items).toHaveLength(2);
    expect(items[0].querySelector('h3').textContent).toBe('Jeugdoverlast bij het dorpshuis');
    expect(items[0].textContent).toContain('3 signalen, 3 nov – 17 nov 2026 · Status: Open');
    expect(items[1].textContent).toContain('1 signaal, 1 okt 2026 · Status: Gesloten');
    const open = buttons(root, 'Bekijk tijdlijn');
    expect(open).toHaveLength(2);
    expect(open.every((b) => b.tagName === 'BUTTON' && b.type === 'button')).toBe(true);
    // each button says which kwestie it opens
    expect(document.getElementById(open[1].getAttribute('aria-describedby')).textContent).toBe('Zwerfafval Marknesse');
    expect(root.querySelector('[aria-live]').textContent).toBe('2 kwesties.');
  });

  it('counts the signals outside the user\'s areas in the list and the timeline, never shows them', async () => {
    await render({
      fetchKwesties: async () => [{ ...KWESTIES[0], hidden_signals: 4 }, KWESTIES[1]],
      fetchKwestie: async () => ({ ...DETAIL, hidden_signals: 4 }),
    });
    const items = root.querySelectorAll('ul.kwestie-list > li');
    expect(items[0].querySelector('.hidden-note').textContent).toBe('Nog 4 signalen buiten je gebieden; die zie je niet.');
    expect(items[1].querySelector('.hidden-note')).toBeNull();
    buttons(root, 'Bekijk tijdlijn')[0].click();
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline .hidden-note')).not.toBeNull());
  });

  it('says so when there are no kwesties', async () => {
    await render({ fetchKwesties: async () => [] });
    expect(root.querySelector('[aria-live]').textContent).toBe('Nog geen kwesties.');
    expect(root.querySelectorAll('li')).toHaveLength(0);
  });

  it('opens the timeline: signals in order, week table, focus on its heading', async () => {
    const fetchKwestie = vi.fn(async () => ({ ...DETAIL, timeline: [DETAIL.timeline[2], DETAIL.timeline[0], DETAIL.timeline[1]] }));
    await render({ fetchKwestie });
    buttons(root, 'Bekijk tijdlijn')[0].click();
    await vi.waitFor(() => expect(root.querySelector('ol')).toBeTruthy());
    expect(fetchKwestie).toHaveBeenCalledWith('k1');

    const heading = root.querySelector('.kwestie-timeline h3');
    expect(heading.textContent).toBe('Tijdlijn: Jeugdoverlast bij het dorpshuis');
    expect(document.activeElement).toBe(heading);
    expect(visible(root.querySelector('ul.kwestie-list'))).toBe(false);
    expect(root.textContent).toContain('3 signalen van 3 nov tot 17 nov');

    const items = [...root.querySelectorAll('ol.kwestie-signals > li')];
    expect(items.map((li) => li.querySelector('.kwestie-signal__text').textContent)).toEqual(['Signaal s1', 'Signaal s2', 'Signaal s3']);
    expect(items[0].querySelector('time').textContent).toBe('3 nov 2026, 10:15');
    expect(items[0].querySelector('time').getAttribute('datetime')).toBe('2026-11-03T10:15:00+01:00');
    expect(items[0].textContent).toContain('Jeugd – Jeugdoverlast');
    expect(items[0].textContent).toContain('Ens · urgentie normaal');
    expect(items[1].querySelector('time').textContent).toBe('4 nov 2026, 00:30');
    expect(items[1].textContent).toContain('Openbare ruimte');
    expect(items[1].textContent).toContain('Marknesse · urgentie hoog');
    expect(items[2].textContent).toContain('onbekend – iets'); // codes when there is no name
    expect(items.map((li) => li.querySelector('.personal-mark')?.textContent ?? null))
      .toEqual(['Bevat persoonsgegevens', null, null]);
    expect(items[2].textContent).toContain('geen kern bekend');

    const table = root.querySelector('table');
    expect(table.querySelector('caption').textContent).toMatch(/^Signalen per week/);
    expect([...table.querySelectorAll('thead th')].map((th) => [th.textContent, th.getAttribute('scope')]))
      .toEqual([['Week', 'col'], ['Signalen', 'col']]);
    const rows = [...table.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]);
    expect(rows).toEqual([
      ['week 45 (2 nov – 8 nov 2026)', '2'],
      ['week 46 (9 nov – 15 nov 2026)', '0'],
      ['week 47 (16 nov – 22 nov 2026)', '1'],
    ]);
    expect([...table.querySelectorAll('tbody th')].every((th) => th.getAttribute('scope') === 'row')).toBe(true);

    // headings in order: h2 (panel) > h3 (timeline) > h4 (signals)
    const levels = [...document.querySelectorAll('h2, h3, h4')].filter(visible).map((el) => Number(el.tagName[1]));
    expect(levels).toEqual([2, 3, 4]);
  });

  it('shows an empty timeline without table or list, and no stray text', async () => {
    await render({ fetchKwestie: async () => ({ ...KWESTIES[1], description: '', timeline: [] }) });
    buttons(root, 'Bekijk tijdlijn')[1].click();
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline').hidden).toBe(false));
    const timeline = root.querySelector('.kwestie-timeline');
    expect(timeline.textContent).toBe('Terug naar kwestiesTijdlijn: Zwerfafval MarknesseNog geen signalen in deze kwestie.');
    expect(timeline.querySelector('table')).toBeNull();
    expect(timeline.querySelector('ol')).toBeNull();
  });

  it('goes back to the list with the focus on the button that opened the timeline', async () => {
    await render();
    const opener = buttons(root, 'Bekijk tijdlijn')[1];
    opener.click();
    await vi.waitFor(() => expect(root.querySelector('ol')).toBeTruthy());
    const back = buttons(root, 'Terug naar kwesties');
    expect(back).toHaveLength(1);
    back[0].click();
    expect(visible(root.querySelector('ul.kwestie-list'))).toBe(true);
    expect(root.querySelector('.kwestie-timeline').hidden).toBe(true);
    expect(root.querySelector('ol')).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(root.querySelector('[aria-live]').textContent).toBe('2 kwesties.');
  });

  it('says the kwesties need internet when the list cannot be fetched', async () => {
    await render({ fetchKwesties: async () => { throw new ApiError(0, NETWORK_ERROR_DETAIL); } });
    expect(root.querySelector('[aria-live]').textContent).toBe('De kwesties werken alleen met internet.');
    expect(root.querySelectorAll('li')).toHaveLength(0);

    await render({ fetchKwesties: async () => { throw new TypeError('Failed to fetch'); } });
    expect(root.querySelector('[aria-live]').textContent).toBe('De kwesties werken alleen met internet.');

    await render({ fetchKwesties: async () => { throw new ApiError(403, 'Je hebt geen toegang tot deze gegevens.'); } });
    expect(root.querySelector('[aria-live]').textContent).toBe('Je hebt geen toegang tot deze gegevens.');
  });

  it('stays on the list with a message when a timeline cannot be fetched', async () => {
    await render({ fetchKwestie: async () => { throw new ApiError(0, NETWORK_ERROR_DETAIL); } });
    const opener = buttons(root, 'Bekijk tijdlijn')[0];
    opener.click();
    await vi.waitFor(() => expect(root.querySelector('[aria-live]').textContent).toBe('De kwesties werken alleen met internet.'));
    expect(visible(root.querySelector('ul.kwestie-list'))).toBe(true);
    expect(opener.disabled).toBe(false);
  });
});

describe('kwestie dates and weeks (Europe/Amsterdam)', () => {
  it('formats ranges in Dutch', () => {
    expect(dateRange('2026-11-03T10:00:00+01:00', '2026-11-17T10:00:00+01:00')).toBe('3 nov – 17 nov 2026');
    expect(dateRange('2025-12-28T10:00:00+01:00', '2026-01-03T10:00:00+01:00')).toBe('28 dec 2025 – 3 jan 2026');
    expect(dateRange('2026-03-03T10:00:00+01:00', '2026-03-03T18:00:00+01:00')).toBe('3 mrt 2026');
    expect(dateRange(null, null)).toBeNull();
  });

  it('summarises the timeline', () => {
    expect(summary([])).toBe('Nog geen signalen in deze kwestie.');
    expect(summary([signal('a', '2026-05-01T10:00:00+02:00')])).toBe('1 signaal op 1 mei');
    expect(summary([signal('a', '2025-12-30T10:00:00+01:00'), signal('b', '2026-01-02T10:00:00+01:00')]))
      .toBe('2 signalen van 30 dec 2025 tot 2 jan 2026');
  });

  it('counts per ISO week, also across the new year and up to this week', () => {
    const weeks = weekCounts([signal('a', '2025-12-30T10:00:00+01:00'), signal('b', '2026-01-06T10:00:00+01:00')],
      new Date('2026-01-20T12:00:00+01:00'));
    expect(weeks.map((w) => [w.label, w.count])).toEqual([
      ['week 1 (29 dec 2025 – 4 jan 2026)', 1],
      ['week 2 (5 jan – 11 jan 2026)', 1],
      ['week 3 (12 jan – 18 jan 2026)', 0],
      ['week 4 (19 jan – 25 jan 2026)', 0],
    ]);
  });

  it('uses the Amsterdam day: Sunday 23:30 in Amsterdam is still the old week', () => {
    // Sunday 8 November 2026 23:30 Amsterdam = 22:30 UTC; Monday 9 November 00:30 = 23:30 UTC on the 8th
    const weeks = weekCounts([signal('a', '2026-11-08T22:30:00Z'), signal('b', '2026-11-08T23:30:00Z')],
      new Date('2026-11-09T12:00:00Z'));
    expect(weeks.map((w) => [w.week, w.count])).toEqual([[45, 1], [46, 1]]);
  });

  it('shows at most twelve quiet weeks after the last signal', () => {
    const weeks = weekCounts([signal('a', '2026-01-06T10:00:00+01:00')], new Date('2026-12-01T12:00:00+01:00'));
    expect(weeks).toHaveLength(13);
    expect(weeks.slice(1).every((w) => w.count === 0)).toBe(true);
  });
});

describe('Kwesties in the app shell', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app');
  });

  it('shows Kwesties only for teamleider and beheerder and fetches on every opening', () => {
    const onOpenKwesties = vi.fn();
    const shell = renderShell(root, { me: { username: 'anna', role: 'gebiedsregisseur', areas: [] }, onLogout() {},
      onOpenKwesties, categories: CATEGORIES });
    expect(buttons(root, 'Kwesties')).toHaveLength(0);
    shell.setMe({ username: 'bert', role: 'teamleider', areas: [] });
    const [open] = buttons(root, 'Kwesties');
    expect(open.getAttribute('aria-controls')).toBe('panel-kwesties');
    open.click();
    const panel = document.getElementById('panel-kwesties');
    expect(panel.hidden).toBe(false);
    expect(document.activeElement).toBe(panel.querySelector('h2'));
    expect(panel.querySelector('h2').textContent).toBe('Kwesties');
    expect(onOpenKwesties).toHaveBeenCalledWith(panel.querySelector('.kwesties'), CATEGORIES);
    open.click(); // closes
    open.click(); // opens again: fetched anew
    expect(onOpenKwesties).toHaveBeenCalledTimes(2);
    shell.setMe({ username: 'carla', role: 'beheerder', areas: [] });
    expect(buttons(root, 'Kwesties')).toHaveLength(1);
    shell.setMe({ username: 'dirk', role: 'gebiedsregisseur', areas: [] });
    expect(buttons(root, 'Kwesties')).toHaveLength(0);
    expect(document.getElementById('panel-kwesties')).toBeNull();
    shell.destroy();
  });

  it('draws the map only on its first opening', () => {
    const onOpenMap = vi.fn();
    const shell = renderShell(root, { me: { username: 'bert', role: 'teamleider', areas: [] }, onLogout() {}, onOpenMap });
    const [open] = buttons(root, 'Kaart');
    open.click();
    open.click();
    open.click();
    expect(onOpenMap).toHaveBeenCalledTimes(1);
    shell.destroy();
  });
});
