// @vitest-environment happy-dom
import { describe, it, expect } from 'vitest';
import { areaText, centroid, rateCell } from '../src/views/heatmap.js';
import { classify } from '../src/stats/classes.js';

describe('heatmap texts', () => {
  const areas = [
    { code: 'em', name: 'Emmeloord', count: 1234, per_1000: 47.3614 },
    { code: 'ma', name: 'Marknesse', count: 7, per_1000: 1.854 },
    { code: 'kr', name: 'Kraggenburg', count: 2, per_1000: 1.384 },
    { code: 'en', name: 'Ens', count: 12, per_1000: null },
    { code: 'zz', name: 'Urk', count: null, per_1000: null },
  ];
  const classes = classify(areas);

  it('gives numbers in tooltips the Dutch way, like the table', () => {
    expect(areaText(areas[0], classes)).toBe('Emmeloord: 1.234 signalen, 47,4 per 1.000 inwoners');
    expect(areaText({ ...areas[1], count: 1 }, classes)).toBe('Marknesse: 1 signaal, 1,9 per 1.000 inwoners');
    expect(areaText(areas[3], classes)).toBe('Ens: 12 signalen, geen inwonertal');
    expect(areaText(areas[4], classes)).toBe('Urk: buiten je gebieden, geen cijfers');
  });

  it('says in the table why an area has no colour', () => {
    expect(areas.map((a) => rateCell(a, classes)))
      .toEqual(['47,4', '1,9', '1,4 (te weinig signalen)', 'geen inwonertal', '–']);
  });

  it('puts a label at the centroid of the largest ring', () => {
    const square = [[5, 52], [6, 52], [6, 53], [5, 53], [5, 52]];
    expect(centroid({ type: 'Polygon', coordinates: [square] })).toEqual([52.5, 5.5]);
    const small = [[7, 52], [7.1, 52], [7.1, 52.1], [7, 52.1], [7, 52]];
    expect(centroid({ type: 'MultiPolygon', coordinates: [[small], [square]] })).toEqual([52.5, 5.5]);
    expect(centroid(null)).toBeNull();
  });
});
