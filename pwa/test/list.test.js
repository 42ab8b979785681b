// @vitest-environment happy-dom
// The signal list with its filters and search, and the "Opvolgen" screen.
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { createSignalList } from '../src/views/list.js';
import { filtersFromQuery, queryFromFilters } from '../src/views/filters.js';
import { renderFollowUp } from '../src/views/follow-up.js';
import { today } from '../src/store/search.js';

const CATS = [{ code: 'overlast', name: 'Overlast' }, { code: 'jeugd', name: 'Jeugd' }];
const ENS = { code: 'WK017106', name: 'Ens' };
const EMM = { code: 'WK017101', name: 'Emmeloord' };
const sig = (id, extra = {}) => ({ id, category: 'overlast', description: `Signaal ${id}`, status: 'nieuw', urgency: 'normaal',
  version: 1, created_by: 'anna', kern: ENS, observed_at: '2026-11-28T10:15:00+01:00', ...extra });
const ids = (root) => [...root.querySelectorAll('.signal-list .signal-item[data-id]')].map((li) => li.dataset.id);
const byLabel = (root, text) => {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
  return label && root.querySelector(`#${label.htmlFor}`);
};
const type = (input, value) => { input.value = value; input.dispatchEvent(new Event('input')); };
const choose = (el, value) => {
  if (el.type === 'checkbox') el.checked = value; else el.value = value;
  el.dispatchEvent(new Event('change'));
};
const dayIso = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('signal list with filters', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app');
    history.replaceState(null, '', '/signalen');
  });

  const signals = [
    sig('a', { description: 'Overlast bij het Café\nTweede regel met meer', observed_at: '2026-11-30T09:00:00+01:00' }),
    sig('b', { category: 'jeugd', kern: EMM, description: 'Jongeren bij de skatebaan', created_by: 'piet',
      follow_up_date: '2020-01-03', assignee: 'anna' }),
    sig('c', { status: 'afgesloten', description: 'Kapotte lamp', observed_at: '2026-11-01T09:00:00+01:00' }),
  ];
  const make = (extra = {}) => {
    const list = createSignalList(root, { onDismiss: vi.fn(), searchServer: null, ...extra });
    list.update({ signals, categories: CATS, me: 'anna' });
    return list;
  };

  it('shows each card as a link to the signal with its category, kern, date, first line and follow-up', () => {
    make();
    const cards = root.querySelectorAll('.signal-item__open');
    expect(cards[0].getAttribute('href')).toBe('/signalen/a');
    expect(cards[0].querySelector('.signal-item__title').textContent).toBe('Overlast — Ens');
    expect(cards[0].querySelector('.signal-item__date').textContent).toBe('30 nov 2026, 09:00');
    expect(cards[0].querySelector('.signal-item__text').textContent).toBe('Overlast bij het Café');
    const b = root.querySelector('[data-id="b"]');
    expect(b.querySelector('.signal-item__followup').textContent).toBe('Opvolgen: 3 jan 2020 te laat');
    expect(b.querySelector('.late-mark').textContent).toBe('te laat');
    expect(b.querySelector('.signal-item__assignee').textContent).toBe('Aan jou toegewezen');
    expect(root.querySelector('.signal-count').textContent).toBe('3 signalen');
  });

  it('has a search box named Zoeken that finds "Café" by "cafe", and puts the words in the URL', async () => {
    make();
    const box = byLabel(root, 'Zoeken');
    expect(box.type).toBe('search');
    type(box, 'cafe');
    expect(ids(root)).toEqual(['a']);
    expect(root.querySelector('.signal-count').textContent).toContain('1 van 3 signalen');
    await vi.waitFor(() => expect(location.pathname + location.search).toBe('/signalen?q=cafe'));
  });

  it('filters on kern, category, status, mine and follow-up, named in Dutch', async () => {
    make();
    expect(byLabel(root, 'Kern')).toBeFalsy(); // closed "Filters": not in the page
    const more = root.querySelector('details.filters__more');
    more.open = true;
    more.dispatchEvent(new Event('toggle'));
    choose(byLabel(root, 'Kern'), EMM.code);
    expect(ids(root)).toEqual(['b']);
    choose(byLabel(root, 'Kern'), '');
    choose(byLabel(root, 'Categorie'), 'overlast');
    expect(ids(root)).toEqual(['a', 'c']);
    choose(byLabel(root, 'Status'), 'afgesloten');
    expect(ids(root)).toEqual(['c']);
    choose(byLabel(root, 'Status'), '');
    choose(byLabel(root, 'Categorie'), '');
    choose(byLabel(root, 'Alleen mijn eigen signalen'), true);
    expect(ids(root)).toEqual(['a', 'c']);
    choose(byLabel(root, 'Alleen mijn eigen signalen'), false);
    choose(byLabel(root, 'Alleen op te volgen (vandaag of eerder)'), true);
    expect(ids(root)).toEqual(['b']);
    await vi.waitFor(() => expect(location.search).toBe('?opvolgen=1'));
    expect([...byLabel(root, 'Kern').options].map((o) => o.textContent)).toEqual(['Alle kernen', 'Emmeloord', 'Ens']);
    expect([...byLabel(root, 'Categorie').options].map((o) => o.textContent)).toEqual(['Alle categorieën', 'Overlast', 'Jeugd']);
  });

  it('offers the kernen of the cached areas too, not only those of the signals', async () => {
    const loadKernen = vi.fn(async () => [{ code: 'WK017103', name: 'Bant' }]);
    make({ loadKernen });
    const more = root.querySelector('details.filters__more');
    more.open = true;
    more.dispatchEvent(new Event('toggle'));
    await vi.waitFor(() => expect([...byLabel(root, 'Kern').options].map((o) => o.textContent))
      .toEqual(['Alle kernen', 'Bant', 'Emmeloord', 'Ens']));
  });

  it('starts from the filters in the URL (back and reload keep them)', () => {
    history.replaceState(null, '', '/signalen?q=jongeren&kern=WK017101');
    make();
    expect(byLabel(root, 'Zoeken').value).toBe('jongeren');
    expect(byLabel(root, 'Kern').value).toBe(EMM.code);
    expect(ids(root)).toEqual(['b']);
  });

  it('says when nothing is found, and clears the filters on request', () => {
    make();
    type(byLabel(root, 'Zoeken'), 'fiets');
    expect(ids(root)).toEqual([]);
    expect(root.querySelector('.signal-count').textContent).toContain('Geen signalen gevonden voor „fiets”');
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Filters wissen').click();
    expect(ids(root)).toEqual(['a', 'b', 'c']);
    expect(byLabel(root, 'Zoeken').value).toBe('');
    expect(location.search).toBe('');
  });

  it('shows the server\'s total and its signals that are not on the phone, merged by id', async () => {
    const searchServer = vi.fn(async () => ({ total: 3, limit: 100, offset: 0,
      items: [signals[0], sig('z', { description: 'Oud café aan de dijk' })] }));
    make({ searchServer });
    type(byLabel(root, 'Zoeken'), 'cafe');
    expect(ids(root)).toEqual(['a']); // at once, from the phone
    await vi.waitFor(() => expect(root.querySelector('.server-results').hidden).toBe(false), { timeout: 2000 });
    expect(searchServer.mock.calls.at(-1)[0].get('q')).toBe('cafe');
    expect(root.querySelector('.server-results h3').textContent).toBe('Op de server: 3 signalen');
    const extra = [...root.querySelectorAll('.server-results [data-id]')].map((li) => li.dataset.id);
    expect(extra).toEqual(['z']);
  });

  it('offline, or when the server fails, shows only the phone\'s results without an error', async () => {
    const searchServer = vi.fn(async () => { throw new Error('offline'); });
    make({ searchServer });
    type(byLabel(root, 'Zoeken'), 'cafe');
    await vi.waitFor(() => expect(searchServer).toHaveBeenCalled(), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 0));
    expect(ids(root)).toEqual(['a']);
    expect(root.querySelector('.server-results').hidden).toBe(true);
    expect(root.querySelector('[role=alert]')).toBeNull();
  });

  it('renders one page of 5,000 signals and pages on', () => {
    const many = Array.from({ length: 5000 }, (_, i) => sig(`s${i}`, {
      observed_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() }));
    const list = createSignalList(root, { onDismiss: vi.fn(), searchServer: null });
    list.update({ signals: many, categories: CATS, me: 'anna' });
    expect(root.querySelectorAll('.signal-item__open')).toHaveLength(100);
    expect(root.querySelector('.signal-item--more').textContent).toContain('De nieuwste 100 van 5.000 signalen.');
    type(byLabel(root, 'Zoeken'), 's4999');
    expect(ids(root)).toEqual(['s4999']);
  });
});

describe('filters in the URL', () => {
  it('round-trips and ignores unknown values', () => {
    const f = { q: 'fiets café', kern: 'WK1', category: 'jeugd', status: 'nieuw', period: 'week', mine: true, opvolgen: true };
    expect(filtersFromQuery(queryFromFilters(f))).toEqual(f);
    expect(filtersFromQuery('?status=weg&periode=ooit')).toMatchObject({ status: '', period: '' });
  });
});

describe('Opvolgen', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app');
  });
  const t = today();

  it('lists my due and overdue signals (overdue first) and what is assigned to me, with the note', () => {
    renderFollowUp(root, { me: { username: 'anna' }, categories: CATS, signals: [
      sig('today', { follow_up_date: t.iso }),
      sig('late', { follow_up_date: dayIso(-5) }),
      sig('later', { follow_up_date: dayIso(5) }),
      sig('closed', { follow_up_date: dayIso(-1), status: 'afgesloten' }),
      sig('other', { follow_up_date: dayIso(-1), created_by: 'piet' }),
      sig('given', { created_by: 'piet', assignee: 'anna', assignment_note: 'Wil jij hier langs?', follow_up_date: dayIso(-2) }),
    ] });
    const section = (name) => [...root.querySelectorAll('section')].find((s) => s.querySelector('h2').textContent === name);
    const inSection = (name) => [...section(name).querySelectorAll('[data-id]')].map((li) => li.dataset.id);
    expect(inSection('Op te volgen')).toEqual(['late', 'given', 'today']);
    expect(section('Op te volgen').querySelector('[data-id=late] .late-mark').textContent).toMatch(/^te laat sinds \d+ \w+$/);
    expect(section('Op te volgen').querySelector('[data-id=today]').textContent).toContain('Vandaag opvolgen');
    expect(inSection('Aan mij toegewezen')).toEqual(['given']);
    const given = section('Aan mij toegewezen').querySelector('[data-id=given]');
    expect(given.textContent).toContain('Notitie: Wil jij hier langs?');
    expect(given.textContent).toContain('Overgedragen door piet');
    expect(given.querySelector('a').getAttribute('href')).toBe('/signalen/given');
  });

  it('says so in Dutch when there is nothing', () => {
    renderFollowUp(root, { me: 'anna', signals: [] });
    expect(root.textContent).toContain('Niets op te volgen');
    expect(root.textContent).toContain('geen open signalen aan jou toegewezen');
  });
});
