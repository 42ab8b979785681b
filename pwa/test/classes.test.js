import { describe, expect, it } from 'vitest';
import { classify, legendRows, GREY, OUTSIDE } from '../src/stats/classes.js';

describe('choropleth classes', () => {
  const areas = [
    { code: 'a', count: 10, per_1000: 1 }, { code: 'b', count: 12, per_1000: 2 },
    { code: 'c', count: 30, per_1000: 3 }, { code: 'd', count: 40, per_1000: 4 },
    { code: 'e', count: 50, per_1000: 5 }, { code: 'f', count: 2, per_1000: 9 },
    { code: 'g', count: 8, per_1000: null },
  ];

  it('greys out small counts and unknown inhabitants, quantiles for the rest', () => {
    const { classOf, reason, breaks } = classify(areas, { minCount: 3 });
    expect(classOf.get('f')).toBeNull();
    expect(reason.get('f')).toBe('te weinig signalen');
    expect(reason.get('g')).toBe('geen inwonersaantal');
    expect(breaks).toEqual([2, 3, 4, 5]);
    expect(['a', 'b', 'c', 'd', 'e'].map((c) => classOf.get(c))).toEqual([0, 1, 2, 3, 4]);
  });

  it('names areas outside the user\'s own (no count sent) and gives them their own legend row', () => {
    const bound = [...areas, { code: 'h', count: null, per_1000: null }];
    const result = classify(bound);
    expect(result.classOf.get('h')).toBeNull();
    expect(result.reason.get('h')).toBe('buiten je gebieden');
    expect(result.breaks).toEqual(classify(areas).breaks);
    const rows = legendRows(result);
    expect(rows.at(-1)).toEqual({ colour: OUTSIDE, label: 'Buiten je gebieden (geen cijfers)' });
    expect(legendRows(classify(areas)).some((r) => r.colour === OUTSIDE)).toBe(false);
  });

  it('never shows a class whose range is one value twice ("2,1 – 2,1"), nor an empty class', () => {
    const one = legendRows(classify([{ code: 'x', count: 5, per_1000: 2.1 }]));
    expect(one[0].label).toBe('2,1 per 1.000 inwoners');
    // A break equal to the lowest value would leave the first class empty: no such break.
    const ties = classify([1, 1, 1, 2].map((v, i) => ({ code: `t${i}`, count: 5, per_1000: v })), { classes: 2 });
    expect(ties.breaks).toEqual([]);
    expect(legendRows(ties)[0].label).toBe('1 – 2 per 1.000 inwoners');
    // A top class of one value reads as that value.
    const top = classify([1, 2, 3, 3].map((v, i) => ({ code: `u${i}`, count: 5, per_1000: v })), { classes: 3 });
    expect(legendRows(top).slice(0, 3).map((r) => r.label))
      .toEqual(['1 – 2 per 1.000 inwoners', '2 – 3 per 1.000 inwoners', '3 per 1.000 inwoners']);
  });

  it('copes with one or equal values', () => {
    const one = classify([{ code: 'x', count: 5, per_1000: 2 }, { code: 'y', count: 5, per_1000: 2 }]);
    expect(one.classOf.get('x')).toBe(0);
    expect(one.classOf.get('y')).toBe(0);
    const rows = legendRows(one);
    expect(rows.at(-1).colour).toBe(GREY);
    expect(rows[0].label).toContain('per 1.000 inwoners');
  });

  it('has an empty legend but the grey row without data', () => {
    expect(legendRows(classify([]))).toEqual([{ colour: GREY, label: 'Te weinig signalen of geen inwonersaantal' }]);
  });
});
