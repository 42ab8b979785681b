// @vitest-environment happy-dom
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { renderAlerts, evidence } from '../src/views/alerts.js';
import { mountAlertMap as realMap } from '../src/views/alert-map.js';
import { renderShell } from '../src/views/shell.js';
import { acknowledgeAlert, fetchAlert, ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';

const buttons = (root, name) => [...root.querySelectorAll('button')].filter((b) => b.textContent.trim() === name);
const byLabel = (root, text) => {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
  return label && root.querySelector(`#${label.htmlFor}`);
};
const items = (root) => [...root.querySelectorAll('ul.alert-list > li')];

const CATEGORIES = [
  { code: 'jeugd', name: 'Jeugd', subcategories: [{ code: 'jeugdoverlast', name: 'Jeugdoverlast' }] },
];

function alert(id, fields = {}) {
  return {
    id, method: 'basislijn', title: `Waarschuwing ${id}`, category: 'jeugd', kern: { code: 'ENS', name: 'Ens' },
    observed: 5, expected: 0.75, score: 4.2, p_value: 0.001, signal_ids: ['s1', 's2', 's3'],
    extent: [5.83, 52.633, 5.834, 52.6345], why: `Waarom ${id}.`,
    window_start: '2026-11-03T00:00:00+01:00', window_end: '2026-11-17T12:00:00+01:00',
    status: 'nieuw', reason: null, created_at: '2026-11-17T12:00:00+01:00', updated_at: '2026-11-17T12:00:00+01:00',
    ...fields,
  };
}

function signal(id, observed_at, fields = {}) {
  return { id, category: 'jeugd', subcategory: 'jeugdoverlast', description: `Signaal ${id}`, urgency: 'normaal',
    source: 'inwoner', location: { lat: 52.6335, lon: 5.833, accuracy_m: 10 }, observed_at, status: 'nieuw',
    kern: { code: 'ENS', name: 'Ens' }, wijk: null, buurt: null, outside_areas: false, near_border: false, ...fields };
}

const SIGNALS = [
  // out of order on purpose: the view shows them in the order they were observed
  signal('s3', '2026-11-17T20:30:00+01:00', { location: null, kern: null }),
  signal('s1', '2026-11-03T10:15:00+01:00', { contains_personal_data: true }),
  // 23:30 UTC is already 4 November in Amsterdam
  signal('s2', '2026-11-03T23:30:00Z', { subcategory: null, kern: { code: 'MAR', name: 'Marknesse' } }),
];

describe('alert evidence line', () => {
  it('names the method in plain Dutch, observed against expected with a decimal comma, and the period', () => {
    expect(evidence(alert('a'))).toBe('Telling tegen de basislijn · Waargenomen 5, verwacht 0,8 · Periode 3 nov – 17 nov 2026');
    expect(evidence(alert('a', { method: 'scan', observed: 12, expected: 3.04 })))
      .toBe('Ruimte-tijdcluster · Waargenomen 12, verwacht 3,0 · Periode 3 nov – 17 nov 2026');
    expect(evidence(alert('a', { expected: 1234.56 }))).toContain('verwacht 1.234,6');
    // the rule has no expected number; a window within one day is one date
    expect(evidence(alert('a', { method: 'regel', observed: 4, expected: null,
      window_start: '2026-11-03T10:00:00+01:00', window_end: '2026-11-03T18:00:00+01:00' })))
      .toBe('Regel: signalen dicht bij elkaar · Periode 3 nov 2026');
    // across the new year, in Amsterdam time (23:30 UTC on 31 December is 1 January)
    expect(evidence(alert('a', { window_start: '2025-12-20T12:00:00Z', window_end: '2025-12-31T23:30:00Z' })))
      .toContain('Periode 20 dec 2025 – 1 jan 2026');
    expect(evidence(alert('a', { method: 'iets', expected: null, window_start: null, window_end: null }))).toBe('iets');
  });
});

describe('alerts view', () => {
  let root;
  let mountAlertMap;
  let loadMap;
  beforeEach(() => {
    document.body.innerHTML = '<main><section><h2>Waarschuwingen</h2><div id="box"></div></section></main>';
    root = document.getElementById('box');
    mountAlertMap = vi.fn((el, { signals }) => ({ markers: signals.filter((s) => s.location).length, remove: vi.fn() }));
    loadMap = vi.fn(async () => ({ mountAlertMap })); // Leaflet does not run in happy-dom
  });

  const render = (options = {}) => renderAlerts(root, {
    categories: CATEGORIES, loadMap,
    fetchAlerts: async () => [alert('a1'), alert('a2', { method: 'regel', expected: null, status: 'bekeken' })],
    fetchAlert: async (id) => ({ ...alert(id), signals: SIGNALS }),
    ...options,
  });

  it('counts the signals outside the user\'s areas without showing them', async () => {
    await render({ fetchAlerts: async () => [alert('a1', { hidden_signals: 2 }), alert('a2', { hidden_signals: 1 })] });
    expect(root.querySelector('[aria-live]').textContent).toBe('2 waarschuwingen.');
    const [first, second] = items(root);
    expect(first.querySelector('.hidden-note').textContent).toBe('Nog 2 signalen buiten je gebieden; die zie je niet.');
    expect(second.querySelector('.hidden-note').textContent).toBe('Nog 1 signaal buiten je gebieden; dat zie je niet.');
    await render({ fetchAlerts: async () => [alert('a1')] });
    expect(root.querySelector('[aria-live]').textContent).toBe('1 waarschuwing.');
    expect(root.querySelector('.hidden-note')).toBeNull();
  });

  it('shows each alert with its evidence line and status', async () => {
    await render();
    const [first, second] = items(root);
    expect(first.querySelector('h3').textContent).toBe('Waarschuwing a1');
    expect(first.querySelector('.alert-item__evidence').textContent)
      .toBe('Telling tegen de basislijn · Waargenomen 5, verwacht 0,8 · Periode 3 nov – 17 nov 2026');
    expect(first.querySelector('.alert-item__status').textContent).toBe('Status: Nieuw · 3 signalen');
    expect(second.querySelector('.alert-item__evidence').textContent)
      .toBe('Regel: signalen dicht bij elkaar · Periode 3 nov – 17 nov 2026');
    const open = buttons(root, 'Bekijk signalen');
    expect(open).toHaveLength(2);
    expect(open[0].getAttribute('aria-expanded')).toBe('false');
    expect(document.getElementById(open[1].getAttribute('aria-describedby')).textContent).toBe('Waarschuwing a2');
    // without acknowledge (not a team lead): no Bekeken, no Afwijzen
    expect(buttons(root, 'Afwijzen')).toHaveLength(0);
    expect(buttons(root, 'Bekeken')).toHaveLength(0);
  });

  it('opens and closes the signals: ordered list and a map fitted to the extent', async () => {
    const fetchAlert = vi.fn(async (id) => ({ ...alert(id), signals: SIGNALS }));
    await render({ fetchAlert });
    expect(loadMap).not.toHaveBeenCalled(); // no Leaflet before a map is needed
    const [toggle] = buttons(root, 'Bekijk signalen');
    toggle.click();
    await vi.waitFor(() => expect(mountAlertMap).toHaveBeenCalled());
    expect(fetchAlert).toHaveBeenCalledWith('a1');

    const item = items(root)[0];
    const box = document.getElementById(toggle.getAttribute('aria-controls'));
    expect(item.contains(box)).toBe(true);
    expect(box.hidden).toBe(false);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.textContent).toBe('Verberg signalen');
    expect(box.querySelector('h4').textContent).toBe('Signalen op volgorde van waarneming');
    expect(box.textContent).toContain('3 signalen, waarvan 2 met een plek op de kaart.');

    const rows = [...box.querySelectorAll('ol.alert-signals > li')];
    expect(rows.map((li) => li.querySelector('.alert-signal__text').textContent)).toEqual(['Signaal s1', 'Signaal s2', 'Signaal s3']);
    expect(rows.map((li) => li.querySelector('time').textContent))
      .toEqual(['3 nov 2026, 10:15', '4 nov 2026, 00:30', '17 nov 2026, 20:30']);
    expect(rows[0].querySelector('time').getAttribute('datetime')).toBe('2026-11-03T10:15:00+01:00');
    expect(rows[0].querySelector('.alert-signal__what').textContent).toBe('Jeugd – Jeugdoverlast');
    expect(rows[0].querySelector('.alert-signal__where').textContent).toBe('Ens');
    expect(rows[1].querySelector('.alert-signal__what').textContent).toBe('Jeugd');
    expect(rows[1].querySelector('.alert-signal__where').textContent).toBe('Marknesse');
    expect(rows[2].querySelector('.alert-signal__where').textContent).toBe('geen kern bekend');
    expect(rows.map((li) => li.querySelector('.personal-mark')?.textContent ?? null))
      .toEqual(['Bevat persoonsgegevens', null, null]);

    // the map: a named region, fitted to the alert's extent, the signals in the list's order
    const mapEl = box.querySelector('.alert-map');
    expect(mapEl.getAttribute('role')).toBe('region');
    expect(mapEl.getAttribute('aria-label')).toMatch(/^Kaart met de signalen van deze waarschuwing; de lijst/);
    const [el, options] = mountAlertMap.mock.calls[0];
    expect(el).toBe(mapEl);
    expect(options.extent).toEqual([5.83, 52.633, 5.834, 52.6345]);
    expect(options.signals.map((s) => s.id)).toEqual(['s1', 's2', 's3']);
    expect(options.label(options.signals[0], 1)).toBe('1. 3 nov 2026, 10:15: Jeugd – Jeugdoverlast');

    // headings in order: h2 (panel) > h3 (alert) > h4 (signals)
    const levels = [...document.querySelectorAll('h2, h3, h4')].filter((x) => !x.closest('[hidden]')).map((x) => Number(x.tagName[1]));
    expect(levels).toEqual([2, 3, 4, 3]);

    toggle.click(); // closes
    expect(box.hidden).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent).toBe('Bekijk signalen');
    toggle.click(); // opens again without fetching or mounting anew
    expect(box.hidden).toBe(false);
    expect(fetchAlert).toHaveBeenCalledTimes(1);
    expect(mountAlertMap).toHaveBeenCalledTimes(1);
  });

  it('shows no map when no signal has a location, and says when signals are gone', async () => {
    await render({ fetchAlert: async (id) => ({ ...alert(id), signals: [signal('s9', '2026-11-04T09:00:00+01:00', { location: null })] }) });
    buttons(root, 'Bekijk signalen')[0].click();
    await vi.waitFor(() => expect(root.querySelector('ol.alert-signals')).toBeTruthy());
    expect(root.querySelector('.alert-map')).toBeNull();
    expect(loadMap).not.toHaveBeenCalled();
    expect(root.querySelector('.alert-evidence__summary').textContent).toBe('1 signaal, waarvan 0 met een plek op de kaart.');

    await render({ fetchAlert: async (id) => ({ ...alert(id), signals: [] }) });
    buttons(root, 'Bekijk signalen')[0].click();
    await vi.waitFor(() => expect(root.textContent).toContain('De signalen van deze waarschuwing zijn verwijderd.'));
  });

  it('keeps the list when the map cannot be loaded', async () => {
    loadMap.mockRejectedValue(new TypeError('Failed to fetch dynamically imported module'));
    await render();
    buttons(root, 'Bekijk signalen')[0].click();
    await vi.waitFor(() => expect(root.textContent).toContain('De kaart kon niet worden geladen; de lijst noemt alle signalen.'));
    expect(root.querySelectorAll('ol.alert-signals > li')).toHaveLength(3);
    expect(root.querySelector('.alert-map')).toBeNull();
  });

  it('says the signals need internet when the fetch fails, and tries again on the next press', async () => {
    const fetchAlert = vi.fn(async () => { throw new ApiError(0, NETWORK_ERROR_DETAIL); });
    await render({ fetchAlert });
    const [toggle] = buttons(root, 'Bekijk signalen');
    const note = items(root)[0].querySelector('.alert-item__message');
    expect(note.getAttribute('aria-live')).toBe('polite');
    toggle.click();
    await vi.waitFor(() => expect(note.textContent).toBe('De signalen van een waarschuwing zijn alleen met internet te zien.'));
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent).toBe('Bekijk signalen');
    expect(toggle.disabled).toBe(false);
    expect(document.getElementById(toggle.getAttribute('aria-controls')).hidden).toBe(true);
    expect(mountAlertMap).not.toHaveBeenCalled();

    fetchAlert.mockRejectedValueOnce(new ApiError(404, 'Waarschuwing a1 bestaat niet.'));
    toggle.click();
    await vi.waitFor(() => expect(note.textContent).toBe('Waarschuwing a1 bestaat niet.'));

    fetchAlert.mockResolvedValueOnce({ ...alert('a1'), signals: SIGNALS });
    toggle.click();
    await vi.waitFor(() => expect(toggle.getAttribute('aria-expanded')).toBe('true'));
    expect(note.textContent).toBe('');
    expect(items(root)[0].querySelectorAll('ol.alert-signals > li')).toHaveLength(3);
  });

  describe('for team leads', () => {
    let state;
    let acknowledge;
    beforeEach(() => {
      state = [alert('a1'), alert('a2', { status: 'bekeken' }), alert('a3', { status: 'kwestie' })];
      acknowledge = vi.fn(async (id, body) => {
        const a = state.find((x) => x.id === id);
        Object.assign(a, { status: body.status, reason: body.reason ?? null });
        return a;
      });
    });
    const lead = (options = {}) => render({ fetchAlerts: async () => state.map((a) => ({ ...a })), acknowledge,
      makeKwestie: vi.fn(), ...options });

    it('offers Afwijzen on new and seen alerts, with a labelled reason field behind it', async () => {
      await lead();
      const reject = buttons(root, 'Afwijzen');
      expect(reject).toHaveLength(2); // not on the alert that became a kwestie
      const form = document.getElementById(reject[0].getAttribute('aria-controls'));
      expect(form.hidden).toBe(true);
      expect(reject[0].getAttribute('aria-expanded')).toBe('false');
      reject[0].click();
      expect(form.hidden).toBe(false);
      expect(reject[0].getAttribute('aria-expanded')).toBe('true');
      const reason = byLabel(form, 'Reden');
      expect(reason.tagName).toBe('TEXTAREA');
      expect(document.activeElement).toBe(reason);
      expect(buttons(form, 'Afwijzen bevestigen')[0].type).toBe('submit');
      reject[0].click();
      expect(form.hidden).toBe(true);
    });

    it('asks for a reason and does not send an empty one', async () => {
      await lead();
      buttons(root, 'Afwijzen')[0].click();
      const form = items(root)[0].querySelector('form');
      byLabel(form, 'Reden').value = '   ';
      buttons(form, 'Afwijzen bevestigen')[0].click();
      const error = form.querySelector('[role="alert"]');
      await vi.waitFor(() => expect(error.hidden).toBe(false));
      expect(error.textContent).toBe('Geef een reden.');
      expect(byLabel(form, 'Reden').getAttribute('aria-invalid')).toBe('true');
      expect(byLabel(form, 'Reden').getAttribute('aria-describedby')).toBe(error.id);
      expect(document.activeElement).toBe(byLabel(form, 'Reden'));
      expect(acknowledge).not.toHaveBeenCalled();
    });

    it("shows the server's problem message when the server refuses", async () => {
      acknowledge.mockRejectedValueOnce(new ApiError(422, "Veld 'reason': geef een reden om de waarschuwing af te wijzen"));
      await lead();
      buttons(root, 'Afwijzen')[0].click();
      const form = items(root)[0].querySelector('form');
      byLabel(form, 'Reden').value = 'x';
      buttons(form, 'Afwijzen bevestigen')[0].click();
      const error = form.querySelector('[role="alert"]');
      await vi.waitFor(() => expect(error.hidden).toBe(false));
      expect(error.textContent).toBe("Veld 'reason': geef een reden om de waarschuwing af te wijzen");
      expect(buttons(form, 'Afwijzen bevestigen')[0].disabled).toBe(false);
      expect(items(root)[0].querySelector('.alert-item__status').textContent).toBe('Status: Nieuw · 3 signalen');
    });

    it('rejects with a reason: the list redraws with status Afgewezen and the reason', async () => {
      await lead();
      buttons(root, 'Afwijzen')[1].click();
      const form = items(root)[1].querySelector('form');
      byLabel(form, 'Reden').value = '  Bekende bouwwerkzaamheden, geen overlast.  ';
      buttons(form, 'Afwijzen bevestigen')[0].click();
      await vi.waitFor(() => expect(root.querySelector('[aria-live]').textContent).toBe('Waarschuwing afgewezen.'));
      expect(acknowledge).toHaveBeenCalledWith('a2', { status: 'afgewezen', reason: 'Bekende bouwwerkzaamheden, geen overlast.' });
      const item = items(root)[1];
      expect(item.querySelector('.alert-item__status').textContent).toBe('Status: Afgewezen · 3 signalen');
      expect(item.querySelector('.alert-item__reason').textContent).toBe('Reden: Bekende bouwwerkzaamheden, geen overlast.');
      expect(item.querySelector('form')).toBeNull();
      expect(buttons(item, 'Afwijzen')).toHaveLength(0);
      expect(buttons(item, 'Maak kwestie')).toHaveLength(0);
      expect(buttons(item, 'Bekijk signalen')).toHaveLength(1); // the evidence stays visible
      expect(document.activeElement).toBe(item.querySelector('h3'));
    });

    it('marks as seen with status bekeken', async () => {
      await lead();
      buttons(root, 'Bekeken')[0].click();
      await vi.waitFor(() => expect(root.querySelector('[aria-live]').textContent).toBe('Gemarkeerd als bekeken.'));
      expect(acknowledge).toHaveBeenCalledWith('a1', { status: 'bekeken' });
      expect(items(root)[0].querySelector('.alert-item__status').textContent).toBe('Status: Bekeken · 3 signalen');
    });

    it('removes the maps of the old items when the list is drawn again', async () => {
      const remove = vi.fn();
      mountAlertMap.mockImplementation(() => ({ markers: 2, remove }));
      await lead();
      buttons(root, 'Bekijk signalen')[0].click();
      await vi.waitFor(() => expect(mountAlertMap).toHaveBeenCalled());
      buttons(root, 'Bekeken')[0].click();
      await vi.waitFor(() => expect(root.querySelector('[aria-live]').textContent).toBe('Gemarkeerd als bekeken.'));
      expect(remove).toHaveBeenCalledTimes(1);
    });
  });
});

describe('alert map (Leaflet, as far as it runs in happy-dom)', () => {
  it('draws a marker per located signal, with plain-text tooltips, fitted to the extent', () => {
    document.body.innerHTML = '<div id="kaart"></div>';
    const el = document.getElementById('kaart');
    const m = realMap(el, { extent: [5.83, 52.633, 5.834, 52.6345], signals: SIGNALS, label: (s, i) => `${i}. <b>${s.id}</b>` });
    expect(m.markers).toBe(2);
    expect(el.querySelectorAll('.alert-map__marker')).toHaveLength(2);
    const tooltips = [];
    m.map.eachLayer((layer) => { if (layer.getTooltip?.()) tooltips.push(layer.getTooltip().getContent()); });
    // numbered as in the list; the signal without a location keeps its number but has no marker
    expect(tooltips.map((t) => t.textContent)).toEqual(['2. <b>s1</b>', '3. <b>s2</b>']);
    expect(tooltips.every((t) => t.querySelector('b') === null)).toBe(true); // text, never HTML
    const centre = m.map.getCenter();
    expect(centre.lat).toBeCloseTo(52.63375, 3);
    expect(centre.lng).toBeCloseTo(5.832, 3);
    m.remove();
  });
});

describe('alert API helpers', () => {
  const json = (body) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

  it('fetches one alert and sends a rejection with its reason', async () => {
    const fetch = vi.fn(async () => json({}));
    vi.stubGlobal('fetch', fetch);
    await fetchAlert('tok', 'a/1');
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/alerts/a%2F1');
    expect(fetch.mock.calls[0][1].headers.Authorization).toBe('Bearer tok');
    await acknowledgeAlert('tok', 'a1', { status: 'afgewezen', reason: 'Bekend' });
    const [url, init] = fetch.mock.calls[1];
    expect(url).toBe('/api/v1/alerts/a1/acknowledge');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ status: 'afgewezen', reason: 'Bekend' });
    await acknowledgeAlert('tok', 'a1');
    expect(JSON.parse(fetch.mock.calls[2][1].body)).toEqual({ status: 'bekeken' });
  });
});

describe('Waarschuwingen in the app shell', () => {
  it('passes the role and the categories (for their names) every time the screen opens', async () => {
    document.body.innerHTML = '<div id="app"></div>';
    const onOpenAlerts = vi.fn();
    const shell = renderShell(document.getElementById('app'), {
      me: { username: 'bert', role: 'teamleider', areas: [] }, onLogout() {}, onOpenAlerts, categories: CATEGORIES });
    await shell.show({ name: 'waarschuwingen', params: {} });
    const box = document.querySelector('section[data-screen="waarschuwingen"] .alerts');
    expect(onOpenAlerts).toHaveBeenCalledWith(box, 'teamleider', CATEGORIES);
    await shell.show({ name: 'signalen', params: {} });
    await shell.show({ name: 'waarschuwingen', params: {} }); // opens again: fetched anew
    expect(onOpenAlerts).toHaveBeenCalledTimes(2);
    shell.destroy();
  });
});
