// The team lead's district heatmap: signals per 1,000 inhabitants per kern, wijk
// or buurt for a period and category, with the names of the villages on the map,
// a legend, the same numbers as a table (for people who do not use the map), a
// drill-down to an area's trend and, for team leads, the overview per regisseur.
import { L, CENTRE, addBaseLayer, textContent } from './basemap.js';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import { h } from '../dom.js';
import { classify, colourOf, legendRows, nl, rateText, NO_INHABITANTS_REASON, OUTSIDE_REASON } from '../stats/classes.js';
import { dayMonth, fullDate } from './dates.js';
import { signalWhat } from './labels.js';
import { renderTeam } from './team.js';
import { renderDownloads } from './downloads.js';
import { mapExportParams } from '../exports.js';

const PERIODS = [['30', 'Laatste 30 dagen'], ['91', 'Laatste 3 maanden'], ['365', 'Laatste 12 maanden']];
const LEVELS = [['kern', 'Kern'], ['wijk', 'Wijk'], ['buurt', 'Buurt']];
const POINTS_FROM_ZOOM = 12; // below this the choropleth says enough

const isoDate = (d) => d.toISOString().slice(0, 10);
/** "2026-11-02" (a date without time, as the server sends a week's Monday) → {year, month, day} */
const dateParts = (text) => {
  const [year, month, day] = String(text).split('-').map(Number);
  return { year, month, day };
};

/** Area-weighted centroid of the largest ring of a (Multi)Polygon, as [lat, lon]; null without one. */
export function centroid(geometry) {
  const polygons = geometry?.type === 'Polygon' ? [geometry.coordinates]
    : geometry?.type === 'MultiPolygon' ? geometry.coordinates : [];
  let best = null;
  for (const [ring] of polygons) {
    if (!ring || ring.length < 3) continue;
    let [a, cx, cy] = [0, 0, 0];
    for (let i = 0; i < ring.length - 1; i += 1) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[i + 1];
      const f = x0 * y1 - x1 * y0;
      a += f;
      cx += (x0 + x1) * f;
      cy += (y0 + y1) * f;
    }
    if (!a) continue;
    if (!best || Math.abs(a) > best.area) best = { area: Math.abs(a), at: [cy / (3 * a), cx / (3 * a)] };
  }
  return best?.at ?? null;
}

/** What a tooltip says about an area: "Ens: 12 signalen, geen inwonertal". */
export function areaText(p, classes) {
  if (p.count == null) return `${p.name}: ${OUTSIDE_REASON}, geen cijfers`;
  const n = `${nl(p.count)} ${p.count === 1 ? 'signaal' : 'signalen'}`;
  if (p.per_1000 == null) return `${p.name}: ${n}, ${NO_INHABITANTS_REASON}`;
  return `${p.name}: ${n}, ${rateText(classes, p.per_1000)} per 1.000 inwoners`;
}

/** The table's rate: "2,3", "1,2 (te weinig signalen)" (grey on the map, like the legend says), "geen inwonertal". */
export function rateCell(p, classes) {
  if (p.count == null) return '–';
  if (p.per_1000 == null) return NO_INHABITANTS_REASON;
  const rate = rateText(classes, p.per_1000);
  return classes.classOf.get(p.code) == null ? `${rate} (${classes.reason.get(p.code)})` : rate;
}

/** Hide labels that would overlap one shown before them (most signals first). */
function declutter(labels) {
  const shown = [];
  for (const { tooltip } of labels) {
    const el = tooltip.getElement();
    if (!el) continue;
    el.style.visibility = '';
    const r = el.getBoundingClientRect();
    const hit = r.width && shown.some((o) => r.left < o.right + 2 && r.right > o.left - 2 && r.top < o.bottom + 1 && r.bottom > o.top - 1);
    if (hit) el.style.visibility = 'hidden';
    else if (r.width) shown.push(r);
  }
}

/**
 * @param {HTMLElement} container
 * @param {{categories: object[], fetchStats: (query: object) => Promise<object>,
 *          fetchTrend: (level: string, code: string) => Promise<object>,
 *          fetchSignals?: (query: object) => Promise<object>,
 *          fetchRegisseurs?: () => Promise<object>, getToken?: () => Promise<string|null>}} options
 *   `getToken`: with it, "Download CSV" and "Download GeoJSON" of the signals of the chosen period and category.
 */
export function renderHeatmap(container, { categories, fetchStats, fetchTrend, fetchSignals, fetchRegisseurs, getToken }) {
  const select = (id, label, options) => {
    const el = h('select', { id, class: 'utrecht-select utrecht-textbox' }, options.map(([v, n]) => h('option', { value: v }, n)));
    return [h('div', { class: 'utrecht-form-field' }, h('label', { class: 'utrecht-form-label', for: id }, label), el), el];
  };
  const [levelField, level] = select('kaart-niveau', 'Niveau', LEVELS);
  const [periodField, period] = select('kaart-periode', 'Periode', PERIODS);
  const [categoryField, category] = select('kaart-categorie', 'Soort signaal',
    [['', 'Alle categorieën'], ...categories.map((c) => [c.code, c.name])]);
  const message = h('p', { class: 'utrecht-paragraph heatmap-message', 'aria-live': 'polite' });
  const mapEl = h('div', { class: 'heatmap-map', role: 'region', 'aria-label': 'Kaart met signalen per 1.000 inwoners; de tabel hieronder geeft dezelfde cijfers' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legenda' });
  const table = h('table', { class: 'utrecht-table stats-table' });
  const trendBox = h('div', { class: 'trend', 'aria-live': 'polite' });
  const teamBox = h('div', { class: 'team' });
  const categoryName = (code) => categories.find((c) => c.code === code)?.name ?? code;
  let shown = {}; // the period and category of the numbers on the map: what a download holds
  const downloads = getToken ? renderDownloads({
    params: () => mapExportParams(shown),
    describe: () => [shown.category && categoryName(shown.category), shown.from && `${shown.from}-tot`],
    getToken,
    intro: 'De signalen van deze periode en soort als bestand (alle gebieden):',
    clearOn: [period, category],
  }) : null;

  // The map first (on a phone's first screen), then what it means and how to change it.
  container.replaceChildren(...[
    mapEl, message,
    h('h2', { class: 'utrecht-heading-2' }, 'Legenda'), legend,
    h('div', { class: 'heatmap-filters' }, levelField, periodField, categoryField),
    downloads,
    trendBox,
    h('h2', { class: 'utrecht-heading-2' }, 'Tabel'),
    // A narrow phone scrolls the table, not the page.
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Tabel met cijfers per gebied' }, table),
    fetchRegisseurs ? teamBox : null,
  ].filter(Boolean));
  if (fetchRegisseurs) renderTeam(teamBox, { fetchRegisseurs });

  const map = L.map(mapEl, { center: CENTRE, zoom: 10, zoomSnap: 0.25 });
  addBaseLayer(map);
  let layer = null;
  let labels = [];
  const names = L.layerGroup().addTo(map);
  // Individual signals, clustered, once zoomed in far enough to tell streets apart.
  const points = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  const togglePoints = () => {
    if (map.getZoom() >= POINTS_FROM_ZOOM) points.addTo(map);
    else points.remove();
  };
  map.on('zoomend', togglePoints);
  map.on('zoomend moveend', () => declutter(labels));
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => map.invalidateSize()).observe(mapEl);

  async function showTrend(props) {
    trendBox.replaceChildren(h('p', {}, `Trend van ${props.name} wordt geladen…`));
    try {
      const trend = await fetchTrend(level.value, props.code);
      const peak = Math.max(1, ...trend.weeks.map((w) => w.count));
      const first = trend.weeks[0] ? dateParts(trend.weeks[0].week_start) : null;
      const last = trend.weeks.at(-1) ? dateParts(trend.weeks.at(-1).week_start) : null;
      const span = first && last ? ` (vanaf ${first.year === last.year ? dayMonth(first) : fullDate(first)})` : '';
      const top = trend.top_categories.map((c) => `${categoryName(c.category)} (${nl(c.count)})`).join(', ');
      trendBox.replaceChildren(
        h('h2', { class: 'utrecht-heading-2', tabindex: '-1' }, `${trend.name}: laatste ${trend.weeks.length} weken${span}`),
        h('p', {}, `${nl(trend.total)} ${trend.total === 1 ? 'signaal' : 'signalen'}. Meest genoemd: ${top || 'geen'}.`),
        h('ol', { class: 'trend-bars' }, trend.weeks.map((w) => {
          const d = dateParts(w.week_start);
          return h('li', {},
            h('span', { class: 'trend-bars__week' }, `week van ${d.year === last?.year ? dayMonth(d) : fullDate(d)}`),
            h('span', { class: 'trend-bars__bar', style: `inline-size: ${(w.count / peak) * 100}%` }),
            h('span', { class: 'trend-bars__n' }, nl(w.count)));
        })));
      trendBox.querySelector('h2').focus();
    } catch (e) {
      trendBox.replaceChildren(h('p', {}, e?.status === 0 || globalThis.navigator?.onLine === false
        ? 'De trend is alleen met internet te zien.' : e?.detail || 'De trend kon niet worden geladen.'));
    }
  }

  async function load() {
    const to = new Date();
    const from = new Date(to.getTime() - Number(period.value) * 86_400_000);
    message.textContent = 'Cijfers worden geladen…';
    shown = { from: isoDate(from), to: isoDate(to), category: category.value || undefined };
    let fc;
    try {
      fc = await fetchStats({ level: level.value, from: isoDate(from), to: isoDate(to), category: category.value || undefined });
    } catch (e) {
      // Offline the words say why (not the network layer's "Geen verbinding met de server").
      message.textContent = e?.status === 0 || globalThis.navigator?.onLine === false
        ? 'De kaart werkt alleen met internet. Probeer het later opnieuw.'
        : e?.detail || 'De kaart kon niet worden geladen. Probeer het later opnieuw.';
      return;
    }
    const props = fc.features.map((f) => f.properties);
    const classes = classify(props);
    const counted = props.filter((p) => p.count != null);
    const levelName = LEVELS.find(([v]) => v === level.value)[1].toLowerCase();
    message.textContent = props.length
      ? `${nl(counted.reduce((n, p) => n + p.count, 0))} signalen in ${nl(counted.length)} gebieden.`
      : `Geen gebieden op niveau ${levelName}: laad de CBS-wijken en -buurten.`;
    layer?.remove();
    names.clearLayers();
    labels = [];
    layer = L.geoJSON(fc, {
      style: (f) => ({ color: '#154273', weight: 1, fillOpacity: 0.75, dashArray: f.properties.count == null ? '4 4' : null,
        fillColor: colourOf(classes, f.properties.code) }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindTooltip(textContent(areaText(p, classes)));
        if (p.count != null) l.on('click', () => showTrend(p));
      },
    }).addTo(map);
    // The names of the villages (or wijken, buurten) at their centroids; overlapping ones hide.
    for (const f of fc.features) {
      const at = centroid(f.geometry);
      if (!at) continue;
      const tooltip = L.tooltip({ permanent: true, direction: 'center', className: 'area-label', interactive: false })
        .setLatLng(at).setContent(textContent(f.properties.name));
      labels.push({ tooltip, weight: (f.properties.count ?? -1) * 1e7 + (f.properties.inhabitants ?? 0) });
    }
    labels.sort((a, b) => b.weight - a.weight);
    for (const { tooltip } of labels) names.addLayer(tooltip);
    if (props.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    declutter(labels);
    if (fetchSignals) {
      fetchSignals({ since: isoDate(from), until: isoDate(to), category: category.value || undefined, limit: 500 })
        .then((page) => {
          points.clearLayers();
          for (const s of page.items) {
            if (!s.location) continue;
            points.addLayer(L.circleMarker([s.location.lat, s.location.lon],
              { radius: 6, color: '#154273', fillColor: '#ffb612', fillOpacity: 1 })
              .bindTooltip(textContent(`${signalWhat(categories, s)}${s.kern ? `, ${s.kern.name}` : ''}: ${String(s.description).slice(0, 60)}`)));
          }
          togglePoints();
        })
        .catch(() => {});
    }
    legend.replaceChildren(...legendRows(classes).map((r) => h('li', {},
      h('span', { class: 'legend__swatch', style: `background: ${r.colour}`, 'aria-hidden': 'true' }), r.label)));
    const rows = [...props].sort((a, b) => (b.per_1000 ?? -1) - (a.per_1000 ?? -1) || (b.count ?? -1) - (a.count ?? -1));
    table.replaceChildren(
      h('caption', {}, `Signalen per ${levelName}, ${PERIODS.find(([v]) => v === period.value)[1].toLowerCase()}`),
      h('thead', {}, h('tr', {}, ['Gebied', 'Signalen', 'Per 1.000 inwoners'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((p) => h('tr', {},
        h('th', { scope: 'row' }, p.count == null ? p.name : h('button', {
          type: 'button', class: 'utrecht-button utrecht-button--subtle link-button', onclick: () => showTrend(p) }, p.name)),
        h('td', {}, p.count == null ? '–' : nl(p.count)),
        h('td', {}, rateCell(p, classes))))));
  }

  for (const el of [level, period, category]) el.addEventListener('change', load);
  return load();
}
