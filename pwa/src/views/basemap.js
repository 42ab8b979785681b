// What every map of the app shares: Leaflet with its CSS and the base map,
// PDOK BRT-Achtergrondkaart (when online; without tiles the maps still draw
// their own shapes and markers). Imported only by the lazily loaded map views.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

const PDOK = 'https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png';
export const CENTRE = [52.71, 5.78]; // Noordoostpolder

/** Add the PDOK base layer to `map`. */
export function addBaseLayer(map) {
  return L.tileLayer(PDOK, { maxZoom: 19, attribution: 'Kaart: PDOK / Kadaster' }).addTo(map);
}

/** Plain text as a tooltip's content: Leaflet writes string content as HTML. */
export function textContent(text) {
  const span = document.createElement('span');
  span.textContent = text;
  return span;
}

export { L };
