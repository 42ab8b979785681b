// A small map of one alert's evidence: fitted to the alert's extent, a marker per
// signal with a location. Loaded only when a team lead opens an alert's signals;
// the numbered list next to it says the same for people who do not use the map.
import { L, CENTRE, addBaseLayer, textContent } from './basemap.js';

const isExtent = (e) => Array.isArray(e) && e.length === 4 && e.every(Number.isFinite)
  && e[0] <= e[2] && e[1] <= e[3];

/**
 * @param {HTMLElement} el the (visible) map container
 * @param {{extent: number[], signals: object[], label?: (signal: object, n: number) => string}} evidence
 *   extent: [min lon, min lat, max lon, max lat]; signals in the list's order
 * @returns {{map: object, markers: number, remove: () => void}}
 */
export function mountAlertMap(el, { extent, signals, label }) {
  const map = L.map(el, { center: CENTRE, zoom: 10, zoomSnap: 0.5 });
  addBaseLayer(map);
  const points = [];
  signals.forEach((s, i) => {
    if (!s.location) return;
    const at = [s.location.lat, s.location.lon];
    points.push(at);
    const marker = L.circleMarker(at, { radius: 7, weight: 2, color: '#154273', fillColor: '#ffb612', fillOpacity: 1,
      className: 'alert-map__marker' }).addTo(map);
    if (label) marker.bindTooltip(textContent(label(s, i + 1)));
  });
  const bounds = isExtent(extent)
    ? L.latLngBounds([extent[1], extent[0]], [extent[3], extent[2]])
    : points.length ? L.latLngBounds(points) : null;
  const fit = () => bounds && map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  fit();
  let observer = null;
  if (typeof ResizeObserver === 'function') {
    // Hidden and shown again (the list toggles), or a rotated phone: size and fit anew.
    observer = new ResizeObserver(() => {
      if (!el.clientHeight) return;
      map.invalidateSize();
      fit();
    });
    observer.observe(el);
  }
  return { map, markers: points.length, remove() { observer?.disconnect(); map.remove(); } };
}
