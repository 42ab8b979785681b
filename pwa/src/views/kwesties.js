// Kwesties for team leads: the list (title, number of signals, first–last
// observation, status) and per kwestie its timeline: the signals in the order
// they were observed, with a count per week to see whether it calms down.
import { h } from '../dom.js';
import { dateRange, dayMonth, fullDate, local } from './dates.js';
import { hiddenNote, personalMark, signalWhat, signalWhere } from './labels.js';

const STATUS = { open: 'Open', gesloten: 'Gesloten' };
const DAY = 86_400_000;
/** Weeks without signals after the last one that the week table still shows (up to this week). */
const QUIET_WEEKS = 12;
const OFFLINE = 'De kwesties werken alleen met internet.';

const fromDayNo = (n) => {
  const d = new Date(n * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), dayNo: n };
};
const mondayOf = (n) => n - ((new Date(n * DAY).getUTCDay() + 6) % 7);
const plural = (n) => `${n} ${n === 1 ? 'signaal' : 'signalen'}`;

/** ISO 8601 week number of the week that holds day number n. */
function isoWeek(n) {
  const thursday = mondayOf(n) + 3;
  const jan1 = Date.UTC(new Date(thursday * DAY).getUTCFullYear(), 0, 1) / DAY;
  return 1 + Math.floor((thursday - jan1) / 7);
}

/** "3 signalen van 3 nov tot 17 nov" (years only when they differ from each other). */
export function summary(signals) {
  if (!signals.length) return 'Nog geen signalen in deze kwestie.';
  const a = local(signals[0].observed_at);
  const b = local(signals[signals.length - 1].observed_at);
  if (!a || !b) return `${plural(signals.length)}.`;
  const show = a.year === b.year ? dayMonth : fullDate;
  if (a.dayNo === b.dayNo) return `${plural(signals.length)} op ${show(a)}`;
  return `${plural(signals.length)} van ${show(a)} tot ${show(b)}`;
}

/**
 * Signals per week (Monday to Sunday, Amsterdam time) from the week of the first
 * signal up to this week, also the weeks without signals; at most QUIET_WEEKS
 * weeks after the last signal.
 * @returns {{monday: number, week: number, label: string, count: number}[]}
 */
export function weekCounts(signals, now = new Date()) {
  const days = signals.map((s) => local(s.observed_at)).filter(Boolean).map((d) => d.dayNo);
  if (!days.length) return [];
  const first = mondayOf(Math.min(...days));
  const last = mondayOf(Math.max(...days));
  const today = local(now);
  const end = today ? Math.min(Math.max(last, mondayOf(today.dayNo)), last + QUIET_WEEKS * 7) : last;
  const counts = new Map();
  for (const d of days) counts.set(mondayOf(d), (counts.get(mondayOf(d)) ?? 0) + 1);
  const weeks = [];
  for (let monday = first; monday <= end; monday += 7) {
    const [from, to] = [fromDayNo(monday), fromDayNo(monday + 6)];
    const week = isoWeek(monday);
    weeks.push({
      monday, week, count: counts.get(monday) ?? 0,
      label: `week ${week} (${from.year === to.year ? dayMonth(from) : fullDate(from)} – ${fullDate(to)})`,
    });
  }
  return weeks;
}

/** What to say when a request failed: offline, the server's words, or the fallback. */
function failure(e, fallback) {
  if (e?.status === 0 || globalThis.navigator?.onLine === false) return OFFLINE;
  return e?.detail || fallback;
}

/**
 * @param {HTMLElement} container
 * @param {{fetchKwesties: () => Promise<object[]>, fetchKwestie: (id: string) => Promise<object>,
 *          categories?: {code: string, name: string, subcategories?: {code: string, name: string}[]}[],
 *          now?: Date}} options
 */
export async function renderKwesties(container, { fetchKwesties, fetchKwestie, categories = [], now }) {
  const message = h('p', { class: 'utrecht-paragraph', 'aria-live': 'polite' });
  const list = h('ul', { class: 'kwestie-list' });
  const timeline = h('div', { class: 'kwestie-timeline', hidden: true });
  container.replaceChildren(message, list, timeline);

  const what = (s) => signalWhat(categories, s);

  let listMessage = '';
  /** Back from a timeline to the list, with the focus on the button that opened it. */
  function showList(opener) {
    timeline.hidden = true;
    timeline.replaceChildren();
    list.hidden = false;
    message.textContent = listMessage;
    opener?.focus();
  }

  async function open(k, button) {
    button.disabled = true;
    message.textContent = 'Tijdlijn wordt geladen…';
    let detail;
    try {
      detail = await fetchKwestie(k.id);
    } catch (e) {
      message.textContent = failure(e, 'De tijdlijn kon niet worden geladen. Probeer het opnieuw.');
      return;
    } finally {
      button.disabled = false;
    }
    const signals = [...(detail.timeline ?? [])]
      .sort((a, b) => new Date(a.observed_at) - new Date(b.observed_at));
    const weeks = weekCounts(signals, now);
    timeline.replaceChildren(...[
      h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action kwestie-back',
        onclick: () => showList(button) }, 'Terug naar kwesties'),
      h('h3', { class: 'utrecht-heading-3', tabindex: '-1' }, `Tijdlijn: ${detail.title ?? k.title}`),
      h('p', { class: 'utrecht-paragraph kwestie-summary' }, summary(signals)),
      hiddenNote(detail.hidden_signals),
      detail.description ? h('p', { class: 'utrecht-paragraph' }, detail.description) : null,
      weeks.length ? h('table', { class: 'utrecht-table stats-table kwestie-weeks' },
        h('caption', {}, 'Signalen per week (ook weken zonder signalen)'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Week'), h('th', { scope: 'col' }, 'Signalen'))),
        h('tbody', {}, weeks.map((w) => h('tr', {},
          h('th', { scope: 'row' }, w.label), h('td', {}, String(w.count)))))) : null,
      signals.length ? h('h4', { class: 'utrecht-heading-4' }, 'Signalen op volgorde van waarneming') : null,
      signals.length ? h('ol', { class: 'kwestie-signals' }, signals.map((s) => {
        const at = local(s.observed_at);
        return h('li', { class: 'kwestie-signal' },
          h('p', { class: 'kwestie-signal__when' },
            h('time', { datetime: s.observed_at }, at ? `${fullDate(at)}, ${at.time}` : 'onbekend')),
          h('p', { class: 'kwestie-signal__what' }, what(s)),
          h('p', { class: 'kwestie-signal__meta' }, `${signalWhere(s)} · urgentie ${s.urgency}`),
          s.contains_personal_data ? h('p', { class: 'kwestie-signal__mark' }, personalMark(s)) : null,
          h('p', { class: 'kwestie-signal__text' }, s.description));
      })) : null,
    ].filter(Boolean)); // replaceChildren would write null as text
    list.hidden = true;
    timeline.hidden = false;
    message.textContent = '';
    timeline.querySelector('h3').focus();
  }

  message.textContent = 'Kwesties worden geladen…';
  let kwesties;
  try {
    kwesties = await fetchKwesties();
  } catch (e) {
    message.textContent = failure(e, OFFLINE);
    return;
  }
  listMessage = kwesties.length ? `${kwesties.length} ${kwesties.length === 1 ? 'kwestie' : 'kwesties'}.` : 'Nog geen kwesties.';
  message.textContent = listMessage;
  list.replaceChildren(...kwesties.map((k) => {
    const titleId = `kwestie-${k.id}`;
    const range = dateRange(k.first_observed, k.last_observed);
    const button = h('button', {
      type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
      'aria-describedby': titleId, onclick: () => open(k, button),
    }, 'Bekijk tijdlijn');
    return h('li', { class: 'kwestie-item' },
      h('h3', { class: 'utrecht-heading-3', id: titleId }, k.title),
      h('p', { class: 'kwestie-item__meta' },
        `${plural(k.signal_count)}${range ? `, ${range}` : ''} · Status: ${STATUS[k.status] ?? k.status}`),
      hiddenNote(k.hidden_signals),
      button);
  }));
}
