// The CSV and GeoJSON exports of what a team lead sees: the server's query for the list's
// filters or the map's choice (GET /api/v1/export/signals.csv|.geojson takes the filters of
// GET /signals), a file name that says what is in it, and the download itself (the export
// needs the bearer token, so fetch → Blob → object URL → <a download>, not a plain link).
import { periodSince, today } from './store/search.js';
import { requestBlob } from './api.js';

export const FORMATS = {
  csv: { ext: 'csv', label: 'CSV' },
  geojson: { ext: 'geojson', label: 'GeoJSON' },
};

/**
 * The export's query for the list's filters ({q, kern, category, status, period, mine, opvolgen},
 * views/filters.js), spelled as GET /signals wants them (the list's own server search does the same).
 */
export function listExportParams(filters = {}, now = Date.now()) {
  const p = new URLSearchParams();
  if (filters.q?.trim()) p.set('q', filters.q.trim());
  if (filters.kern) p.set('area', filters.kern);
  if (filters.category) p.set('category', filters.category);
  if (filters.status) p.set('status', filters.status);
  const since = periodSince(filters.period, now);
  if (since) p.set('since', since);
  if (filters.mine) p.set('mine', 'true');
  if (filters.opvolgen) p.set('followUp', 'due');
  return p;
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
 * Fetch the export and hand it to the browser as a download named `fileName`.
 * @returns {Promise<number>} its size in bytes
 */
export async function downloadExport(format, params, { token, fileName, doc = globalThis.document, fetchBlob = requestBlob } = {}) {
  const blob = await fetchBlob(exportPath(format, params), { token });
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
