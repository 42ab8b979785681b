// Finding signals on the phone: search words and filters over the local copy,
// without the server. Case and accents do not matter ("cafe" finds "Café"),
// every word typed must begin a word of the description, category or kern.
//
// Searching 5,000 signals must stay well under 100 ms on a slow phone, so each
// signal's normalised text, time and day are computed once and kept per signal
// version (createSearchIndex); a search is then one `includes` per word.
import { local } from '../views/dates.js';

const MARKS = /\p{M}+/gu;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** "Café  Ünïcode" → "cafe unicode": lower case, accents off, only letters and digits, words split by one space. */
export function normalise(text) {
  return String(text ?? '').normalize('NFD').replace(MARKS, '').toLowerCase().replace(NON_WORD, ' ').trim();
}

/** The words of a query, normalised; empty for an empty query. */
export function queryWords(q) {
  const n = normalise(q);
  return n ? n.split(' ') : [];
}

/** Whether every query word begins a word of `text` (normalised, as made by the index). */
export function matchesWords(text, words) {
  for (const w of words) if (!text.includes(` ${w}`)) return false;
  return true;
}

const DAY = 86_400_000;

/** Today in Amsterdam as "YYYY-MM-DD" and as a day number (days since 1970-01-01). */
export function today(now = Date.now()) {
  const d = local(now);
  const pad = (n) => String(n).padStart(2, '0');
  return { iso: `${d.year}-${pad(d.month)}-${pad(d.day)}`, dayNo: d.dayNo, year: d.year, month: d.month, day: d.day };
}

/** The first day (day number, inclusive) of a period: 'week' (since Monday), 'maand', '3maanden'; null for all. */
export function periodStart(period, now = Date.now()) {
  const t = today(now);
  if (period === 'week') return t.dayNo - ((((t.dayNo + 4) % 7) + 6) % 7); // day 0 (1 Jan 1970) was a Thursday
  if (period === 'maand') return Date.UTC(t.year, t.month - 1, 1) / DAY;
  if (period === '3maanden') {
    // The same day three months ago (or that month's last day: 31 May → 28/29 Feb).
    const first = new Date(Date.UTC(t.year, t.month - 4, 1));
    const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
    return Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(t.day, last)) / DAY;
  }
  return null;
}

/** The period's first day as "YYYY-MM-DD" (for the server's `since`); null for all. */
export function periodSince(period, now = Date.now()) {
  const start = periodStart(period, now);
  return start == null ? null : new Date(start * DAY).toISOString().slice(0, 10);
}

/** Whether a signal's follow-up date has come (today or before) while it is still open. */
export function followUpDue(s, todayIso) {
  return Boolean(s.follow_up_date) && s.follow_up_date <= todayIso && s.status !== 'afgesloten';
}

/** Last Sunday of a month (0-based) of a year, 01:00 UTC: when EU summer time starts or ends. */
function lastSunday(year, month) {
  const last = new Date(Date.UTC(year, month + 1, 0, 1));
  return last.getTime() - last.getUTCDay() * DAY;
}

/**
 * The Amsterdam day number of a time (as dates.js local().dayNo), without Intl:
 * Intl per signal is too slow for 5,000 signals on a slow phone. CET, and CEST from
 * the last Sunday of March to the last Sunday of October, 01:00 UTC (the EU rule).
 */
export function amsterdamDay(when) {
  const year = new Date(when).getUTCFullYear();
  const summer = when >= lastSunday(year, 2) && when < lastSunday(year, 9);
  return Math.floor((when + (summer ? 2 : 1) * 3_600_000) / DAY);
}

/**
 * A search index over the local signals, rebuilt only for signals that changed.
 * `update(signals, catName, namesKey)` takes the current list (new objects after every
 * read from IndexedDB) and returns them newest observation first, each entry
 * {signal, text, time, dayNo}. A signal with the same version, sync state and
 * searchable fields as before keeps its entry; the sort runs only when something
 * changed (`changed` tells whether the last update changed anything).
 * `text` (normalised description, category and kern) is made when first needed,
 * or ahead of time by `warm()` while the phone is idle.
 */
export function createSearchIndex() {
  let entries = new Map(); // id -> entry
  let sorted = [];
  let names = null; // the category names the texts were built with
  let nameOf = (c) => c ?? '';
  let cold = 0; // entries without their text yet

  const same = (e, s) => e.signal.version === s.version && e.signal._pending === s._pending
    && e.signal.updated_at === s.updated_at && e.signal.observed_at === s.observed_at
    && e.signal.description === s.description && e.signal.category === s.category
    && e.signal.kern?.name === s.kern?.name && e.signal.status === s.status
    && e.signal.follow_up_date === s.follow_up_date && e.signal.assignee === s.assignee
    && e.signal.created_by === s.created_by && e.signal.contains_personal_data === s.contains_personal_data;

  function entryOf(s) {
    const when = Date.parse(s.observed_at);
    cold += 1;
    return { signal: s, text: null, time: Number.isNaN(when) ? -Infinity : when,
      dayNo: Number.isNaN(when) ? null : amsterdamDay(when) };
  }

  function textOf(e) {
    if (e.text == null) {
      const s = e.signal;
      e.text = ` ${normalise(`${s.description ?? ''} ${nameOf(s.category) ?? ''} ${s.kern?.name ?? ''}`)}`;
      cold -= 1;
    }
    return e.text;
  }

  const index = {
    changed: true,
    update(signals, catName = (c) => c ?? '', namesKey = '') {
      nameOf = catName;
      let changed = false;
      if (names !== namesKey) {
        entries = new Map();
        names = namesKey;
        changed = true; // the texts name the categories: all made anew
      }
      // The usual case after a sync: the same signals again. Check without building anything.
      changed ||= signals.length !== entries.size;
      if (!changed) {
        for (const s of signals) {
          const old = entries.get(s.id);
          if (!old || !same(old, s)) { changed = true; break; }
        }
      }
      if (!changed) {
        for (const s of signals) entries.get(s.id).signal = s; // the fresh objects, same content
        index.changed = false;
        return sorted;
      }
      const next = new Map();
      for (const s of signals) {
        const old = entries.get(s.id);
        if (old && same(old, s)) {
          old.signal = s;
          next.set(s.id, old);
        } else {
          next.set(s.id, entryOf(s));
        }
      }
      cold = 0;
      for (const e of next.values()) if (e.text == null) cold += 1;
      entries = next;
      sorted = [...entries.values()].sort((x, y) => y.time - x.time);
      index.changed = true;
      return sorted;
    },
    textOf,
    /** Make the missing texts, at most `budgetMs` at a time; true when all are made. */
    warm(budgetMs = 8) {
      if (!cold) return true;
      const until = performance.now() + budgetMs;
      for (const e of sorted) {
        if (e.text == null) {
          textOf(e);
          if (!cold) return true;
          if (performance.now() > until) return false;
        }
      }
      return !cold;
    },
    get size() {
      return entries.size;
    },
  };
  return index;
}

/**
 * The entries (newest first, from the index) that match the filters:
 * {q, kern, category, status, period, mine, opvolgen} with `me` the username
 * and `now` for the period and follow-up. Signals not yet sent count as mine.
 * `textOf(entry)`: the entry's normalised text (the index's textOf, which makes it when missing).
 */
export function filterEntries(sorted, filters, { me = '', now = Date.now(), textOf = (e) => e.text } = {}) {
  const words = queryWords(filters.q);
  const start = periodStart(filters.period, now);
  const todayIso = filters.opvolgen ? today(now).iso : null;
  const out = [];
  for (const e of sorted) {
    const s = e.signal;
    if (filters.kern && s.kern?.code !== filters.kern) continue;
    if (filters.category && s.category !== filters.category) continue;
    if (filters.status && s.status !== filters.status) continue;
    if (start != null && (e.dayNo == null || e.dayNo < start)) continue;
    if (filters.mine && !(s.created_by === me || s.version == null)) continue;
    if (todayIso && !followUpDue(s, todayIso)) continue;
    if (words.length && !matchesWords(textOf(e), words)) continue;
    out.push(e);
  }
  return out;
}
