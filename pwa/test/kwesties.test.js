// @vitest-environment happy-dom
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { choosable, renderKwesties, summary, weekCounts } from '../src/views/kwesties.js';
import { dateRange } from '../src/views/dates.js';
import { ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';

const buttons = (root, name) => [...root.querySelectorAll('button')].filter((b) => b.textContent.trim() === name);
const links = (root, name) => [...root.querySelectorAll('a')].filter((a) => a.textContent.trim() === name);
const visible = (el) => !el.closest('[hidden]');
function byLabel(root, text) {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text && visible(l));
  return label && root.querySelector(`[id="${label.htmlFor}"]`);
}
const type = (el, value) => { el.value = value; el.dispatchEvent(new Event('input', { bubbles: true })); };
const summaryOf = (root, text) => [...root.querySelectorAll('details > summary')].find((s) => s.textContent === text);
function openDetails(root, text) {
  const details = summaryOf(root, text).parentElement;
  details.open = true;
  details.dispatchEvent(new Event('toggle'));
  return details;
}
const submit = (scope) => scope.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));

/** Open "Nieuwe kwestie" and wait for its form (the box with the title and the signal picker). */
async function openNewKwestie(root) {
  buttons(root, 'Nieuwe kwestie')[0].click();
  await vi.waitFor(() => expect(byLabel(root, 'Zoek in je signalen')).toBeTruthy());
  return root.querySelector('.kwestie-new');
}

/** A new kwestie titled `title` with the first listed signal ticked, sent. */
async function sendNewKwestie(root, title) {
  const box = await openNewKwestie(root);
  type(byLabel(box, 'Titel'), title);
  box.querySelector('.picker__item input').click();
  submit(box);
  return box;
}

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
    document.body.innerHTML = '<main><h1>Kwesties</h1><div id="box"></div></main>';
    root = document.getElementById('box');
  });

  const render = (options = {}) => renderKwesties(root, {
    categories: CATEGORIES, now: NOW,
    fetchKwesties: async () => KWESTIES,
    fetchKwestie: async () => DETAIL,
    ...options,
  });

  it('lists the kwesties with signals, dates and status; each title links to the kwestie\'s own URL', async () => {
    await render();
    const items = root.querySelectorAll('ul.kwestie-list > li');
    expect(items).toHaveLength(2);
    expect(items[0].querySelector('h2').textContent).toBe('Jeugdoverlast bij het dorpshuis');
    expect(items[0].querySelector('h2 a').getAttribute('href')).toBe('/kwesties/k1');
    expect(items[0].textContent).toContain('3 signalen, 3 nov – 17 nov 2026 · Status: Open');
    expect(items[1].textContent).toContain('1 signaal, 1 okt 2026 · Status: Gesloten');
    expect(root.querySelector('[aria-live]').textContent).toBe('2 kwesties.');
    // read-only without the write callbacks
    expect(buttons(root, 'Nieuwe kwestie')).toHaveLength(0);
  });

  it('counts the signals outside the user\'s areas in the list and the kwestie, never shows them', async () => {
    await render({
      fetchKwesties: async () => [{ ...KWESTIES[0], hidden_signals: 4 }, KWESTIES[1]],
      fetchKwestie: async () => ({ ...DETAIL, hidden_signals: 4 }),
    });
    const items = root.querySelectorAll('ul.kwestie-list > li');
    expect(items[0].querySelector('.hidden-note').textContent).toBe('Nog 4 signalen buiten je gebieden; die zie je niet.');
    expect(items[1].querySelector('.hidden-note')).toBeNull();
    links(root, 'Jeugdoverlast bij het dorpshuis')[0].click();
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline .hidden-note')).not.toBeNull());
  });

  it('says so when there are no kwesties', async () => {
    await render({ fetchKwesties: async () => [] });
    expect(root.querySelector('[aria-live]').textContent).toBe('Nog geen kwesties.');
    expect(root.querySelectorAll('li')).toHaveLength(0);
  });

  it('opens a kwestie: signals in order, week table, focus on its heading', async () => {
    const fetchKwestie = vi.fn(async () => ({ ...DETAIL, timeline: [DETAIL.timeline[2], DETAIL.timeline[0], DETAIL.timeline[1]] }));
    await render({ fetchKwestie });
    links(root, 'Jeugdoverlast bij het dorpshuis')[0].click();
    await vi.waitFor(() => expect(root.querySelector('ol')).toBeTruthy());
    expect(fetchKwestie).toHaveBeenCalledWith('k1');

    const heading = root.querySelector('.kwestie-timeline h2');
    expect(heading.textContent).toBe('Jeugdoverlast bij het dorpshuis');
    expect(document.activeElement).toBe(heading);
    expect(visible(root.querySelector('ul.kwestie-list'))).toBe(false);
    expect(root.textContent).toContain('3 signalen van 3 nov tot 17 nov');
    expect(root.textContent).toContain('Status: Open');
    expect(root.textContent).toContain('Nog geen updates.');

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
    expect(items[0].querySelector('button')).toBeNull(); // read-only: nothing to remove

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

    // headings in order: h1 (screen) > h2 (kwestie) > h3 (updates, signals)
    const levels = [...document.querySelectorAll('h1, h2, h3, h4')].filter(visible).map((el) => Number(el.tagName[1]));
    expect(levels).toEqual([1, 2, 3, 3]);
  });

  it('shows an empty timeline without table or list, and no stray text', async () => {
    await render({ fetchKwestie: async () => ({ ...KWESTIES[1], description: '', timeline: [] }) });
    links(root, 'Zwerfafval Marknesse')[0].click();
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline').hidden).toBe(false));
    const timeline = root.querySelector('.kwestie-timeline');
    expect(timeline.textContent).toBe('Terug naar kwestiesZwerfafval MarknesseStatus: GeslotenNog geen signalen in deze kwestie.UpdatesNog geen updates.');
    expect(timeline.querySelector('table')).toBeNull();
    expect(timeline.querySelector('ol')).toBeNull();
  });

  it('goes back to the list with the focus on the link that opened the kwestie', async () => {
    await render();
    const opener = links(root, 'Zwerfafval Marknesse')[0];
    opener.click();
    await vi.waitFor(() => expect(root.querySelector('ol')).toBeTruthy());
    const back = links(root, 'Terug naar kwesties');
    expect(back).toHaveLength(1);
    expect(back[0].getAttribute('href')).toBe('/kwesties');
    back[0].click();
    await vi.waitFor(() => expect(visible(root.querySelector('ul.kwestie-list'))).toBe(true));
    expect(root.querySelector('.kwestie-timeline').hidden).toBe(true);
    expect(root.querySelector('ol')).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(root.querySelector('[aria-live]').textContent).toBe('2 kwesties.');
  });

  it('with the app\'s router: a kwestie is its own URL, and one opened by URL goes back by the router', async () => {
    const navigate = vi.fn();
    const fetchKwestie = vi.fn(async () => DETAIL);
    await render({ navigate, fetchKwestie });
    links(root, 'Zwerfafval Marknesse')[0].click();
    expect(navigate).toHaveBeenCalledWith('/kwesties/k2');
    expect(fetchKwestie).not.toHaveBeenCalled();

    const fetchKwesties = vi.fn(async () => KWESTIES);
    await render({ navigate, fetchKwestie, fetchKwesties, id: 'k1' });
    expect(fetchKwesties).not.toHaveBeenCalled();
    expect(fetchKwestie).toHaveBeenCalledWith('k1');
    expect(root.querySelector('.kwestie-timeline h2').textContent).toBe('Jeugdoverlast bij het dorpshuis');
    expect(visible(root.querySelector('ul.kwestie-list'))).toBe(false);
    links(root, 'Terug naar kwesties')[0].click();
    expect(navigate).toHaveBeenLastCalledWith('/kwesties');
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

  it('stays on the list with a message when a kwestie cannot be fetched', async () => {
    await render({ fetchKwestie: async () => { throw new ApiError(0, NETWORK_ERROR_DETAIL); } });
    links(root, 'Jeugdoverlast bij het dorpshuis')[0].click();
    await vi.waitFor(() => expect(root.querySelector('[aria-live]').textContent).toBe('De kwesties werken alleen met internet.'));
    expect(visible(root.querySelector('ul.kwestie-list'))).toBe(true);

    // opened by URL: the server's words and a way back
    await render({ id: 'nope', fetchKwestie: async () => { throw new ApiError(404, 'Deze kwestie bestaat niet.'); } });
    expect(root.querySelector('[aria-live]').textContent).toBe('Deze kwestie bestaat niet.');
    expect(links(root, 'Terug naar kwesties')).toHaveLength(1);
  });
});

/** A small server in memory: the kwesties, their signals and updates, as the API answers. */
function fakeServer() {
  const signals = {
    s1: signal('s1', '2026-11-03T10:15:00+01:00'),
    s2: signal('s2', '2026-11-05T10:15:00+01:00', { description: 'Scooters bij de haven', kern: { code: 'MAR', name: 'Marknesse' } }),
    s9: signal('s9', '2026-11-10T09:00:00+01:00', { description: 'Graffiti op het bushokje', category: 'openbare_ruimte', subcategory: null }),
  };
  const kwesties = { k1: { ...KWESTIES[0], signal_ids: ['s1', 's2'], updates: [], outcome: null, closed_at: null } };
  const detail = (id) => {
    const k = kwesties[id];
    if (!k) throw new ApiError(404, 'Deze kwestie bestaat niet.');
    const { signal_ids: ids, ...rest } = k;
    return structuredClone({ ...rest, signal_count: ids.length, timeline: ids.map((s) => signals[s]) });
  };
  const api = {
    fetchKwesties: vi.fn(async () => Object.keys(kwesties).map((id) => {
      const { timeline, updates, ...k } = detail(id);
      return k;
    })),
    fetchKwestie: vi.fn(async (id) => detail(id)),
    createKwestie: vi.fn(async ({ title, description, signal_ids: ids }) => {
      const id = `k${Object.keys(kwesties).length + 1}`;
      kwesties[id] = { ...KWESTIES[0], id, title, description, signal_ids: ids, updates: [], outcome: null, closed_at: null };
      return detail(id);
    }),
    updateKwestie: vi.fn(async (id, body) => {
      if (body.status === 'gesloten' && !body.outcome) throw new ApiError(422, 'Een kwestie sluiten kan alleen met een uitkomst.');
      Object.assign(kwesties[id], body);
      if (body.status === 'gesloten') kwesties[id].closed_at = '2026-11-20T11:00:00+01:00';
      if (body.status === 'open') Object.assign(kwesties[id], { outcome: null, closed_at: null });
      return detail(id);
    }),
    addSignals: vi.fn(async (id, ids) => { kwesties[id].signal_ids.push(...ids); return detail(id); }),
    removeSignal: vi.fn(async (id, sid) => { kwesties[id].signal_ids = kwesties[id].signal_ids.filter((s) => s !== sid); return null; }),
    addUpdate: vi.fn(async (id, text) => {
      kwesties[id].updates.push({ at: '2026-11-20T10:05:00+01:00', by: 'teamleider', text });
      return null;
    }),
    // the phone's signals: one the server does not know yet, one closed, one already in k1
    listSignals: vi.fn(async () => [
      { ...signals.s1, version: 1 }, { ...signals.s9, version: 2 },
      { ...signal('s7', '2026-11-12T09:00:00+01:00', { description: 'Nog niet verstuurd' }), version: null },
      { ...signal('s8', '2026-11-12T09:00:00+01:00', { description: 'Al afgesloten', status: 'afgesloten' }), version: 3 },
      { ...signals.s2, version: 4 },
    ]),
  };
  return { api, kwesties };
}

describe('working on kwesties', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<main><h1>Kwesties</h1><div id="box"></div></main>';
    root = document.getElementById('box');
  });
  const render = (api, options = {}) => renderKwesties(root, { categories: CATEGORIES, now: NOW, ...api, ...options });
  const openK1 = async (api) => {
    await render(api, { id: 'k1' });
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline h2')).toBeTruthy());
  };

  it('only offers signals the server knows and that are open, newest first', () => {
    const list = [
      { id: 'a', version: 1, status: 'nieuw', observed_at: '2026-11-01T10:00:00Z' },
      { id: 'b', version: null, status: 'nieuw', observed_at: '2026-11-02T10:00:00Z' },
      { id: 'c', version: 2, status: 'afgesloten', observed_at: '2026-11-03T10:00:00Z' },
      { id: 'd', version: 3, status: 'in_behandeling', observed_at: '2026-11-04T10:00:00Z' },
    ];
    expect(choosable(list).map((s) => s.id)).toEqual(['d', 'a']);
    expect(choosable(list, new Set(['d'])).map((s) => s.id)).toEqual(['a']);
  });

  it('makes a new kwestie from a title, a description and ticked signals (found by typing)', async () => {
    const { api, kwesties } = fakeServer();
    const navigate = vi.fn();
    await render(api, { navigate });
    const box = await openNewKwestie(root);
    expect(document.activeElement.textContent).toBe('Nieuwe kwestie');
    // only the open signals the server knows, newest first
    const labels = () => [...box.querySelectorAll('.picker__item label')].map((l) => l.querySelector('.picker__text').textContent);
    expect(labels()).toEqual(['Graffiti op het bushokje', 'Scooters bij de haven', 'Signaal s1']);
    expect(box.querySelector('.picker__what').textContent).toBe('Openbare ruimte, Ens');
    expect(box.querySelector('.picker__when').textContent).toBe('10 nov 2026');

    // nothing filled in: say what is missing, at the field
    submit(box);
    await vi.waitFor(() => expect(box.querySelector('.form-error').textContent).toBe('Geef de kwestie een titel.'));
    expect(document.activeElement).toBe(byLabel(box, 'Titel'));
    type(byLabel(box, 'Titel'), '  Overlast haven Marknesse ');
    // the message about what was missing goes once the user fixes it
    expect(box.querySelector('.form-error').textContent).toBe('');
    submit(box);
    await vi.waitFor(() => expect(box.querySelector('.form-error').textContent).toBe('Kies minstens één signaal voor de kwestie.'));
    expect(api.createKwestie).not.toHaveBeenCalled();

    // typing narrows the list (case and accents do not matter); a ticked signal stays
    type(byLabel(box, 'Zoek in je signalen'), 'MARKNÉSSE');
    expect(labels()).toEqual(['Scooters bij de haven']);
    box.querySelector('.picker__item input').click();
    type(byLabel(box, 'Zoek in je signalen'), 'graffiti');
    expect(labels()).toEqual(['Graffiti op het bushokje', 'Scooters bij de haven']);
    box.querySelector('.picker__item input').click();
    type(byLabel(box, 'Beschrijving'), 'Jongeren met scooters.');
    submit(box);
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledWith('/kwesties/k2'));
    expect(api.createKwestie).toHaveBeenCalledWith({
      title: 'Overlast haven Marknesse', description: 'Jongeren met scooters.', signal_ids: ['s2', 's9'] });
    expect(kwesties.k2.signal_ids).toEqual(['s2', 's9']);
  });

  it('keeps the form and shows the server\'s words when making a kwestie fails', async () => {
    const { api } = fakeServer();
    api.createKwestie.mockRejectedValueOnce(new ApiError(403, 'Dit signaal ligt buiten je gebieden.'));
    await render(api);
    const box = await sendNewKwestie(root, 'Graffiti');
    await vi.waitFor(() => expect(box.querySelector('.form-error').textContent).toBe('Dit signaal ligt buiten je gebieden.'));
    expect(byLabel(box, 'Titel').value).toBe('Graffiti');
    expect(box.querySelector('.picker__item input').checked).toBe(true);
  });

  it('without a router, a new kwestie opens at once and the list has it on the way back', async () => {
    const { api } = fakeServer();
    await render(api);
    const box = await sendNewKwestie(root, 'Graffiti');
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline h2')?.textContent).toBe('Graffiti'));
    links(root, 'Terug naar kwesties')[0].click();
    await vi.waitFor(() => expect(links(root, 'Graffiti')).toHaveLength(1));
    expect(document.activeElement).toBe(links(root, 'Graffiti')[0]);
  });

  it('renames a kwestie', async () => {
    const { api, kwesties } = fakeServer();
    await openK1(api);
    const details = openDetails(root, 'Naam en beschrijving wijzigen');
    expect(byLabel(details, 'Titel').value).toBe('Jeugdoverlast bij het dorpshuis');
    type(byLabel(details, 'Titel'), '');
    submit(details);
    await vi.waitFor(() => expect(details.querySelector('.form-error').textContent).toBe('Geef de kwestie een titel.'));
    type(byLabel(details, 'Titel'), 'Jongeren bij het dorpshuis Ens');
    type(byLabel(details, 'Beschrijving'), 'Elke vrijdagavond.');
    submit(details);
    await vi.waitFor(() => expect(root.querySelector('.kwestie-timeline h2').textContent).toBe('Jongeren bij het dorpshuis Ens'));
    expect(api.updateKwestie).toHaveBeenCalledWith('k1', { title: 'Jongeren bij het dorpshuis Ens', description: 'Elke vrijdagavond.' });
    expect(kwesties.k1.title).toBe('Jongeren bij het dorpshuis Ens');
    await vi.waitFor(() => expect(root.querySelector('.kwestie-done').textContent).toBe('Naam en beschrijving opgeslagen.'));
    expect(root.textContent).toContain('Elke vrijdagavond.');
    expect(document.activeElement).toBe(root.querySelector('.kwestie-timeline h2'));
  });

  it('writes an update, shown with its Dutch date and author', async () => {
    const { api } = fakeServer();
    await openK1(api);
    const section = root.querySelector('.kwestie-updates');
    submit(section);
    await vi.waitFor(() => expect(section.querySelector('.form-error').textContent).toBe('Schrijf eerst de update.'));
    type(byLabel(section, 'Update'), 'Gesprek met de jongerenwerker gehad.');
    submit(section);
    await vi.waitFor(() => expect(root.querySelector('.kwestie-update-list')).toBeTruthy());
    expect(api.addUpdate).toHaveBeenCalledWith('k1', 'Gesprek met de jongerenwerker gehad.');
    const item = root.querySelector('.kwestie-update-list li');
    expect(item.textContent).toBe('20 nov 2026, 10:05 · teamleiderGesprek met de jongerenwerker gehad.');
    await vi.waitFor(() => expect(root.querySelector('.kwestie-updates .kwestie-done').textContent).toBe('Update toegevoegd.'));
    expect(document.activeElement.textContent).toBe('Updates');
    expect(byLabel(root.querySelector('.kwestie-updates'), 'Update').value).toBe('');
  });

  it('adds signals from the phone (not those already in it) and removes one', async () => {
    const { api, kwesties } = fakeServer();
    await openK1(api);
    const details = openDetails(root, 'Signalen toevoegen');
    await vi.waitFor(() => expect(details.querySelector('.picker__item')).toBeTruthy());
    const offered = [...details.querySelectorAll('.picker__text')].map((t) => t.textContent);
    expect(offered).toEqual(['Graffiti op het bushokje']);
    details.querySelector('.picker__item input').click();
    submit(details);
    await vi.waitFor(() => expect(root.querySelectorAll('ol.kwestie-signals > li')).toHaveLength(3));
    expect(api.addSignals).toHaveBeenCalledWith('k1', ['s9']);
    await vi.waitFor(() => expect(root.querySelector('.kwestie-done--signals').textContent).toBe('1 signaal toegevoegd.'));

    const scooters = [...root.querySelectorAll('ol.kwestie-signals > li')].find((li) => li.textContent.includes('Scooters'));
    const remove = scooters.querySelector('button');
    expect(remove.textContent).toBe('Uit kwestie halen');
    // the button says which signal it takes out
    const described = remove.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent);
    expect(described).toEqual(['Jeugd – Jeugdoverlast', 'Scooters bij de haven']);
    remove.click();
    await vi.waitFor(() => expect(root.querySelectorAll('ol.kwestie-signals > li')).toHaveLength(2));
    expect(api.removeSignal).toHaveBeenCalledWith('k1', 's2');
    expect(kwesties.k1.signal_ids).toEqual(['s1', 's9']);
    expect(root.textContent).not.toContain('Scooters bij de haven');
  });

  it('says why a signal could not be taken out, in the server\'s words', async () => {
    const { api } = fakeServer();
    api.removeSignal.mockRejectedValueOnce(new ApiError(409, 'Een kwestie houdt minstens één signaal.'));
    await openK1(api);
    root.querySelector('.kwestie-signal__remove').click();
    await vi.waitFor(() => expect(root.querySelector('.kwestie-done--signals').textContent).toBe('Een kwestie houdt minstens één signaal.'));
    expect(root.querySelectorAll('ol.kwestie-signals > li')).toHaveLength(2);
  });

  it('closes a kwestie only with an outcome, and reopens it', async () => {
    const { api, kwesties } = fakeServer();
    await openK1(api);
    let details = openDetails(root, 'Kwestie sluiten');
    submit(details);
    await vi.waitFor(() => expect(details.querySelector('.form-error').textContent)
      .toBe('Schrijf kort de uitkomst op; zonder uitkomst kan de kwestie niet dicht.'));
    expect(document.activeElement).toBe(byLabel(details, 'Uitkomst'));
    expect(api.updateKwestie).not.toHaveBeenCalled();
    type(byLabel(details, 'Uitkomst'), 'Afspraken met de jongeren; het is rustig.');
    submit(details);
    await vi.waitFor(() => expect(root.textContent).toContain('Status: Gesloten sinds 20 nov 2026'));
    expect(api.updateKwestie).toHaveBeenCalledWith('k1', { status: 'gesloten', outcome: 'Afspraken met de jongeren; het is rustig.' });
    expect(kwesties.k1.status).toBe('gesloten');
    expect(root.querySelector('.kwestie-outcome').textContent).toBe('Uitkomst: Afspraken met de jongeren; het is rustig.');
    // closed: no more changes until it is reopened
    expect(summaryOf(root, 'Kwestie sluiten')).toBeUndefined();
    expect(summaryOf(root, 'Signalen toevoegen')).toBeUndefined();
    expect(buttons(root, 'Uit kwestie halen')).toHaveLength(0);
    submit(root.querySelector('.kwestie-form--reopen').parentElement);
    await vi.waitFor(() => expect(root.textContent).toContain('Status: Open'));
    expect(api.updateKwestie).toHaveBeenLastCalledWith('k1', { status: 'open' });
    expect(root.querySelector('.kwestie-outcome')).toBeNull();
    details = openDetails(root, 'Kwestie sluiten');
    expect(details).toBeTruthy();
  });

  it('shows the server\'s words when a change is refused, and keeps what was typed', async () => {
    const { api } = fakeServer();
    api.updateKwestie.mockRejectedValueOnce(new ApiError(422, 'De titel is te lang.'));
    await openK1(api);
    const details = openDetails(root, 'Naam en beschrijving wijzigen');
    type(byLabel(details, 'Titel'), 'Nieuwe titel');
    submit(details);
    await vi.waitFor(() => expect(details.querySelector('.form-error').textContent).toBe('De titel is te lang.'));
    expect(byLabel(details, 'Titel').value).toBe('Nieuwe titel');
    api.updateKwestie.mockRejectedValueOnce(new ApiError(0, NETWORK_ERROR_DETAIL));
    submit(details);
    await vi.waitFor(() => expect(details.querySelector('.form-error').textContent).toBe('De kwesties werken alleen met internet.'));
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

