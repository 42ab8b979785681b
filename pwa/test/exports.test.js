// @vitest-environment happy-dom
import { describe, it, expect, vi } from 'vitest';
import {
  csvRecords, downloadExport, exportFileName, exportPath, keepMatching, listExportParams, listExportWords, mapExportParams, slug,
} from '../src/exports.js';
import { downloadFailure, renderDownloads } from '../src/views/downloads.js';
import { ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';
import { EMPTY_FILTERS } from '../src/views/filters.js';

const NOW = Date.parse('2026-12-02T10:00:00+01:00'); // a Wednesday

describe('the export URL from the filters', () => {
  it('spells the list filters as GET /signals wants them', () => {
    expect(listExportParams(EMPTY_FILTERS, NOW).toString()).toBe('');
    const p = listExportParams({ ...EMPTY_FILTERS, q: '  fiets ', kern: 'WK017106', category: 'jeugd', status: 'nieuw',
      period: 'week', mine: true, opvolgen: true }, NOW);
    // The search words are matched by the app as the list does (not the server's `q`: descriptions only).
    expect(Object.fromEntries(p)).toEqual({ area: 'WK017106', category: 'jeugd', status: 'nieuw',
      since: '2026-11-30', mine: 'true', followUp: 'due' });
    expect(listExportWords({ ...EMPTY_FILTERS, q: '  Fíets  Emmel' })).toEqual(['fiets', 'emmel']);
    expect(listExportParams({ ...EMPTY_FILTERS, period: 'maand' }, NOW).get('since')).toBe('2026-12-01');
    expect(exportPath('csv', p)).toBe('/export/signals.csv?area=WK017106&category=jeugd&status=nieuw&since=2026-11-30&mine=true&followUp=due');
    expect(exportPath('geojson')).toBe('/export/signals.geojson');
    expect(() => exportPath('xlsx')).toThrow();
  });

  it('takes the map\'s period and category', () => {
    expect(Object.fromEntries(mapExportParams({ from: '2026-09-02', to: '2026-12-02', category: 'jeugd' })))
      .toEqual({ category: 'jeugd', since: '2026-09-02', until: '2026-12-02' });
    expect(mapExportParams({ from: '2026-09-02', to: '2026-12-02' }).has('category')).toBe(false);
  });

  it('names the file after what is in it, safely', () => {
    expect(exportFileName('csv', [], NOW)).toBe('gebiedsradar-signalen-2026-12-02.csv');
    expect(exportFileName('geojson', ['Ens', 'Openbare ruimte', 'In behandeling', 'fiets / scooter'], NOW))
      .toBe('gebiedsradar-signalen-ens-openbare-ruimte-in-behandeling-fiets-scooter-2026-12-02.geojson');
    expect(slug('Zwerfafval & vuilnis — Creil')).toBe('zwerfafval-vuilnis-creil');
    expect(slug('Café Één')).toBe('cafe-een');
    expect(slug('../../etc/passwd')).toBe('etc-passwd');
  });
});

describe('the search words, matched as the list matches them', () => {
  const HEADER = 'id;category;kern_name;lat;description';
  const CSV = `\ufeff${HEADER}\r\n`
    + 's1;woonomgeving;Emmeloord;52,7;Losse tegels\r\n'
    + 's2;jeugd;Marknesse;52,7;"Hangjongeren; ""luid""\r\nbij de school"\r\n'
    + "s3;verkeer;Ens;52,6;'=Fietsen op de stoep\r\n";
  const names = { woonomgeving: 'Woonomgeving', jeugd: 'Jeugd', verkeer: 'Verkeer' };
  const catName = (c) => names[c] ?? c;
  const ids = async (blob) => csvRecords(await blob.text()).slice(1).map((r) => r.cells[0]);

  it('reads the server\'s CSV: quotes, a ; and a line break in a cell, CRLF, BOM', () => {
    const records = csvRecords(CSV);
    expect(records.map((r) => r.cells.length)).toEqual([5, 5, 5, 5]);
    expect(records[2].cells[4]).toBe('Hangjongeren; "luid"\r\nbij de school');
    expect(records.map((r) => r.raw).join('')).toBe(CSV.slice(1));
  });

  it('keeps the rows whose description, category name or kern name the words begin; the rest of the file as it was', async () => {
    const blob = new Blob([CSV], { type: 'text/csv' });
    expect(await ids(await keepMatching('csv', blob, ['emmeloord'], catName))).toEqual(['s1']); // the kern's name
    expect(await ids(await keepMatching('csv', blob, ['jeugd'], catName))).toEqual(['s2']); // the category's name
    expect(await ids(await keepMatching('csv', blob, ['school', 'hang'], catName))).toEqual(['s2']);
    expect(await ids(await keepMatching('csv', blob, ['fiets'], catName))).toEqual(['s3']); // past the formula guard
    expect(await ids(await keepMatching('csv', blob, ['tegel', 'jeugd'], catName))).toEqual([]);
    const kept = await (await keepMatching('csv', blob, ['marknesse'], catName)).text();
    expect(kept).toBe(`\ufeff${HEADER}\r\ns2;jeugd;Marknesse;52,7;"Hangjongeren; ""luid""\r\nbij de school"\r\n`);
    expect(await keepMatching('csv', blob, [], catName)).toBe(blob);
    const geo = new Blob([JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', id: 's1', properties: { category: 'woonomgeving', kern_name: 'Emmeloord', description: 'Losse tegels' } },
      { type: 'Feature', id: 's2', properties: { category: 'jeugd', kern_name: 'Marknesse', description: null } }] })]);
    const out = JSON.parse(await (await keepMatching('geojson', geo, ['woonomgeving'], catName)).text());
    expect(out.type).toBe('FeatureCollection');
    expect(out.features.map((f) => f.id)).toEqual(['s1']);
  });

  it('a download with search words asks the server without them and keeps the matching rows', async () => {
    let saved = null;
    const fetchBlob = vi.fn(async () => new Blob([CSV]));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => { saved = b; return 'blob:export'; });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    try {
      await downloadExport('csv', new URLSearchParams({ area: 'WK017101' }), { token: 't', fileName: 'x.csv', fetchBlob,
        words: ['emmeloord'], catName });
      expect(fetchBlob.mock.calls[0][0]).toBe('/export/signals.csv?area=WK017101');
      expect(click).toHaveBeenCalledTimes(1);
      expect(await ids(saved)).toEqual(['s1']);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('the download', () => {
  it('fetches with the token and hands a Blob to an <a download>', async () => {
    const fetchBlob = vi.fn(async () => new Blob(['id;category\n1;jeugd\n'], { type: 'text/csv' }));
    const clicked = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function () {
      clicked.push({ download: this.download, href: this.href });
    });
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:export');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const size = await downloadExport('csv', new URLSearchParams({ area: 'WK1' }), { token: 't', fileName: 'x.csv', fetchBlob });
    expect(fetchBlob).toHaveBeenCalledWith('/export/signals.csv?area=WK1', { token: 't' });
    expect(clicked).toEqual([{ download: 'x.csv', href: 'blob:export' }]);
    expect(size).toBeGreaterThan(0);
    expect(document.querySelector('a[download]')).toBeNull(); // the helper link does not stay
    click.mockRestore();
  });

  it('buttons for CSV and GeoJSON: one download at a time, a Dutch message on failure', async () => {
    let finish;
    const download = vi.fn(() => new Promise((r, j) => { finish = { r, j }; }));
    document.body.innerHTML = '';
    const el = renderDownloads({ params: () => new URLSearchParams({ category: 'jeugd' }), describe: () => ['Jeugd'],
      getToken: async () => 't', download });
    document.body.append(el);
    const [csv, geo] = el.querySelectorAll('button');
    expect([csv.textContent, geo.textContent]).toEqual(['Download CSV', 'Download GeoJSON']);
    csv.click();
    await vi.waitFor(() => expect(download).toHaveBeenCalledTimes(1));
    expect(download.mock.calls[0][0]).toBe('csv');
    expect(download.mock.calls[0][1].get('category')).toBe('jeugd');
    expect(download.mock.calls[0][2].fileName).toMatch(/^gebiedsradar-signalen-jeugd-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(geo.disabled).toBe(true);
    geo.click();
    expect(download).toHaveBeenCalledTimes(1);
    finish.r(10);
    await vi.waitFor(() => expect(el.textContent).toMatch(/gebiedsradar-signalen-jeugd-.*\.csv is gedownload\./));
    geo.click();
    await vi.waitFor(() => expect(download).toHaveBeenCalledTimes(2));
    finish.j(new ApiError(500, 'Er ging iets mis op de server. Probeer het later opnieuw.'));
    await vi.waitFor(() => expect(el.querySelector('.downloads__message').textContent).toMatch(/^Het downloaden van de GeoJSON is niet gelukt/));
    expect(geo.disabled).toBe(false);
    expect(el.querySelector('.downloads__message').getAttribute('aria-live')).toBe('polite');
  });

  it('forgets "… is gedownload." once the filters change', async () => {
    document.body.innerHTML = '<select id="f"><option value="">Alle</option><option value="jeugd">Jeugd</option></select>';
    const filter = document.getElementById('f');
    const el = renderDownloads({ params: () => new URLSearchParams(), getToken: async () => 't',
      download: async () => 1, clearOn: [filter] });
    document.body.append(el);
    el.querySelector('button').click();
    await vi.waitFor(() => expect(el.textContent).toContain('is gedownload.'));
    filter.value = 'jeugd';
    filter.dispatchEvent(new Event('change'));
    expect(el.querySelector('.downloads__message').textContent).toBe('');
  });

  it('forgets "… is gedownload." when a button ("Filters wissen") changed the filters, not on any click', async () => {
    document.body.innerHTML = '<p id="count"><button type="button">Filters wissen</button></p>';
    const count = document.getElementById('count');
    let filters = { category: 'jeugd' };
    count.querySelector('button').addEventListener('click', () => { filters = {}; });
    const el = renderDownloads({ params: () => new URLSearchParams(filters), getToken: async () => 't',
      download: async () => 1, clearOn: [count] });
    document.body.append(el);
    el.querySelector('button').click();
    await vi.waitFor(() => expect(el.textContent).toContain('is gedownload.'));
    count.click(); // nothing changed
    expect(el.querySelector('.downloads__message').textContent).toContain('is gedownload.');
    count.querySelector('button').click();
    expect(el.querySelector('.downloads__message').textContent).toBe('');
  });

  it('the list\'s "Filters wissen" takes the last download\'s message away', async () => {
    const { createSignalList } = await import('../src/views/list.js');
    document.body.innerHTML = '<div id="lead"></div>';
    const lead = document.getElementById('lead');
    history.replaceState(null, '', '/signalen?categorie=jeugd');
    const list = createSignalList(lead, { searchServer: null, loadKernen: null, loadRole: async () => 'teamleider' });
    const signal = { id: 's1', category: 'jeugd', description: 'Hangplek', status: 'nieuw', urgency: 'normaal',
      observed_at: '2026-12-01T10:00:00+01:00', version: 1 };
    list.update({ signals: [signal], categories: [{ code: 'jeugd', name: 'Jeugd' }] });
    await vi.waitFor(() => expect(lead.querySelector('.list-downloads').hidden).toBe(false));
    const fetch = vi.fn(async () => new Response('\ufeffid\n', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    try {
      const message = lead.querySelector('.downloads__message');
      [...lead.querySelectorAll('.list-downloads button')].find((b) => b.textContent === 'Download CSV').click();
      await vi.waitFor(() => expect(message.textContent).toMatch(/^gebiedsradar-signalen-jeugd-.*\.csv is gedownload\.$/));
      expect(fetch.mock.calls[0][0]).toBe('/api/v1/export/signals.csv?category=jeugd');
      const wis = [...lead.querySelectorAll('button')].find((b) => b.textContent === 'Filters wissen');
      wis.click();
      expect(message.textContent).toBe('');
    } finally {
      vi.unstubAllGlobals();
      list.destroy();
    }
  });

  it('says offline and refused in words', () => {
    expect(downloadFailure(new ApiError(0, NETWORK_ERROR_DETAIL), 'CSV')).toBe('Downloaden kan alleen met internet. De CSV is niet gemaakt.');
    expect(downloadFailure(new ApiError(403, 'Geen toegang.'), 'CSV')).toMatch(/teamleiders en beheerders/);
  });
});

describe('the list\'s downloads', () => {
  it('are there for a team lead, with the list\'s filters; not for a gebiedsregisseur', async () => {
    const { createSignalList } = await import('../src/views/list.js');
    const data = { signals: [], categories: [{ code: 'jeugd', name: 'Jeugd' }], me: 'x' };
    document.body.innerHTML = '<div id="lead"></div><div id="reg"></div>';
    const lead = document.getElementById('lead');
    history.replaceState(null, '', '/signalen?categorie=jeugd&status=nieuw');
    const list = createSignalList(lead, { searchServer: null, loadKernen: null, loadRole: async () => 'teamleider' });
    list.update(data);
    await vi.waitFor(() => expect(lead.querySelector('.list-downloads').hidden).toBe(false));
    const names = [...lead.querySelectorAll('.list-downloads button')].map((b) => b.textContent);
    expect(names).toEqual(['Download CSV', 'Download GeoJSON']);

    const reg = document.getElementById('reg');
    const regList = createSignalList(reg, { searchServer: null, loadKernen: null, loadRole: async () => 'gebiedsregisseur' });
    regList.update(data);
    await new Promise((r) => setTimeout(r, 20));
    expect(reg.querySelector('.list-downloads').hidden).toBe(true);
    expect(reg.querySelectorAll('.list-downloads button')).toHaveLength(0);
    list.destroy();
    regList.destroy();
  });

  it('wait for the role when it is not stored yet (the first log-in)', async () => {
    const { createSignalList } = await import('../src/views/list.js');
    document.body.innerHTML = '<div id="lead"></div>';
    const lead = document.getElementById('lead');
    let role = null;
    const list = createSignalList(lead, { searchServer: null, loadKernen: null, loadRole: async () => role });
    list.update({ signals: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(lead.querySelector('.list-downloads').hidden).toBe(true);
    role = 'beheerder';
    list.update({ signals: [] });
    await vi.waitFor(() => expect(lead.querySelector('.list-downloads').hidden).toBe(false));
    list.destroy();
  });
});
