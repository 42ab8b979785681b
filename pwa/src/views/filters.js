// The filters above the signal list: a search box (`Zoeken`), kern, category,
// status, period, "Alleen mijn eigen signalen" and "Alleen op te volgen".
// Their state is plain data ({q, kern, category, status, period, mine, opvolgen})
// that travels in the URL query (/signalen?q=fiets&kern=WK017106) so the back
// button and a reload keep it: see filtersFromQuery / queryFromFilters.
import { h } from '../dom.js';

export const STATUSES = [
  ['nieuw', 'Nieuw'], ['in_behandeling', 'In behandeling'], ['doorgezet', 'Doorgezet'], ['afgesloten', 'Afgesloten'],
];
export const PERIODS = [
  ['', 'Alles'], ['week', 'Deze week'], ['maand', 'Deze maand'], ['3maanden', 'Afgelopen 3 maanden'],
];
export const statusName = (code) => STATUSES.find(([c]) => c === code)?.[1] ?? code;

export const EMPTY_FILTERS = Object.freeze({
  q: '', kern: '', category: '', status: '', period: '', mine: false, opvolgen: false,
});

/** The filters in a URL query ("?q=fiets&mijn=1"); unknown values are ignored. */
export function filtersFromQuery(search) {
  const p = new URLSearchParams(search ?? '');
  const status = p.get('status') ?? '';
  const period = p.get('periode') ?? '';
  return {
    q: p.get('q') ?? '',
    kern: p.get('kern') ?? '',
    category: p.get('categorie') ?? '',
    status: STATUSES.some(([c]) => c === status) ? status : '',
    period: PERIODS.some(([c]) => c === period) ? period : '',
    mine: p.get('mijn') === '1',
    opvolgen: p.get('opvolgen') === '1',
  };
}

/** The URL query of the filters: "" when none is set, else "?q=…&kern=…". */
export function queryFromFilters(f) {
  const p = new URLSearchParams();
  if (f.q?.trim()) p.set('q', f.q.trim());
  if (f.kern) p.set('kern', f.kern);
  if (f.category) p.set('categorie', f.category);
  if (f.status) p.set('status', f.status);
  if (f.period) p.set('periode', f.period);
  if (f.mine) p.set('mijn', '1');
  if (f.opvolgen) p.set('opvolgen', '1');
  const text = p.toString();
  return text ? `?${text}` : '';
}

/** Whether any filter (or search) is set. */
export const anyFilter = (f) => Boolean(f.q?.trim() || f.kern || f.category || f.status || f.period || f.mine || f.opvolgen);

/** How many of the filters under "Filters" (kern, category, status, period) are set. */
const extraFilters = (f) => [f.kern, f.category, f.status, f.period].filter(Boolean).length;

/**
 * "„fiets“ in Ens, Jeugd, deze week": what the filters ask for, in words (for "Geen signalen gevonden voor …").
 * @param {object} f the filters
 * @param {{kernName: (code) => string, catName: (code) => string}} names
 */
export function describeFilters(f, { kernName = (c) => c, catName = (c) => c } = {}) {
  const parts = [];
  if (f.q?.trim()) parts.push(`„${f.q.trim()}”`);
  const rest = [];
  if (f.kern) rest.push(`in ${kernName(f.kern)}`);
  if (f.category) rest.push(catName(f.category));
  if (f.status) rest.push(`status ${statusName(f.status).toLowerCase()}`);
  if (f.period) rest.push(PERIODS.find(([c]) => c === f.period)[1].toLowerCase());
  if (f.mine) rest.push('alleen je eigen signalen');
  if (f.opvolgen) rest.push('alleen op te volgen');
  return [...parts, ...rest].join(', ');
}

function select(id, labelText, allText, options) {
  const el = h('select', { id, class: 'utrecht-select utrecht-textbox' },
    h('option', { value: '' }, allText), ...options.map(([c, n]) => h('option', { value: c }, n)));
  const row = h('div', { class: 'utrecht-form-field filters__field' },
    h('label', { class: 'utrecht-form-label', for: id }, labelText), el);
  return { el, row };
}

/**
 * The filter controls. `onChange(filters)` runs on every change (typing too).
 * @param {{filters?: object, categories?: {code: string, name: string}[], kernen?: {code: string, name: string}[],
 *          onChange: (filters: object) => void}} options
 * @returns {{el: HTMLElement, set: (filters: object) => void,
 *            setOptions: (o: {categories?: any[], kernen?: any[]}) => void, focusSearch: () => void}}
 */
export function renderFilters({ filters = EMPTY_FILTERS, categories = [], kernen = [], onChange }) {
  let state = { ...EMPTY_FILTERS, ...filters };
  const search = h('input', { type: 'search', id: 'zoeken', name: 'q', class: 'utrecht-textbox filters__search',
    autocomplete: 'off', enterkeyhint: 'search', 'aria-describedby': 'zoeken-hint' });
  const kern = select('filter-kern', 'Kern', 'Alle kernen', []);
  const category = select('filter-categorie', 'Categorie', 'Alle categorieën', []);
  const status = select('filter-status', 'Status', 'Alle statussen', STATUSES);
  const period = h('select', { id: 'filter-periode', class: 'utrecht-select utrecht-textbox' },
    ...PERIODS.map(([c, n]) => h('option', { value: c }, n)));
  const mine = h('input', { type: 'checkbox', id: 'alleen-mijn' });
  const due = h('input', { type: 'checkbox', id: 'alleen-opvolgen' });
  const summaryCount = h('span', { class: 'filters__count' });
  // The selects are in the page only while "Filters" is open: closed, they are not in the way
  // (nor in the way of another screen's "Categorie" or "Status" field, which the page also holds).
  const grid = h('div', { class: 'filters__grid' },
    kern.row, category.row, status.row,
    h('div', { class: 'utrecht-form-field filters__field' },
      h('label', { class: 'utrecht-form-label', for: 'filter-periode' }, 'Periode'), period));
  const more = h('details', { class: 'filters__more' },
    h('summary', { class: 'filters__summary' }, 'Filters', summaryCount));
  const mountGrid = () => {
    if (more.open && !grid.isConnected) more.append(grid);
    else if (!more.open && grid.isConnected) grid.remove();
  };
  more.addEventListener('toggle', mountGrid);

  const el = h('form', { class: 'filters', role: 'search', 'aria-label': 'Signalen zoeken en filteren',
    onsubmit(e) { e.preventDefault(); search.blur(); } },
  h('div', { class: 'utrecht-form-field filters__field' },
    h('label', { class: 'utrecht-form-label', for: 'zoeken' }, 'Zoeken'),
    search,
    h('p', { id: 'zoeken-hint', class: 'field-hint' }, 'In omschrijving, categorie en kern; werkt ook zonder internet.')),
  h('div', { class: 'filters__checks' },
    h('p', { class: 'checkbox-row' }, mine, h('label', { for: 'alleen-mijn' }, 'Alleen mijn eigen signalen')),
    h('p', { class: 'checkbox-row' }, due,
      h('label', { for: 'alleen-opvolgen' }, 'Alleen op te volgen (vandaag of eerder)'))),
  more);

  function options(sel, list, keep) {
    const value = keep ?? sel.value;
    sel.replaceChildren(sel.firstChild, ...list.map(({ code, name }) => h('option', { value: code }, name)));
    // A value from the URL that the lists do not (yet) know stays chosen, by its code.
    if (value && !list.some((x) => x.code === value)) sel.append(h('option', { value }, value));
    sel.value = value;
  }

  function show() {
    if (search.value !== state.q) search.value = state.q;
    kern.el.value = state.kern;
    category.el.value = state.category;
    status.el.value = state.status;
    period.value = state.period;
    mine.checked = state.mine;
    due.checked = state.opvolgen;
    const n = extraFilters(state);
    summaryCount.textContent = n ? `(${n} aan)` : '';
    if (n) more.open = true;
    mountGrid();
  }

  function read() {
    state = { q: search.value, kern: kern.el.value, category: category.el.value, status: status.el.value,
      period: period.value, mine: mine.checked, opvolgen: due.checked };
    const n = extraFilters(state);
    summaryCount.textContent = n ? `(${n} aan)` : '';
    onChange?.({ ...state });
  }
  search.addEventListener('input', read);
  for (const c of [kern.el, category.el, status.el, period, mine, due]) c.addEventListener('change', read);

  function setOptions({ categories: cats, kernen: ks } = {}) {
    if (cats) options(category.el, cats.map((c) => ({ code: c.code, name: c.name ?? c.code })), state.category);
    if (ks) options(kern.el, ks, state.kern);
  }
  setOptions({ categories, kernen });
  show();

  return {
    el,
    set(next) {
      state = { ...EMPTY_FILTERS, ...next };
      setOptions({});
      for (const [sel, v] of [[kern.el, state.kern], [category.el, state.category]]) {
        if (v && ![...sel.options].some((o) => o.value === v)) sel.append(h('option', { value: v }, v));
      }
      show();
    },
    setOptions,
    focusSearch: () => search.focus(),
    /** Open "Filters" (its selects join the page). */
    open() {
      more.open = true;
      mountGrid();
    },
  };
}
