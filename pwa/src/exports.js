// The CSV and GeoJSON exports of what a team lead sees: the server's query for the list's
// filters or the map's choice (GET /api/v1/export/signals.csv|.geojson takes the filters of
// GET /signals), a file name that says what is in it, and the download itself (the export
// needs the bearer token, so fetch → Blob → object URL → <a download>, not a plain link).
import { matchesWords, normalise, periodSince, queryWords, today } from './store/search.js';
import { requestBlob } from './api.js';

export const FORMATS = {
  csv: { ext: 'csv', label: 'CSV' },
  geojson: { ext: 'geojson', label: 'GeoJSON' },
};

/**
 * The export's query for the list's filters ({q, kern, category, status, period, mine, opvolgen},
 * views/filters.js), spelled as GET /signals wants them. Not the search words: the server's `q`
 * looks in descriptions only, the list also in category and kern names; the download keeps the
 * rows the list's own way (listExportWords, keepMatching).
 */
export function listExportParams(filters = {}, now = Date.now()) {
  const p = new URLSearchParams();
  if (filters.kern) p.set('area', filters.kern);
  if (filters.category) p.set('category', filters.category);
  if (filters.status) p.set('status', filters.status);
  const since = periodSince(filters.period, now);
  if (since) p.set('since', since);
  if (filters.mine) p.set('mine', 'true');
  if (filters.opvolgen) p.set('followUp', 'due');
  return p;
}

/** The list's search words, normalised as the list matches them (store/search.js). */
export const listExportWords = (filters = {}) => queryWords(filters.q ?? '');

/**
 * The records of the server's CSV (UTF-8, BOM, ';', quoted cells with doubled quotes, CRLF) as
 * {cells, raw}: `raw` the record's own text with its line end, so kept rows go out unchanged.
 */
export function csvRecords(text) {
  const out = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const start = i;
    const cells = [];
    let cell = '';
    let quoted = false;
    for (;;) {
      const c = text[i];
      if (quoted) {
        if (c === undefined) break;
        if (c === '"') {
          if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
          quoted = false; i += 1; continue;
        }
        cell += c; i += 1; continue;
      }
      if (c === '"') { quoted = true; i += 1; continue; }
      if (c === ';') { cells.push(cell); cell = ''; i += 1; continue; }
      if (c === undefined || c === '\r' || c === '\n') {
        cells.push(cell);
        if (c === '\r') i += 1;
        if (text[i] === '\n') i += 1;
        break;
      }
      cell += c; i += 1;
    }
    out.push({ cells, raw: text.slice(start, i) });
  }
  return out;
}

/** Whether the list's search matches this signal: every word begins a word of its description, category name or kern name. */
export function matchesSearch({ description, category, kern_name: kernName }, words, catName = (c) => c) {
  return matchesWords(` ${normalise(`${description ?? ''} ${catName(category) ?? ''} ${kernName ?? ''}`)}`, words);
}

/**
 * The export with only the rows the list's search words match (the list's way, see
 * listExportParams). CSV rows go out as the server wrote them; GeoJSON as one FeatureCollection.
 */
export async function keepMatching(format, blob, words, catName) {
  if (!words?.length) return blob;
  const text = await blob.text();
  if (format === 'geojson') {
    const collection = JSON.parse(text);
    collection.features = (collection.features ?? []).filter((f) => matchesSearch(f.properties ?? {}, words, catName));
    return new Blob([JSON.stringify(collection)], { type: blob.type || 'application/geo+json' });
  }
  const [header, ...rows] = csvRecords(text);
  if (!header) return blob;
  const at = Object.fromEntries(header.cells.map((name, i) => [name, i]));
  const kept = rows.filter(({ cells }) => matchesSearch({ description: cells[at.description], category: cells[at.category],
    kern_name: cells[at.kern_name] }, words, catName));
  return new Blob(['\ufeff', header.raw, ...kept.map((r) => r.raw)], { type: blob.type || 'text/csv;charset=utf-8' });
}

/** The export's query for the map's choice: its period (from, to as YYYY-MM-DD) and category. */
export function mapExportParams({ from, to, category } = {}) {
  const p = new URLSearchParams();
  if (category) p.set('category', category);
  if (from) p.set('since', from);
  if (to) p.set('until', to);
  return p;
}

/** "/export/signals.csv?area=…" (relative to /api/v1). */
export function exportPath(format, params = new URLSearchParams()) {
  const f = FORMATS[format];
  if (!f) throw new Error(`onbekend formaat: ${format}`);
  const query = new URLSearchParams(params).toString();
  return `/export/signals.${f.ext}${query ? `?${query}` : ''}`;
}

/** Lower case, no accents, only letters, digits and dashes: safe in a file name on every phone. */
export function slug(text) {
  return String(text ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}

/**
 * "gebiedsradar-signalen-emmeloord-jeugd-2026-12-02.csv": what is in it (the filters' words,
 * in the order given) and the day it was made.
 * @param {string} format csv | geojson
 * @param {string[]} parts e.g. the kern's and the category's names
 */
export function exportFileName(format, parts = [], now = Date.now()) {
  const words = parts.map(slug).filter(Boolean);
  return ['gebiedsradar-signalen', ...words, today(now).iso].join('-') + `.${FORMATS[format].ext}`;
}

/**
 * Fetch the export and hand it to the browser as a download named `fileName` (with `words`:
 * only the rows the list's search matches, `catName` naming the categories as the list does).
 * @returns {Promise<number>} its size in bytes
 */
export async function downloadExport(format, params, {
  token, fileName, doc = globalThis.document, fetchBlob = requestBlob, words = [], catName,
} = {}) {
  const blob = await keepMatching(format, await fetchBlob(exportPath(format, params), { token }), words, catName);
  const url = URL.createObjectURL(blob);
  try {
    const a = doc.createElement('a');
    a.href = url;
    a.download = fileName;
    a.hidden = true;
    a.dataset.router = 'off';
    doc.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The browser has started the download once click() returns; the URL may go a moment later.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return blob.size;
}
