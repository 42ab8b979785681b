// Offline point → kern / wijk / buurt, on the device.
//
// Works on the simplified areas from GET /api/v1/areas/offline. It gives the
// same answer as the server except within `tolerance_m` (plus a margin) of a
// border, where the simplified line may lie on the other side of the point:
// there the result is flagged `nearBorder` so the app can say "vlak bij de grens".

const LEVELS = ['kern', 'wijk', 'buurt'];
const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQUATOR = 111_320;

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

function bboxOf(polygons) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const rings of polygons) {
    for (const [x, y] of rings[0]) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Build the lookup index from a FeatureCollection of areas. */
export function buildIndex(collection) {
  const levels = { kern: [], wijk: [], buurt: [] };
  for (const f of collection.features ?? []) {
    const level = f.properties?.level;
    if (!levels[level]) continue;
    const polygons = polygonsOf(f.geometry);
    if (!polygons.length) continue;
    // Rings as flat Float64Arrays [x0, y0, x1, y1, …]: fast and compact.
    const rings = polygons.flatMap((p) => p.map((ring) => Float64Array.from(ring.flat())));
    levels[level].push({ code: f.properties.code, name: f.properties.name, bbox: bboxOf(polygons), rings });
  }
  // Lowest code first, so a point exactly on a shared border gets the same area as on the server.
  for (const level of LEVELS) levels[level].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { levels, toleranceM: collection.tolerance_m ?? 0 };
}

function onSegment(px, py, ax, ay, bx, by) {
  const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  if (cross !== 0) return false;
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/** Even-odd ray casting over all rings (holes included); the border counts as inside. */
export function containsPoint(area, x, y) {
  const [minX, minY, maxX, maxY] = area.bbox;
  if (x < minX || x > maxX || y < minY || y > maxY) return false;
  let inside = false;
  for (const r of area.rings) {
    for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
      const xi = r[i], yi = r[i + 1], xj = r[j], yj = r[j + 1];
      if (onSegment(x, y, xi, yi, xj, yj)) return true;
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function segmentDistanceM(x, y, ax, ay, bx, by, kx, ky) {
  // Local equirectangular metres around the point: exact enough within a few km.
  const ux = (bx - ax) * kx, uy = (by - ay) * ky;
  const wx = (x - ax) * kx, wy = (y - ay) * ky;
  const len2 = ux * ux + uy * uy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, (wx * ux + wy * uy) / len2)) : 0;
  const dx = wx - t * ux, dy = wy - t * uy;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Distance in metres from a point to the nearest border of any area, up to `limitM`. */
function borderDistanceM(index, lat, lon, limitM) {
  const ky = M_PER_DEG_LAT;
  const kx = M_PER_DEG_LON_EQUATOR * Math.cos((lat * Math.PI) / 180);
  const dLon = limitM / kx, dLat = limitM / ky;
  let best = Infinity;
  for (const level of LEVELS) {
    for (const area of index.levels[level]) {
      const [minX, minY, maxX, maxY] = area.bbox;
      if (lon < minX - dLon || lon > maxX + dLon || lat < minY - dLat || lat > maxY + dLat) continue;
      for (const r of area.rings) {
        for (let i = 2; i < r.length; i += 2) {
          const d = segmentDistanceM(lon, lat, r[i - 2], r[i - 1], r[i], r[i + 1], kx, ky);
          if (d < best) best = d;
        }
      }
    }
  }
  return best;
}

/**
 * The kern, wijk and buurt of a point, each `{code, name}` or null.
 * `nearBorder` is true when the point (with its GPS accuracy) may lie in a neighbour.
 */
export function locate(index, lat, lon, accuracyM = 0) {
  const result = { kern: null, wijk: null, buurt: null, nearBorder: false };
  for (const level of LEVELS) {
    const hit = index.levels[level].find((area) => containsPoint(area, lon, lat));
    if (hit) result[level] = { code: hit.code, name: hit.name };
  }
  // Margin: the simplification tolerance, a metre for rounding, and the GPS accuracy.
  const margin = index.toleranceM + 1 + (accuracyM || 0);
  result.nearBorder = borderDistanceM(index, lat, lon, margin) <= margin;
  return result;
}
