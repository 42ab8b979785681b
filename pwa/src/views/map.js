// Leaflet map for the capture form: the area shapes, a base map when online
// (PDOK BRT-Achtergrondkaart), and a tap that sets the location. The app works
// without tiles: the shapes are drawn from the cached areas.
import { L, CENTRE, addBaseLayer } from './basemap.js';

export function mountCaptureMap(el, onTap, areas) {
  const map = L.map(el, { center: CENTRE, zoom: 10, attributionControl: true });
  addBaseLayer(map);
  let bounds = null;
  if (areas?.features?.length) {
    const kernen = { ...areas, features: areas.features.filter((f) => f.properties.level === 'kern') };
    const layer = L.geoJSON(kernen, { style: { color: '#154273', weight: 1.5, fillOpacity: 0.05 }, interactive: false }).addTo(map);
    bounds = layer.getBounds();
    if (el.clientHeight) map.fitBounds(bounds, { padding: [8, 8] });
  }
  let marker = null;
  let circle = null;
  map.on('click', (e) => onTap(e.latlng.lat, e.latlng.lng));
  // The form may be mounted while its panel is hidden: size the map once it shows.
  if (typeof ResizeObserver === 'function') {
    let fitted = false;
    new ResizeObserver(() => {
      map.invalidateSize();
      if (!fitted && el.clientHeight && bounds) {
        map.fitBounds(bounds, { padding: [8, 8] });
        fitted = true;
      }
    }).observe(el);
  }
  return {
    setPoint(lat, lon, accuracy) {
      marker?.remove();
      circle?.remove();
      marker = L.circleMarker([lat, lon], { radius: 7, color: '#154273', fillColor: '#ffb612', fillOpacity: 1 }).addTo(map);
      if (accuracy) circle = L.circle([lat, lon], { radius: accuracy, color: '#154273', weight: 1, fillOpacity: 0.1 }).addTo(map);
      map.setView([lat, lon], Math.max(map.getZoom(), 14));
    },
    /** No location (after a save): no marker may suggest the next signal has one. */
    clearPoint() {
      marker?.remove();
      circle?.remove();
      marker = circle = null;
    },
  };
}
