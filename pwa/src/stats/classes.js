// Choropleth classes that stay readable with small counts: quantile breaks over
// the rates of areas with enough signals, on the rates as the legend shows them
// (so two classes never read the same); fewer classes when the values do not
// allow five. Areas without figures get a colour and a reason of their own.

export const COLOURS = ['#deebf7', '#9ecae1', '#4292c6', '#08519c', '#08306b'];
export const GREY = '#bdbdbd'; // too few signals to compare
export const NO_INHABITANTS = '#f2e6c9'; // no inhabitant count known: no rate
export const OUTSIDE = '#ffffff'; // areas outside the user's own: no figures are sent for them
export const OUTSIDE_REASON = 'buiten je gebieden';
export const FEW_REASON = 'te weinig signalen';
export const NO_INHABITANTS_REASON = 'geen inwonertal';

/** Decimals the legend, table and tooltips show: one, or two for rates below 1 per 1,000. */
export function decimalsFor(max) {
  return max > 0 && max < 1 ? 2 : 1;
}

/** A number the Dutch way ("1.234", "2,1"). */
export function nl(value, decimals = 0) {
  return Number(value).toLocaleString('nl-NL', { maximumFractionDigits: decimals });
}

const roundTo = (v, decimals) => Math.round(v * 10 ** decimals) / 10 ** decimals;

/**
 * @param {{code: string, count: number|null, per_1000: number|null}[]} areas
 * @param {{minCount?: number, classes?: number}} options
 * @returns {{breaks: number[], classOf: Map<string, number|null>, reason: Map<string, string>,
 *   ranges: [number, number][], decimals: number, rated: number, min: number, max: number,
 *   minCount: number, outside: number, few: number, noInhabitants: number}}
 *   class index per area code, or null with the reason ('buiten je gebieden': the server sends
 *   no count for areas outside a user's own; 'geen inwonertal'; 'te weinig signalen');
 *   `ranges`: the lowest and highest (rounded) rate in each class
 */
export function classify(areas, { minCount = 3, classes = 5 } = {}) {
  const classOf = new Map();
  const reason = new Map();
  const rated = [];
  let [outside, few, noInhabitants] = [0, 0, 0];
  for (const a of areas) {
    if (a.count == null) { classOf.set(a.code, null); reason.set(a.code, OUTSIDE_REASON); outside += 1; }
    // No inhabitants: no rate at all, however many signals (says more than "too few").
    else if (a.per_1000 == null) { classOf.set(a.code, null); reason.set(a.code, NO_INHABITANTS_REASON); noInhabitants += 1; }
    else if (a.count < minCount) { classOf.set(a.code, null); reason.set(a.code, FEW_REASON); few += 1; }
    else rated.push(a);
  }
  const decimals = decimalsFor(Math.max(0, ...rated.map((a) => a.per_1000)));
  const rate = (a) => roundTo(a.per_1000, decimals);
  const values = rated.map(rate).sort((x, y) => x - y);
  const distinct = [...new Set(values)];
  const n = Math.min(classes, distinct.length);
  // Quantile breaks; a break that equals the one before (or the lowest value) moves up to
  // the next value that is higher, so no class is empty and none repeats another's range.
  const breaks = [];
  for (let i = 1; i < n; i += 1) {
    const floor = breaks.at(-1) ?? values[0];
    let b = values[Math.floor((i * values.length) / n)];
    if (b <= floor) b = distinct.find((v) => v > floor);
    if (b === undefined) break;
    breaks.push(b);
  }
  const ranges = values.length ? Array.from({ length: breaks.length + 1 }, () => null) : [];
  for (const a of rated) {
    const v = rate(a);
    let k = 0;
    while (k < breaks.length && v >= breaks[k]) k += 1;
    classOf.set(a.code, k);
    const r = ranges[k];
    ranges[k] = r ? [Math.min(r[0], v), Math.max(r[1], v)] : [v, v];
  }
  return { breaks, classOf, reason, ranges: ranges.filter(Boolean), decimals, rated: values.length,
    max: values.at(-1) ?? 0, min: values[0] ?? 0, minCount, outside, few, noInhabitants };
}

/** Colour of an area's class, or of its reason for having none. */
export function colourOf(classes, code) {
  const k = classes.classOf.get(code);
  if (k != null) return COLOURS[Math.min(k, COLOURS.length - 1)];
  const why = classes.reason.get(code);
  return why === OUTSIDE_REASON ? OUTSIDE : why === NO_INHABITANTS_REASON ? NO_INHABITANTS : GREY;
}

/** A rate per 1,000 as the legend shows it. */
export function rateText(classes, value) {
  return nl(value, classes.decimals ?? 1);
}

/** Legend rows: colour and the range of each class in words (the rates its areas really have). */
export function legendRows(classes) {
  const { ranges = [], outside, few, noInhabitants, minCount = 3 } = classes;
  const fmt = (v) => rateText(classes, v);
  const rows = ranges.map(([lo, hi], i) => ({
    colour: COLOURS[Math.min(i, COLOURS.length - 1)],
    label: `${lo === hi ? fmt(lo) : `${fmt(lo)} – ${fmt(hi)}`} per 1.000 inwoners`,
  }));
  if (few || (!rows.length && !noInhabitants && !outside)) rows.push({ colour: GREY, label: `Te weinig signalen (minder dan ${minCount})` });
  if (noInhabitants) rows.push({ colour: NO_INHABITANTS, label: 'Geen inwonertal bekend (geen cijfer per 1.000)' });
  if (outside) rows.push({ colour: OUTSIDE, label: 'Buiten je gebieden (geen cijfers)' });
  return rows;
}
