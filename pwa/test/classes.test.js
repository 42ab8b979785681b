import { describe, expect, it } from 'vitest';
import {
  classify, colourOf, legendRows, COLOURS, GREY, NO_INHABITANTS, OUTSIDE,
} from '../src/stats/classes.js';

const rates = (values, count = 5) => values.map((v, i) => ({ code: `a${i}`, count, per_1000: v }));
const labels = (classes) => legendRows(classes).map((r) => r.label);

describe('choropleth classes', () => {
  const areas = [
    { code: 'a', count: 10, per_1000: 1 }, { code: 'b', count: 12, per_1000: 2 },
    { code: 'c', count: 30, per_1000: 3 }, { code: 'd', count: 40, per_1000: 4 },
    { code: 'e', count: 50, per_1000: 5 }, { code: 'f', count: 2, per_1000: 9 },
    { code: 'g', count: 8, per_1000: null },
  ];

  it('greys out small counts, names unknown inhabitants, quantiles for the rest', () => {
    const { classOf, reason, breaks } = classify(areas, { minCount: 3 });
    expect(classOf.get('f')).toBeNull();
    expect(reason.get('f')).toBe('te weinig signalen');
    expect(reason.get('g')).toBe('geen inwonertal');
    expect(breaks).toEqual([2, 3, 4, 5]);
    expect(['a', 'b', 'c', 'd', 'e'].map((c) => classOf.get(c))).toEqual([0, 1, 2, 3, 4]);
  });

  it('says "geen inwonertal" for an area without inhabitants even with few signals, in its own colour', () => {
    const result = classify([...rates([1, 2, 3]), { code: 'ens', count: 1, per_1000: null }]);
    expect(result.reason.get('ens')).toBe('geen inwonertal');
    expect(colourOf(result, 'ens')).toBe(NO_INHABITANTS);
    expect(colourOf(result, 'a0')).toBe(COLOURS[0]);
    const rows = legendRows(result);
    expect(rows.at(-1)).toEqual({ colour: NO_INHABITANTS, label: 'Geen inwonertal bekend (geen cijfer per 1.000)' });
    // no area has too few signals: no grey row
    expect(rows.some((r) => r.colour === GREY)).toBe(false);
  });

  it('names areas outside the user\'s own (no count sent) and gives them their own legend row', () => {
    const bound = [...areas, { code: 'h', count: null, per_1000: null }];
    const result = classify(bound);
    expect(result.classOf.get('h')).toBeNull();
    expect(result.reason.get('h')).toBe('buiten je gebieden');
    expect(colourOf(result, 'h')).toBe(OUTSIDE);
    expect(result.breaks).toEqual(classify(areas).breaks);
    const rows = legendRows(result);
    expect(rows.at(-1)).toEqual({ colour: OUTSIDE, label: 'Buiten je gebieden (geen cijfers)' });
    expect(legendRows(classify(areas)).some((r) => r.colour === OUTSIDE)).toBe(false);
  });

  it('never shows a class whose range repeats ("2,1 – 2,1"), nor two classes that read the same', () => {
    const one = legendRows(classify(rates([2.1])));
    expect(one[0].label).toBe('2,1 per 1.000 inwoners');
    // 2,13 and 2,14 both read "2,1": one class, one value
    const close = classify(rates([2.13, 2.14, 2.12]));
    expect(close.breaks).toEqual([]);
    expect(labels(close)).toEqual(['2,1 per 1.000 inwoners']);
    // Many values, few distinct ones once rounded: as many classes as there are distinct values.
    const ties = classify(rates([2.11, 2.12, 2.13, 2.14, 3.01, 3.02]));
    expect(labels(ties)).toEqual(['2,1 per 1.000 inwoners', '3 per 1.000 inwoners']);
    for (const values of [[1, 1, 1, 2], [1, 2, 3, 3], [0.4, 0.4, 0.4, 0.4, 0.4, 7], [1, 1, 2, 2, 2, 2, 2, 9, 9]]) {
      const ls = labels(classify(rates(values)));
      expect(new Set(ls).size).toBe(ls.length);
      for (const l of ls) {
        const m = l.match(/^(\S+) – (\S+) per/);
        if (m) expect(m[1]).not.toBe(m[2]);
      }
    }
  });

  it('uses fewer classes only when the values do not allow five, and no class is empty', () => {
    // A break equal to the lowest value moves up: [1,1,1] and [2], not one class "1 – 2".
    const ties = classify(rates([1, 1, 1, 2]), { classes: 2 });
    expect(ties.breaks).toEqual([2]);
    expect(labels(ties).slice(0, 2)).toEqual(['1 per 1.000 inwoners', '2 per 1.000 inwoners']);
    const three = classify(rates([1, 2, 3, 3]), { classes: 5 });
    expect(labels(three)).toEqual(['1 per 1.000 inwoners', '2 per 1.000 inwoners', '3 per 1.000 inwoners']);
    const many = classify(rates([0.5, 1.2, 1.9, 2.4, 3.3, 4.1, 5.6, 7.2, 8.8, 12]));
    expect(many.breaks).toHaveLength(4);
    const used = new Set([...many.classOf.values()]);
    expect(used.size).toBe(5);
    // each row gives the rates its areas really have: ranges do not overlap
    expect(labels(many)).toEqual(['0,5 – 1,2 per 1.000 inwoners', '1,9 – 2,4 per 1.000 inwoners',
      '3,3 – 4,1 per 1.000 inwoners', '5,6 – 7,2 per 1.000 inwoners', '8,8 – 12 per 1.000 inwoners']);
  });

  it('shows small rates with two decimals so they stay apart', () => {
    const small = classify(rates([0.12, 0.14, 0.31]));
    expect(labels(small)).toEqual(['0,12 per 1.000 inwoners', '0,14 per 1.000 inwoners', '0,31 per 1.000 inwoners']);
  });

  it('copes with one or equal values', () => {
    const one = classify([{ code: 'x', count: 5, per_1000: 2 }, { code: 'y', count: 5, per_1000: 2 }]);
    expect(one.classOf.get('x')).toBe(0);
    expect(one.classOf.get('y')).toBe(0);
    expect(labels(one)).toEqual(['2 per 1.000 inwoners']);
  });

  it('says why there is no colour without data', () => {
    expect(legendRows(classify([]))).toEqual([{ colour: GREY, label: 'Te weinig signalen (minder dan 3)' }]);
    expect(legendRows(classify([{ code: 'x', count: 1, per_1000: 0.5 }])))
      .toEqual([{ colour: GREY, label: 'Te weinig signalen (minder dan 3)' }]);
  });
});
