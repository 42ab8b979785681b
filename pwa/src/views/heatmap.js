// The team lead's district heatmap: signals per 1,000 inhabitants per kern, wijk
// or buurt for a period and category, with a legend, the same numbers as a table
// (for people who do not use the map) and a drill-down to an area's trend.
import { L, CENTRE, addBaseLayer, textContent } from './basemap.js';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import { h } from '../dom.js';
import { classify, legendRows, COLOURS, GREY, OUTSIDE, OUTSIDE_REASON } from '../stats/classes.js';

const PERIODS = [['30', 'Laatste 30 dagen'], ['91', 'Laatste 3 maanden'], ['365', 'Laatste 12 maanden']];
const LEVELS = [['kern', 'Kern'], ['wijk', 'Wijk'], ['buurt', 'Buurt']];

const isoDate = (d) => d.toISOString().slice(0, 10);

/**
 * @param {HTMLElement} container
 * @param {{categories: object[], fetchStats: (query: object) => Promise<object>,
 *          fetchTrend: (level: string, code: string) => Promise<object>}} options
 */
const POINTS_FROM_ZOOM = 12; // below this the choropleth says enough

export function renderHeatmap(container, { categories, fetchStats, fetchTrend, fetchSignals }) {
  const select = (id, label, options) => {
    const el = h('select', { id, class: 'utrecht-select utrecht-textbox' }, options.map(([v, n]) => h('option', { value: v }, n)));
    return [h('div', { class: 'utrecht-form-field' }, h('label', { class: 'utrecht-form-label', for: id }, label), el), el];
  };
  const [levelField, level] = select('kaart-niveau', 'Niveau', LEVELS);
  const [periodField, period] = select('kaart-periode', 'Periode', PERIODS);
  const [categoryField, category] = select('kaart-categorie', 'Soort signaal',
    [['', 'Alle categorieën'], ...categories.map((c) => [c.code, c.name])]);
  const message = h('p', { class: 'utrecht-paragraph', 'aria-live': 'polite' });
  const mapEl = h('div', { class: 'heatmap-map', role: 'region', 'aria-label': 'Kaart met signalen per 1.000 inwoners; de tabel hieronder geeft dezelfde cijfers' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legenda' });
  const table = h('table', { class: 'utrecht-table stats-table' });
  const trendBox = h('div', { class: 'trend', 'aria-live': 'polite' });

  container.replaceChildren(
    h('div', { class: 'heatmap-filters' }, levelField, periodField, categoryField),
    message, mapEl, h('h3', { class: 'utrecht-heading-3' }, 'Legenda'), legend,
    h('h3', { class: 'utrecht-heading-3' }, 'Tabel'),
    // A narrow phone scrolls the table, not the page.
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Tabel met cijfers per gebied' }, table),
    trendBox);

  const map = L.map(mapEl, { center: CENTRE, zoom: 10 });
  addBaseLayer(map);
  let layer = null;
  // Individual signals, clustered, once zoomed in far enough to tell streets apart.
  const points = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  const togglePoints = () => {
    if (map.getZoom() >= POINTS_FROM_ZOOM) points.addTo(map);
    else points.remove();
  };
  map.on('zoomend', togglePoints);
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => map.invalidateSize()).observe(mapEl);

  async function showTrend(props) {
    trendBox.replaceChildren(h('p', {}, `Trend van ${props.name} wordt geladen…`));
    try {
      const trend = await fetchTrend(level.value, props.code);
      const peak = Math.max(1, ...trend.weeks.map((w) => w.count));
      trendBox.replaceChildren(
        h('h3', { class: 'utrecht-heading-3', tabindex: '-1' }, `${trend.name}: laatste ${trend.weeks.length} weken`),
        h('p', {}, `${trend.total} signalen. Meest genoemd: ${trend.top_categories.map((c) => `${c.category} (${c.count})`).join(', ') || 'geen'}.`),
        h('ol', { class: 'trend-bars' }, trend.weeks.map((w) => h('li', {},
          h('span', { class: 'trend-bars__week' }, `week van ${w.week_start}`),
          h('span', { class: 'trend-bars__bar', style: `inline-size: ${(w.count / peak) * 100}%` }),
          h('span', { class: 'trend-bars__n' }, String(w.count))))));
      trendBox.querySelector('h3').focus();
    } catch (e) {
      trendBox.replaceChildren(h('p', {}, e?.detail || 'De trend kon niet worden geladen.'));
    }
  }

  async function load() {
    const to = new Date();
    const from = new Date(to.getTime() - Number(period.value) * 86_400_000);
    message.textContent = 'Cijfers worden geladen…';
    let fc;
    try {
      fc = await fetchStats({ level: level.value, from: isoDate(from), to: isoDate(to), category: category.value || undefined });
    } catch (e) {
      message.textContent = e?.detail || 'De kaart werkt alleen met internet. Probeer het later opnieuw.';
      return;
    }
    const props = fc.features.map((f) => f.properties);
    const classes = classify(props);
    const counted = props.filter((p) => p.count != null);
    message.textContent = props.length
      ? `${counted.reduce((n, p) => n + p.count, 0)} signalen in ${counted.length} gebieden.`
      : `Geen gebieden op niveau ${level.value}: laad de CBS-wijken en -buurten.`;
    layer?.remove();
    layer = L.geoJSON(fc, {
      style: (f) => {
        const k = classes.classOf.get(f.properties.code);
        const outside = f.properties.count == null;
        return { color: '#154273', weight: 1, fillOpacity: 0.75, dashArray: outside ? '4 4' : null,
          fillColor: outside ? OUTSIDE : k == null ? GREY : COLOURS[Math.min(k, COLOURS.length - 1)] };
      },
      onEachFeature: (f, l) => {
        const p = f.properties;
        if (p.count == null) { l.bindTooltip(textContent(`${p.name}: ${OUTSIDE_REASON}, geen cijfers`)); return; }
        l.bindTooltip(textContent(`${p.name}: ${p.count} signalen${p.per_1000 != null ? `, ${p.per_1000} per 1.000` : ''}`));
        l.on('click', () => showTrend(p));
      },
    }).addTo(map);
    if (props.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    if (fetchSignals) {
      fetchSignals({ since: isoDate(from), until: isoDate(to), category: category.value || undefined, limit: 500 })
        .then((page) => {
          points.clearLayers();
          for (const s of page.items) {
            if (!s.location) continue;
            points.addLayer(L.circleMarker([s.location.lat, s.location.lon],
              { radius: 6, color: '#154273', fillColor: '#ffb612', fillOpacity: 1 })
              .bindTooltip(textContent(`${s.category}${s.kern ? `, ${s.kern.name}` : ''}: ${String(s.description).slice(0, 60)}`)));
          }
          togglePoints();
        })
        .catch(() => {});
    }
    legend.replaceChildren(...legendRows(classes).map((r) => h('li', {},
      h('span', { class: 'legend__swatch', style: `background: ${r.colour}`, 'aria-hidden': 'true' }), r.label)));
    const rows = [...props].sort((a, b) => (b.per_1000 ?? -1) - (a.per_1000 ?? -1) || (b.count ?? -1) - (a.count ?? -1));
    table.replaceChildren(
      h('caption', {}, `Signalen per ${level.value}, ${PERIODS.find(([v]) => v === period.value)[1].toLowerCase()}`),
      h('thead', {}, h('tr', {}, ['Gebied', 'Signalen', 'Per 1.000 inwoners', 'Kleur'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((p) => h('tr', {},
        h('th', { scope: 'row' }, p.count == null ? p.name : h('button', {
          type: 'button', class: 'utrecht-button utrecht-button--subtle link-button', onclick: () => showTrend(p) }, p.name)),
        h('td', {}, p.count == null ? '–' : String(p.count)),
        h('td', {}, p.count == null ? '–' : p.per_1000 == null ? 'onbekend' : p.per_1000.toLocaleString('nl-NL')),
        h('td', {}, classes.reason.get(p.code) ?? `klasse ${classes.classOf.get(p.code) + 1}`)))));
  }

  for (const el of [level, period, category]) el.addEventListener('change', load);
  return load();
}
