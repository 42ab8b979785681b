// The signals on this device (the user's area and their own) as cards that
// link to their own screen (/signalen/<id>), with filters and a search that
// work offline (store/search.js), the total, and paging ("Meer tonen").
// Online, the same search is also asked of the server, whose extra signals
// (not on this phone) follow in a section "Op de server".
import { h } from '../dom.js';
import { getMe, getToken } from '../store/db.js';
import { cachedAreas } from '../store/areas.js';
import { request } from '../api.js';
import { personalMark } from './labels.js';
import { syncState } from './notices.js';
import { dateTime, dayMonth } from './dates.js';
import { createSearchIndex, filterEntries, followUpDue, periodSince, today } from '../store/search.js';
import {
  EMPTY_FILTERS, PERIODS, anyFilter, describeFilters, filtersFromQuery, queryFromFilters, renderFilters, statusName,
} from './filters.js';

/** Team leads and beheerders may download the list (the server's export); loaded only for them. */
const EXPORT_ROLES = new Set(['teamleider', 'beheerder']);

/**
 * A notice about a signal no longer on this device: it left the user's sight
 * while their change waited, or the server refused a change of theirs.
 */
function goneText(notice) {
  if (notice.kind === 'removed') {
    return 'Een signaal dat je had gewijzigd, is niet meer zichtbaar voor jou: het is verplaatst naar een ander ' +
      'gebied of verwijderd. Je wijziging wordt nog naar de server gestuurd; de server beslist.';
  }
  // Not the server's detail: it names the signal by its id, which tells the user nothing.
  if (notice.kind === 'rejected' && (notice.problem?.status === 404 || notice.problem?.status === 403)) {
    return 'Een wijziging van je is niet verwerkt: het signaal is niet meer zichtbaar voor jou ' +
      '(verplaatst naar een ander gebied of verwijderd).';
  }
  if (notice.kind === 'rejected') return 'De server heeft een wijziging van je niet geaccepteerd.';
  return 'Een signaal dat je had gewijzigd, is niet meer op dit apparaat.';
}

const PAGE = 100;
const nl = (n) => n.toLocaleString('nl-NL');
const signalen = (n) => `${nl(n)} ${n === 1 ? 'signaal' : 'signalen'}`;

/** "3 dec" for a "YYYY-MM-DD" date ("3 dec 2027" in another year than `year`). */
export function shortDate(iso, year) {
  const [y, m, d] = String(iso).split('-').map(Number);
  if (!y || !m || !d) return String(iso ?? '');
  const text = dayMonth({ day: d, month: m });
  return y === year ? text : `${text} ${y}`;
}

/** The first line of a description (the card shows it wrapped, not cut mid-word by us). */
export const firstLine = (text) => String(text ?? '').trim().split('\n')[0].trim();

/** The link to a signal's screen; `onOpen` (the router) opens it without reloading the page. */
export function signalLink(s, onOpen, ...content) {
  return h('a', { class: 'signal-item__open', href: `/signalen/${encodeURIComponent(s.id)}`,
    onclick: onOpen ? (e) => {
      if (e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // a new tab: the browser's way
      e.preventDefault();
      onOpen(s, e);
    } : null }, ...content);
}

/**
 * One card, as one link to the signal's screen: the category and kern, when,
 * what, and what the user must know (personal data, follow-up, assignee, sync state).
 */
export function signalCard(s, { catName, me, todayIso, year, state, onOpen, server = false }) {
  const title = `${catName(s.category)}${s.kern ? ` — ${s.kern.name}` : ''}`;
  let followUp = null;
  if (s.follow_up_date) {
    const late = s.status !== 'afgesloten' && s.follow_up_date < todayIso;
    followUp = h('span', { class: `signal-item__followup${late ? ' signal-item__followup--late' : ''}` },
      `Opvolgen: ${shortDate(s.follow_up_date, year)}`, late ? ' ' : null,
      late ? h('strong', { class: 'late-mark' }, 'te laat') : null);
  }
  const assignee = s.assignee
    ? h('span', { class: 'signal-item__assignee' }, s.assignee === me ? 'Aan jou toegewezen' : `Toegewezen aan ${s.assignee}`)
    : null;
  // Spaces between the parts: a screen reader reads the link as one sentence, not as "Ens28 nov".
  return h('li', { class: `signal-item${server ? ' signal-item--server' : ''}`, 'data-id': s.id },
    signalLink(s, onOpen,
      h('span', { class: 'signal-item__title' }, title), ' ',
      h('span', { class: 'signal-item__date' }, dateTime(s.observed_at) ?? ''), ' ',
      h('span', { class: 'signal-item__text' }, firstLine(s.description)), ' ',
      h('span', { class: 'signal-item__marks' }, personalMark(s), ' ', followUp, ' ', assignee, ' ',
        // Its status (Nieuw, In behandeling, …); the sync state only when it is not simply sent.
        h('span', { class: 'signal-item__status' }, statusName(s.status)), ' ',
        h('span', { class: 'signal-item__state' }, state === 'Verzonden' ? '' : state))));
}

/** The kernen of the areas cached on the phone (GET /areas/offline), for the kern filter. */
async function cachedKernen() {
  const features = (await cachedAreas())?.collection?.features ?? [];
  return features.filter((f) => f.properties?.level === 'kern')
    .map((f) => ({ code: f.properties.code, name: f.properties.name ?? f.properties.code }));
}

/** GET /api/v1/signals?… with the stored token: the server's page for these filters. */
async function searchOnServer(params, { signal } = {}) {
  const token = await getToken();
  if (!token) throw new Error('niet ingelogd');
  return request(`/signals?${params}`, { token, signal });
}

// What the list showed last (filters and how many pages): a list made anew for
// the same filters, e.g. after the back button from a signal, shows as many
// again, so the browser can put the user back where they were.
let lastView = { query: null, limit: PAGE };

/**
 * The list lives as long as the shell (or the /signalen screen); `update`
 * redraws the items after every sync.
 * @param {HTMLElement} container
 * @param {{onDismiss: (id: string) => Promise<void>,
 *          onOpen?: (signal: object, event: Event) => void,
 *          query?: string,
 *          onQuery?: (query: string) => void,
 *          searchServer?: (params: URLSearchParams, options: {signal: AbortSignal}) => Promise<{items: any[], total: number}>}} handlers
 *   onOpen: opens /signalen/<id> without a page load; without it the card is an ordinary link, which
 *           router.js handles (the signal's screen is views/detail.js, not part of the list).
 *   query: the URL query the filters start from (default: location.search).
 *   onQuery: told the new query when the filters change (default: history.replaceState on this URL).
 *   loadKernen: the kernen to offer besides those of the signals (default: the phone's cached areas).
 *   searchServer: GET /signals with these params (default: the API with the stored token); asked only
 *           online and when a filter or search is set; null: never.
 *   loadRole: the user's role (default: the stored GET /me); team leads and beheerders get "Download CSV"
 *           and "Download GeoJSON" of the list as filtered (views/downloads.js); null: never.
 */
export function createSignalList(container, {
  onDismiss, onOpen = null, query, onQuery, searchServer = searchOnServer, loadKernen = cachedKernen,
  loadRole = async () => (await getMe())?.role ?? null,
} = {}) {
  let signals = [];
  let total = null; // all signals on the phone while `signals` is only the newest page (at start); else null
  let noticeOf = new Map();
  let categories = [];
  let kernen = [];
  let me = '';
  let catNames = new Map();
  const catName = (code) => catNames.get(code) ?? code;
  const kernName = (code) => kernen.find((k) => k.code === code)?.name ?? code;
  const index = createSearchIndex();
  let filters = { ...EMPTY_FILTERS, ...filtersFromQuery(query ?? globalThis.location?.search ?? '') };
  const startQuery = queryFromFilters(filters);
  let limit = lastView.query === startQuery ? lastView.limit : PAGE;
  const list = h('ul', { class: 'signal-list signal-list--local' });
  const count = h('p', { class: 'signal-count', 'aria-live': 'polite' });
  const serverBox = h('section', { class: 'server-results', 'aria-labelledby': 'server-results-title', hidden: true });
  const noticeFor = (id) => noticeOf.get(id);
  let server = null; // {query, items, total} from the server for the current filters

  // The filters go into the URL a moment after the last keystroke (history.replaceState costs
  // a slow phone tens of milliseconds: not on every letter), and at once before a card is opened.
  let urlTimer = null;
  function flushUrl() {
    clearTimeout(urlTimer);
    urlTimer = null;
    if (!globalThis.history || !globalThis.location || !/^\/(signalen\/?)?$/.test(location.pathname)) return;
    const url = `${location.pathname}${queryFromFilters(filters)}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
  }
  function writeUrl() {
    if (onQuery) { onQuery(queryFromFilters(filters)); return; }
    clearTimeout(urlTimer);
    urlTimer = setTimeout(flushUrl, 300);
  }

  const filterView = renderFilters({
    filters,
    onChange(next) {
      filters = next;
      limit = PAGE;
      writeUrl();
      draw();
      askServer();
    },
  });

  function clearFilters() {
    filters = { ...EMPTY_FILTERS };
    filterView.set(filters);
    limit = PAGE;
    writeUrl();
    flushUrl();
    draw();
    askServer();
    filterView.focusSearch();
  }

  let sorted = [];
  let lastNotices = '';
  let drawnDay = '';
  let drawnOnce = false;
  let warming = false;
  /** Make the search texts of all signals while the phone is idle, so the first search does not wait. */
  function warmSoon() {
    if (warming) return;
    warming = true;
    const idle = globalThis.requestIdleCallback ?? ((fn) => setTimeout(() => fn({ timeRemaining: () => 8 }), 50));
    const step = (deadline) => {
      if (index.warm(Math.max(4, Math.min(12, deadline.timeRemaining())))) { warming = false; return; }
      idle(step);
    };
    idle(step);
  }

  function draw() {
    const now = Date.now();
    const t = today(now);
    const shown = filterEntries(sorted, filters, { me, now, textOf: index.textOf });
    const filtered = anyFilter(filters);
    lastView = { query: queryFromFilters(filters), limit };
    const card = (s) => signalCard(s, { catName, me, todayIso: t.iso, year: t.year, state: syncState(s, noticeFor(s.id)),
      onOpen });
    // A card is made once per signal content, sync state and day, and reused by every later draw.
    const cardOf = (e) => {
      const state = syncState(e.signal, noticeFor(e.signal.id));
      const key = `${state}\u0001${me}\u0001${t.iso}`;
      if (e.card && e.cardKey === key) return e.card;
      e.card = signalCard(e.signal, { catName, me, todayIso: t.iso, year: t.year, state, onOpen });
      e.cardKey = key;
      return e.card;
    };
    const items = shown.slice(0, limit).map(cardOf);
    if (shown.length > limit) {
      // Never stop silently: say how many there are, and offer the next page.
      items.push(h('li', { class: 'signal-item signal-item--more' },
        h('p', {}, `De nieuwste ${nl(limit)} van ${signalen(shown.length)}.`),
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
          onclick() {
            // The focus (and the screen) go to the first card of the next page: the button itself is redrawn away.
            const next = limit;
            limit += PAGE;
            draw();
            const first = list.querySelectorAll('.signal-item__open')[next];
            first?.focus({ preventScroll: true });
            first?.scrollIntoView?.({ block: 'start', behavior: 'instant' }); // not a smooth ride from the top
          } }, 'Meer tonen')));
    }
    const local = noticeOf.size || server ? new Set(signals.map((s) => s.id)) : null;
    const gone = noticeOf.size && total == null ? [...noticeOf.values()].filter((n) => !local.has(n.signal_id) && n.kind !== 'conflict') : [];
    const goneItems = gone.map((n) => h('li', { class: 'signal-item signal-item--gone' },
      h('div', { class: 'utrecht-alert conflict-notice' },
        h('p', {}, goneText(n)),
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle',
          async onclick() { await onDismiss?.(n.signal_id); } }, 'Begrepen'))));
    if (!shown.length && filtered) {
      count.replaceChildren(
        `Geen signalen gevonden voor ${describeFilters(filters, { kernName, catName })}. `,
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle link-button', onclick: clearFilters },
          'Filters wissen'));
    } else if (!shown.length) {
      count.replaceChildren();
    } else {
      const all = total ?? signals.length;
      count.replaceChildren(filtered ? `${nl(shown.length)} van ${signalen(all)}` : signalen(all),
        filtered ? ' · ' : '',
        filtered ? h('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle link-button',
          onclick: clearFilters }, 'Filters wissen') : '');
    }
    if (!items.length && !goneItems.length && !filtered) {
      list.replaceChildren(h('li', { class: 'signal-item' }, 'Nog geen signalen.'));
    } else {
      list.replaceChildren(...goneItems, ...items);
    }
    drawServer(local, shown.length, card);
    warmSoon();
  }

  /** The server's answer for the same filters: its total, and the signals this phone does not hold. */
  function drawServer(local, localCount, card) {
    const here = queryFromFilters(filters);
    if (!server || !local || server.query !== here || !anyFilter(filters)) {
      serverBox.hidden = true;
      serverBox.replaceChildren();
      return;
    }
    const extra = server.items.filter((s) => !local.has(s.id));
    if (server.total <= localCount && !extra.length) {
      serverBox.hidden = true;
      serverBox.replaceChildren();
      return;
    }
    serverBox.hidden = false;
    const more = server.total - server.items.length;
    serverBox.replaceChildren(
      h('h3', { class: 'utrecht-heading-3', id: 'server-results-title' }, `Op de server: ${signalen(server.total)}`),
      h('p', { class: 'utrecht-paragraph' }, extra.length
        ? `${signalen(extra.length)} daarvan ${extra.length === 1 ? 'staat' : 'staan'} niet op deze telefoon:`
        : 'Die staan ook op deze telefoon.'),
      extra.length ? h('ul', { class: 'signal-list' }, ...extra.map((s) => {
        const li = card(s);
        li.classList.add('signal-item--server');
        li.querySelector('.signal-item__state').textContent = 'Alleen op de server';
        return li;
      })) : null,
      more > 0 ? h('p', { class: 'utrecht-paragraph' }, `En nog ${signalen(more)}: maak je zoekopdracht preciezer.`) : null);
  }

  let asking = null; // the request in flight
  let timer = null;
  function askServer() {
    clearTimeout(timer);
    asking?.abort();
    asking = null;
    if (!searchServer || !anyFilter(filters) || globalThis.navigator?.onLine === false) {
      if (server) { server = null; serverBox.hidden = true; serverBox.replaceChildren(); }
      return;
    }
    const wanted = queryFromFilters(filters);
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (filters.q.trim()) params.set('q', filters.q.trim());
    if (filters.kern) params.set('area', filters.kern);
    if (filters.category) params.set('category', filters.category);
    if (filters.status) params.set('status', filters.status);
    const since = periodSince(filters.period);
    if (since) params.set('since', since);
    if (filters.mine) params.set('mine', 'true');
    if (filters.opvolgen) params.set('follow_up', 'due');
    // Typing: ask once the user pauses, and only for the latest words.
    timer = setTimeout(async () => {
      const ctrl = new AbortController();
      asking = ctrl;
      try {
        const page = await searchServer(params, { signal: ctrl.signal });
        if (ctrl.signal.aborted || queryFromFilters(filters) !== wanted) return;
        server = { query: wanted, items: Array.isArray(page?.items) ? page.items : [], total: Number(page?.total) || 0 };
        draw();
      } catch {
        // Offline or the server cannot answer: the phone's own results stand, without an error.
      } finally {
        if (asking === ctrl) asking = null;
      }
    }, 350);
  }

  /** The kernen to filter on: those of the signals, and those of the phone's cached areas. */
  function knownKernen(extra) {
    const byCode = new Map(kernen.map((k) => [k.code, k]));
    for (const k of extra ?? []) if (k?.code && !byCode.has(k.code)) byCode.set(k.code, { code: k.code, name: k.name ?? k.code });
    for (const s of signals) if (s.kern?.code && !byCode.has(s.kern.code)) byCode.set(s.kern.code, s.kern);
    return [...byCode.values()].sort((a, b) => String(a.name).localeCompare(String(b.name), 'nl'));
  }

  // Back and forward between two lists (/signalen?q=a → /signalen?q=b): show the filters of the URL.
  const onPop = () => {
    if (!container.isConnected) { globalThis.removeEventListener?.('popstate', onPop); return; }
    if (!onQuery && /^\/(signalen\/?)?$/.test(location.pathname)) api.setQuery(location.search);
  };
  globalThis.addEventListener?.('popstate', onPop);
  // A link to the list (the menu's "Signalen": /signalen without a query) shows the list without
  // filters: read the URL once the router has followed the link.
  const onLink = (e) => {
    if (!container.isConnected) { globalThis.document?.removeEventListener('click', onLink); return; }
    const a = e.target?.closest?.('a[href]');
    if (!a || onQuery || a.closest('.signal-list')) return;
    setTimeout(() => {
      if (/^\/(signalen\/?)?$/.test(location.pathname)) api.setQuery(location.search);
    }, 0);
  };
  globalThis.document?.addEventListener('click', onLink);
  container.addEventListener('click', () => { if (urlTimer) flushUrl(); }, true);

  // Team leads: the list as filtered, as a file (the server's export takes the same filters).
  const downloadsBox = h('div', { class: 'list-downloads', hidden: true });
  let roleKnown = false;
  function checkRole() {
    if (roleKnown || !loadRole) return;
    // Asked again after each update until the role is known (the first log-in stores it a moment later).
    Promise.resolve(loadRole()).then(async (role) => {
      if (!role || roleKnown) return;
      roleKnown = true;
      if (!EXPORT_ROLES.has(role)) return;
      // Not in the field app's first load (a regisseur never needs it).
      const [{ renderDownloads }, { listExportParams, listExportWords }] = await Promise.all([import('./downloads.js'), import('../exports.js')]);
      downloadsBox.replaceChildren(renderDownloads({
        params: () => listExportParams(filters),
        words: () => listExportWords(filters), // matched as the list does (also category and kern names)
        catName,
        describe: () => [filters.kern && kernName(filters.kern), filters.category && catName(filters.category),
          filters.status && statusName(filters.status), filters.period && PERIODS.find(([c]) => c === filters.period)?.[1],
          filters.mine && 'eigen', filters.opvolgen && 'opvolgen', filters.q.trim()].filter(Boolean),
        getToken,
        intro: 'De signalen met deze filters als bestand:',
        clearOn: [filterView.el, count], // the filters, and "Filters wissen" beside the count
      }));
      downloadsBox.hidden = false;
    }).catch(() => {});
  }
  checkRole();

  // The screen's heading (h1 "Signalen") is the shell's.
  container.replaceChildren(
    filterView.el, count, downloadsBox, list, serverBox);
  askServer();
  loadKernen?.().then((list) => {
    const next = knownKernen(list);
    if (next.length !== kernen.length) {
      kernen = next;
      filterView.setOptions({ kernen });
    }
  }).catch(() => {});
  const api = {
    update(data) {
      checkRole();
      signals = data.signals ?? [];
      // Only the newest page of `data.total` (the first draw at start): the count says how many there are.
      const nextTotal = data.total > signals.length ? data.total : null;
      let changed = nextTotal !== total;
      total = nextTotal;
      const notices = data.notices ?? [];
      const noticesKey = notices.length ? JSON.stringify(notices) : '';
      changed ||= noticesKey !== lastNotices;
      lastNotices = noticesKey;
      noticeOf = new Map(notices.map((n) => [n.signal_id, n]));
      if (data.categories && data.categories !== categories) {
        categories = data.categories;
        catNames = new Map(categories.map((c) => [c.code, c.name ?? c.code]));
        filterView.setOptions({ categories });
        changed = true;
      }
      if (data.me && data.me !== me) {
        me = data.me;
        changed = true;
      }
      sorted = index.update(signals, catName, categories.map((c) => `${c.code}=${c.name}`).join('|'));
      if (index.changed || data.kernen) {
        const nextKernen = knownKernen(data.kernen);
        if (nextKernen.length !== kernen.length) {
          kernen = nextKernen;
          filterView.setOptions({ kernen });
        }
      }
      // After every sync the same signals come again: draw only when something changed
      // (a new day too: "te laat" and the period depend on it).
      const day = today().iso;
      if (changed || index.changed || day !== drawnDay || !drawnOnce) {
        drawnDay = day;
        drawnOnce = true;
        draw();
      }
    },
    /** The URL query changed outside the list (back/forward, a link): show those filters. */
    setQuery(search) {
      const next = { ...EMPTY_FILTERS, ...filtersFromQuery(search) };
      if (queryFromFilters(next) === queryFromFilters(filters)) return;
      filters = next;
      filterView.set(filters);
      limit = PAGE;
      draw();
      askServer();
    },
    /** Focus the search box (the router may do so for /signalen?zoek). */
    focusSearch: () => filterView.focusSearch(),
    destroy() {
      clearTimeout(timer);
      clearTimeout(urlTimer);
      asking?.abort();
      globalThis.removeEventListener?.('popstate', onPop);
      globalThis.document?.removeEventListener('click', onLink);
    },
  };
  return api;
}
