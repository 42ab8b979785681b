import { describe, expect, it } from 'vitest';
import { buildIndex, containsPoint, locate } from '../src/geo/locate.js';

// Two unit squares side by side around (5.0, 52.0), the left one with a hole.
const square = (x0, y0, size) => [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]];
const collection = {
  type: 'FeatureCollection',
  tolerance_m: 10,
  features: [
    { type: 'Feature', properties: { code: 'B', name: 'Links', level: 'kern' },
      geometry: { type: 'Polygon', coordinates: [square(5.0, 52.0, 0.1), square(5.04, 52.04, 0.02)] } },
    { type: 'Feature', properties: { code: 'A', name: 'Rechts', level: 'kern' },
      geometry: { type: 'MultiPolygon', coordinates: [[square(5.1, 52.0, 0.1)]] } },
    { type: 'Feature', properties: { code: 'W1', name: 'Wijk', level: 'wijk' },
      geometry: { type: 'Polygon', coordinates: [square(5.0, 52.0, 0.2)] } },
  ],
};

describe('offline area lookup', () => {
  const index = buildIndex(collection);

  it('finds kern and wijk of a point well inside', () => {
    const r = locate(index, 52.02, 5.02);
    expect(r.kern).toEqual({ code: 'B', name: 'Links' });
    expect(r.wijk).toEqual({ code: 'W1', name: 'Wijk' });
    expect(r.buurt).toBeNull();
    expect(r.nearBorder).toBe(false);
  });

  it('leaves a point in a hole or outside without an area', () => {
    expect(locate(index, 52.05, 5.05).kern).toBeNull();
    expect(locate(index, 53.0, 5.0)).toEqual({ kern: null, wijk: null, buurt: null, nearBorder: false });
  });

  it('gives a point on a shared border the lowest code, like the server, and flags it', () => {
    const r = locate(index, 52.05, 5.1);
    expect(r.kern.code).toBe('A');
    expect(r.nearBorder).toBe(true);
  });

  it('flags points whose GPS accuracy reaches a border', () => {
    // 0.002° of longitude at 52° is about 137 m from the border at 5.1.
    expect(locate(index, 52.05, 5.098).nearBorder).toBe(false);
    expect(locate(index, 52.05, 5.098, 200).nearBorder).toBe(true);
  });

  it('counts the border itself as inside', () => {
    const area = index.levels.kern.find((a) => a.code === 'A');
    expect(containsPoint(area, 5.1, 52.05)).toBe(true);
    expect(containsPoint(area, 5.0999, 52.05)).toBe(false);
  });
});
