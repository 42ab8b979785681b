// Choropleth classes that stay readable with small counts: quantile breaks over
// the rates of areas with enough signals; areas below the minimum are grey.

export const COLOURS = ['#deebf7', '#9ecae1', '#4292c6', '#08519c', '#08306b'];
export const GREY = '#bdbdbd';
export const OUTSIDE = '#ffffff'; // areas outside the user's own: no figures are sent for them
export const OUTSIDE_REASON = 'buiten je gebieden';

/**
 * @param {{code: string, count: number, per_1000: number|null}[]} areas
 * @param {{minCount?: number, classes?: number}} options
 * @returns {{breaks: number[], classOf: Map<string, number|null>, reason: Map<string, string>}}
 *   class index per area code, or null with the reason ('te weinig signalen' / 'geen inwonersaantal' /
 *   'buiten je gebieden': the server sends no count for areas outside a user's own)
 */
export function classify(areas, { minCount = 3, classes = 5 } = {}) {
  const classOf = new Map();
  const reason = new Map();
  const rated = [];
  let outside = 0;
  for (const a of areas) {
    if (a.count == null) { classOf.set(a.code, null); reason.set(a.code, OUTSIDE_REASON); outside += 1; }
    else if (a.count < minCount) { classOf.set(a.code, null); reason.set(a.code, 'te weinig signalen'); }
    else if (a.per_1000 == null) { classOf.set(a.code, null); reason.set(a.code, 'geen inwonersaantal'); }
    else rated.push(a);
  }
  const values = rated.map((a) => a.per_1000).sort((x, y) => x - y);
  const n = Math.min(classes, new Set(values).size);
  const breaks = [];
  for (let i = 1; i < n; i += 1) breaks.push(values[Math.floor((i * values.length) / n)]);
  // A break equal to the lowest value would make an empty class and a legend row "2,1 – 2,1".
  const unique = [...new Set(breaks)].filter((b) => b > values[0]);
  for (const a of rated) {
    let k = 0;
    while (k < unique.length && a.per_1000 >= unique[k]) k += 1;
    classOf.set(a.code, k);
  }
  return { breaks: unique, classOf, reason, rated: values.length, max: values.at(-1) ?? 0, min: values[0] ?? 0, outside };
}

/** Legend rows: colour and the range of each class in words. */
export function legendRows({ breaks, min, max, rated, outside }) {
  const fmt = (v) => v.toLocaleString('nl-NL', { maximumFractionDigits: 1 });
  const rows = [];
  if (rated && !breaks.length) {
    const range = min === max ? fmt(min) : `${fmt(min)} – ${fmt(max)}`;
    rows.push({ colour: COLOURS[0], label: `${range} per 1.000 inwoners` });
  } else if (rated) {
    const edges = [min, ...breaks, max];
    for (let i = 0; i < edges.length - 1; i += 1) {
      const range = edges[i] === edges[i + 1] ? fmt(edges[i]) : `${fmt(edges[i])} – ${fmt(edges[i + 1])}`;
      rows.push({ colour: COLOURS[Math.min(i, COLOURS.length - 1)], label: `${range} per 1.000 inwoners` });
    }
  }
  rows.push({ colour: GREY, label: 'Te weinig signalen of geen inwonersaantal' });
  if (outside) rows.push({ colour: OUTSIDE, label: 'Buiten je gebieden (geen cijfers)' });
  return rows;
}
