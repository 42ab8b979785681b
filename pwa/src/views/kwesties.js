// Kwesties: the list (title, number of signals, first–last observation, status)
// and per kwestie its own screen (/kwesties/<id>): the timeline of its signals in
// the order they were observed with a count per week, its updates and outcome.
// With the write callbacks the user can make one by hand, rename it, add and
// remove signals, write an update, close it with an outcome and reopen it.
// Online only: the kwesties live on the server.
import { h } from '../dom.js';
import { dateRange, dateTime, dayMonth, fullDate, local } from './dates.js';
import { hiddenNote, personalMark, signalWhat, signalWhere } from './labels.js';
import { normalise, queryWords } from '../store/search.js';

const STATUS = { open: 'Open', gesloten: 'Gesloten' };
const DAY = 86_400_000;
/** Weeks without signals after the last one that the week table still shows (up to this week). */
const QUIET_WEEKS = 12;
/** Signals the picker lists at once; typing narrows them down. */
const PICK_LIMIT = 50;
export const OFFLINE = 'De kwesties werken alleen met internet.';

const fromDayNo = (n) => {
  const d = new Date(n * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), dayNo: n };
};
const mondayOf = (n) => n - ((new Date(n * DAY).getUTCDay() + 6) % 7);
const plural = (n) => `${n} ${n === 1 ? 'signaal' : 'signalen'}`;

let uid = 0;
const nextId = (prefix) => `${prefix}-${(uid += 1)}`;

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

/** Signals a user may put in a kwestie: known to the server and not closed, newest first. */
export function choosable(signals, exclude = new Set()) {
  return (signals || [])
    .filter((s) => s && s.version != null && s.status !== 'afgesloten' && !exclude.has(s.id))
    .sort((a, b) => String(b.observed_at).localeCompare(String(a.observed_at)));
}

/**
 * A text box and a checkbox list of signals: what the user ticks stays ticked
 * (and listed) while the text narrows the rest down.
 * @returns {{el: HTMLElement, chosen: () => string[]}}
 */
function signalPicker(signals, categories, { legend = 'Signalen' } = {}) {
  const id = nextId('kies');
  const chosen = new Set();
  const filter = h('input', { id: `${id}-filter`, type: 'search', class: 'utrecht-textbox', autocomplete: 'off' });
  const count = h('p', { class: 'picker__count', 'aria-live': 'polite' });
  const list = h('ul', { class: 'picker__list' });
  // Folded once: typing searches thousands of signals on a slow phone.
  const texts = new Map(signals.map((s) => [s.id, normalise(`${signalWhat(categories, s)} ${signalWhere(s)} ${s.description}`)]));
  const text = (s) => texts.get(s.id);

  function draw() {
    const words = queryWords(filter.value);
    const matches = signals.filter((s) => chosen.has(s.id) || words.every((w) => text(s).includes(w)));
    const shown = matches.slice(0, PICK_LIMIT);
    list.replaceChildren(...shown.map((s) => {
      const box = h('input', { type: 'checkbox', id: `${id}-${s.id}`, value: s.id, checked: chosen.has(s.id),
        onchange: () => { if (box.checked) chosen.add(s.id); else chosen.delete(s.id); } });
      const at = local(s.observed_at);
      return h('li', { class: 'picker__item' }, box,
        h('label', { for: box.id },
          h('span', { class: 'picker__what' }, `${signalWhat(categories, s)}, ${signalWhere(s)}`),
          h('span', { class: 'picker__when' }, at ? fullDate(at) : ''),
          h('span', { class: 'picker__text' }, String(s.description ?? '').slice(0, 120))));
    }));
    if (!signals.length) count.textContent = 'Er staan geen open signalen op dit apparaat om te kiezen.';
    else if (!matches.length) count.textContent = 'Geen signalen gevonden met deze woorden.';
    else if (matches.length > shown.length) count.textContent = `${shown.length} van ${matches.length} signalen; typ om verder te zoeken.`;
    else count.textContent = `${matches.length} ${matches.length === 1 ? 'signaal' : 'signalen'}.`;
  }
  filter.addEventListener('input', draw);
  draw();
  const el = h('fieldset', { class: 'picker' },
    h('legend', {}, legend),
    h('div', { class: 'utrecht-form-field' },
      h('label', { class: 'utrecht-form-label', for: filter.id }, 'Zoek in je signalen'), filter),
    count, list);
  return { el, chosen: () => [...chosen] };
}

function field(label, control, hint) {
  const hintId = hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'utrecht-form-field' },
    h('label', { class: 'utrecht-form-label', for: control.id }, label),
    hint ? h('p', { class: 'utrecht-form-field-description', id: hintId }, hint) : null,
    control);
}

const textbox = (id, value = '', max = 200) =>
  h('input', { id, type: 'text', class: 'utrecht-textbox', value, maxlength: max, autocomplete: 'off' });
const textarea = (id, value = '', max = 4000) => {
  const el = h('textarea', { id, class: 'utrecht-textarea utrecht-textbox', rows: 3, maxlength: max });
  el.value = value;
  return el;
};

/**
 * A small form: its own error line; `submit` returns a promise; while it runs
 * the button is disabled. A failure keeps what the user typed.
 */
function form(className, children, buttonText, submit) {
  const error = h('p', { class: 'form-error', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'utrecht-button utrecht-button--primary-action' }, buttonText);
  const el = h('form', { class: `kwestie-form ${className}`, novalidate: true }, ...children, error, button);
  // A message about what was missing goes once the user fixes it.
  el.addEventListener('input', () => { error.textContent = ''; });
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      await submit((text, focus) => { error.textContent = text; focus?.focus(); });
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/**
 * @param {HTMLElement} container
 * @param {{fetchKwesties: () => Promise<object[]>, fetchKwestie: (id: string) => Promise<object>,
 *          categories?: {code: string, name: string, subcategories?: {code: string, name: string}[]}[],
 *          now?: Date, id?: string|null, navigate?: ((path: string) => void)|null,
 *          createKwestie?: (body: object) => Promise<object>,
 *          updateKwestie?: (id: string, body: object) => Promise<object>,
 *          addSignals?: (id: string, signalIds: string[]) => Promise<object>,
 *          removeSignal?: (id: string, signalId: string) => Promise<any>,
 *          addUpdate?: (id: string, text: string) => Promise<any>,
 *          listSignals?: () => Promise<object[]>,
 *          mountHandoff?: (el: HTMLElement, kwestie: object) => any}} options
 *   `id`: open this kwestie at once (its URL); `navigate`: the app's router (without it the
 *   view switches between list and kwestie itself); without the write callbacks it only reads.
 */
export async function renderKwesties(container, {
  fetchKwesties, fetchKwestie, categories = [], now, id = null, navigate = null,
  createKwestie, updateKwestie, addSignals, removeSignal, addUpdate, listSignals = async () => [],
  mountHandoff = null,
}) {
  const message = h('p', { class: 'utrecht-paragraph kwesties-message', 'aria-live': 'polite' });
  const listView = h('div', { class: 'kwesties-list' });
  const list = h('ul', { class: 'kwestie-list' });
  const timeline = h('div', { class: 'kwestie-timeline', hidden: true });
  const newBox = h('div', { class: 'kwestie-new', hidden: true });
  const newButton = createKwestie ? h('button', {
    type: 'button', class: 'utrecht-button utrecht-button--primary-action kwestie-new-button',
    onclick: () => showNewForm(),
  }, 'Nieuwe kwestie') : null;
  listView.append(...[newButton, newBox, list].filter(Boolean));
  container.replaceChildren(message, listView, timeline);
  // "Update toegevoegd." and the like are about the last step: they go once the user types or
  // chooses something for the next one (e.g. the outcome when closing).
  timeline.addEventListener('input', () => {
    for (const done of timeline.querySelectorAll('.kwestie-done')) done.textContent = '';
  });

  const what = (s) => signalWhat(categories, s);
  const href = (kid) => `/kwesties/${encodeURIComponent(kid)}`;

  let listMessage = '';
  let opener = null; // the link that opened the kwestie on screen
  let shown = null; // the id of that kwestie
  let changed = false; // something changed since the list was fetched
  /** Back from a kwestie to the list, with the focus on the link that opened it. */
  async function showList() {
    if (navigate) { navigate('/kwesties'); return; }
    timeline.hidden = true;
    timeline.replaceChildren();
    listView.hidden = false;
    if (changed || !opener?.isConnected) {
      changed = false;
      await loadList();
      opener = [...list.querySelectorAll('a')].find((a) => a.getAttribute('href') === href(shown)) ?? null;
    }
    message.textContent = listMessage;
    opener?.focus();
  }

  function go(kid, from) {
    if (navigate) navigate(href(kid));
    else { opener = from; open(kid); }
  }

  // --- a new kwestie ---------------------------------------------------------------------
  async function showNewForm() {
    newButton.hidden = true;
    newBox.hidden = false;
    newBox.replaceChildren(h('p', {}, 'Je signalen worden geladen…'));
    const signals = choosable(await listSignals().catch(() => []));
    const title = textbox(nextId('kwestie-titel'));
    const description = textarea(nextId('kwestie-beschrijving'));
    const picker = signalPicker(signals, categories, { legend: 'Signalen in deze kwestie' });
    const cancel = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
      onclick: () => { newBox.hidden = true; newBox.replaceChildren(); newButton.hidden = false; newButton.focus(); } }, 'Annuleren');
    const heading = h('h2', { class: 'utrecht-heading-2', tabindex: '-1' }, 'Nieuwe kwestie');
    newBox.replaceChildren(heading, form('kwestie-form--new', [
      field('Titel', title),
      field('Beschrijving', description, 'Wat speelt er, en wat weet je al? (mag leeg blijven)'),
      picker.el,
    ], 'Kwestie maken', async (fail) => {
      const ids = picker.chosen();
      if (!title.value.trim()) return fail('Geef de kwestie een titel.', title);
      if (!ids.length) return fail('Kies minstens één signaal voor de kwestie.', picker.el.querySelector('input'));
      let made;
      try {
        made = await createKwestie({ title: title.value.trim(), description: description.value.trim(), signal_ids: ids });
      } catch (e) {
        return fail(failure(e, 'De kwestie kon niet worden gemaakt. Probeer het opnieuw.'));
      }
      newBox.hidden = true;
      newBox.replaceChildren();
      newButton.hidden = false;
      changed = true;
      go(made.id, newButton);
    }), cancel);
    heading.focus();
  }

  // --- one kwestie -----------------------------------------------------------------------
  /** Fetch a kwestie and show it; false (with the reason on screen) when that failed. */
  async function open(kid, flash) {
    shown = kid;
    message.textContent = 'Kwestie wordt geladen…';
    let detail;
    try {
      detail = await fetchKwestie(kid);
    } catch (e) {
      message.textContent = failure(e, 'De kwestie kon niet worden geladen. Probeer het opnieuw.');
      return false;
    }
    message.textContent = '';
    showDetail(detail, flash);
    return true;
  }

  /** Run a change, then show the kwestie afresh with `done` said in `section`. */
  async function change(detail, run, done, section, fail, fallback) {
    try {
      await run();
    } catch (e) {
      fail(failure(e, fallback));
      return;
    }
    changed = true;
    await open(detail.id, { section, text: done });
  }

  function showDetail(detail, flash) {
    const signals = [...(detail.timeline ?? [])]
      .sort((a, b) => new Date(a.observed_at) - new Date(b.observed_at));
    const weeks = weekCounts(signals, now);
    const isOpen = detail.status !== 'gesloten';
    const editable = isOpen && updateKwestie;
    const closedAt = local(detail.closed_at);
    const notes = {}; // per section: where a change says it is done
    const note = (section) => (notes[section] = h('p', { class: `kwestie-done kwestie-done--${section}`, 'aria-live': 'polite' }));
    const heading = h('h2', { class: 'utrecht-heading-2 kwestie-title', tabindex: '-1' }, detail.title);
    const back = h('a', { href: '/kwesties', class: 'utrecht-link back-link kwestie-back',
      onclick: (event) => { event.preventDefault(); showList(); } }, 'Terug naar kwesties');

    // Rename: title and description.
    const renameBox = editable ? (() => {
      const title = textbox(nextId('kwestie-titel'), detail.title);
      const description = textarea(nextId('kwestie-beschrijving'), detail.description ?? '');
      return h('details', { class: 'kwestie-action' }, h('summary', {}, 'Naam en beschrijving wijzigen'),
        form('kwestie-form--rename', [field('Titel', title), field('Beschrijving', description)], 'Opslaan', (fail) => {
          if (!title.value.trim()) return fail('Geef de kwestie een titel.', title);
          return change(detail, () => updateKwestie(detail.id, { title: title.value.trim(), description: description.value.trim() }),
            'Naam en beschrijving opgeslagen.', 'top', fail, 'De wijziging kon niet worden opgeslagen. Probeer het opnieuw.');
        }));
    })() : null;

    // Close with an outcome, or reopen.
    let statusBox = null;
    if (updateKwestie && isOpen) {
      const outcome = textarea(nextId('kwestie-uitkomst'), '', 2000);
      statusBox = h('details', { class: 'kwestie-action' }, h('summary', {}, 'Kwestie sluiten'),
        form('kwestie-form--close', [field('Uitkomst', outcome, 'Wat is er bereikt of besloten? Nodig om te sluiten.')],
          'Kwestie sluiten', (fail) => {
            if (!outcome.value.trim()) return fail('Schrijf kort de uitkomst op; zonder uitkomst kan de kwestie niet dicht.', outcome);
            return change(detail, () => updateKwestie(detail.id, { status: 'gesloten', outcome: outcome.value.trim() }),
              'Kwestie gesloten.', 'top', fail, 'De kwestie kon niet worden gesloten. Probeer het opnieuw.');
          }));
    } else if (updateKwestie) {
      statusBox = form('kwestie-form--reopen', [], 'Kwestie heropenen', (fail) =>
        change(detail, () => updateKwestie(detail.id, { status: 'open' }),
          'Kwestie heropend.', 'top', fail, 'De kwestie kon niet worden heropend. Probeer het opnieuw.'));
    }

    // Updates: newest first, and a box to write one.
    const updates = [...(detail.updates ?? [])].sort((a, b) => new Date(b.at) - new Date(a.at));
    const updatesHeading = h('h3', { class: 'utrecht-heading-3', tabindex: '-1' }, 'Updates');
    const updateText = textarea(nextId('kwestie-update'), '', 2000);
    const updatesSection = h('section', { class: 'kwestie-updates', 'aria-label': 'Updates' },
      updatesHeading, note('updates'),
      updates.length ? h('ol', { class: 'kwestie-update-list' }, updates.map((u) => h('li', {},
        h('p', { class: 'kwestie-update__meta' },
          h('time', { datetime: u.at }, dateTime(u.at) ?? ''), u.by ? ` · ${u.by}` : ''),
        h('p', { class: 'kwestie-update__text' }, u.text))))
        : h('p', { class: 'utrecht-paragraph' }, 'Nog geen updates.'),
      addUpdate ? form('kwestie-form--update', [field('Update', updateText, 'Kort: wat is er gebeurd of afgesproken?')],
        'Update toevoegen', (fail) => {
          if (!updateText.value.trim()) return fail('Schrijf eerst de update.', updateText);
          return change(detail, () => addUpdate(detail.id, updateText.value.trim()),
            'Update toegevoegd.', 'updates', fail, 'De update kon niet worden opgeslagen. Probeer het opnieuw.');
        }) : null);

    // Add signals from the phone's own (not already in this kwestie).
    let addBox = null;
    if (isOpen && addSignals) {
      addBox = h('details', { class: 'kwestie-action' }, h('summary', {}, 'Signalen toevoegen'));
      addBox.addEventListener('toggle', async () => {
        if (!addBox.open || addBox.dataset.ready) return;
        addBox.dataset.ready = 'yes';
        const loading = h('p', {}, 'Je signalen worden geladen…');
        addBox.append(loading);
        const picker = signalPicker(choosable(await listSignals().catch(() => []), new Set(signals.map((s) => s.id))),
          categories, { legend: 'Kies signalen om toe te voegen' });
        loading.replaceWith(form('kwestie-form--add', [picker.el], 'Toevoegen', (fail) => {
          const ids = picker.chosen();
          if (!ids.length) return fail('Kies minstens één signaal.', picker.el.querySelector('input'));
          return change(detail, () => addSignals(detail.id, ids),
            `${plural(ids.length)} toegevoegd.`, 'signals', fail, 'De signalen konden niet worden toegevoegd. Probeer het opnieuw.');
        }));
      });
    }

    // "Doorzetten naar zaaksysteem" and the zaak afterwards (views/handoff.js, given by the app).
    const zaakBox = mountHandoff ? h('div', { class: 'kwestie-zaak', hidden: true }) : null;
    if (zaakBox) Promise.resolve(mountHandoff(zaakBox, detail)).catch(() => {});

    const signalsHeading = h('h3', { class: 'utrecht-heading-3', tabindex: '-1' }, 'Signalen op volgorde van waarneming');
    const signalItems = signals.map((s) => {
      const at = local(s.observed_at);
      const whatId = nextId('kwestie-signaal');
      const textId = `${whatId}-tekst`;
      const remove = isOpen && removeSignal ? h('button', {
        type: 'button', class: 'utrecht-button utrecht-button--secondary-action kwestie-signal__remove',
        'aria-describedby': `${whatId} ${textId}`,
        async onclick() {
          remove.disabled = true;
          await change(detail, () => removeSignal(detail.id, s.id), 'Signaal uit de kwestie gehaald.', 'signals',
            (text) => { remove.disabled = false; notes.signals.textContent = text; },
            'Het signaal kon niet uit de kwestie worden gehaald. Probeer het opnieuw.');
        },
      }, 'Uit kwestie halen') : null;
      return h('li', { class: 'kwestie-signal' },
        h('p', { class: 'kwestie-signal__when' },
          h('time', { datetime: s.observed_at }, at ? `${fullDate(at)}, ${at.time}` : 'onbekend')),
        // The signal's own screen (everything it has, its history): its "Terug" comes back here.
        h('p', { class: 'kwestie-signal__what', id: whatId },
          h('a', { href: `/signalen/${encodeURIComponent(s.id)}`, class: 'utrecht-link' }, what(s))),
        h('p', { class: 'kwestie-signal__meta' }, `${signalWhere(s)} · urgentie ${s.urgency}`),
        s.contains_personal_data ? h('p', { class: 'kwestie-signal__mark' }, personalMark(s)) : null,
        h('p', { class: 'kwestie-signal__text', id: textId }, s.description),
        remove);
    });

    timeline.replaceChildren(...[
      back,
      heading,
      note('top'),
      h('p', { class: 'utrecht-paragraph kwestie-status' },
        `Status: ${STATUS[detail.status] ?? detail.status}${!isOpen && closedAt ? ` sinds ${fullDate(closedAt)}` : ''}`),
      !isOpen && detail.outcome ? h('p', { class: 'utrecht-paragraph kwestie-outcome' },
        h('strong', {}, 'Uitkomst: '), detail.outcome) : null,
      detail.description ? h('p', { class: 'utrecht-paragraph kwestie-description' }, detail.description) : null,
      h('p', { class: 'utrecht-paragraph kwestie-summary' }, summary(signals)),
      hiddenNote(detail.hidden_signals),
      zaakBox,
      renameBox, statusBox,
      updatesSection,
      weeks.length ? h('table', { class: 'utrecht-table stats-table kwestie-weeks' },
        h('caption', {}, 'Signalen per week (ook weken zonder signalen)'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Week'), h('th', { scope: 'col' }, 'Signalen'))),
        h('tbody', {}, weeks.map((w) => h('tr', {},
          h('th', { scope: 'row' }, w.label), h('td', {}, String(w.count)))))) : null,
      signals.length || addBox ? signalsHeading : null,
      signals.length || addBox ? note('signals') : null,
      addBox,
      signals.length ? h('ol', { class: 'kwestie-signals' }, signalItems) : null,
    ].filter(Boolean)); // replaceChildren would write null as text
    listView.hidden = true;
    timeline.hidden = false;
    const target = { updates: updatesHeading, signals: signalsHeading }[flash?.section] ?? heading;
    target.focus();
    // Said after the region is on the page, so screen readers announce it.
    if (flash) queueMicrotask(() => { (notes[flash.section] ?? notes.top).textContent = flash.text; });
  }

  // --- the list -------------------------------------------------------------------------
  async function loadList() {
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
      const range = dateRange(k.first_observed, k.last_observed);
      const link = h('a', { href: href(k.id), class: 'utrecht-link kwestie-item__link',
        onclick: (event) => { event.preventDefault(); go(k.id, link); } }, k.title);
      return h('li', { class: 'kwestie-item' },
        h('h2', { class: 'utrecht-heading-2' }, link),
        h('p', { class: 'kwestie-item__meta' },
          `${plural(k.signal_count)}${range ? `, ${range}` : ''} · Status: ${STATUS[k.status] ?? k.status}`),
        hiddenNote(k.hidden_signals));
    }));
  }

  if (id != null) {
    listView.hidden = true;
    if (!(await open(id))) {
      timeline.hidden = false;
      timeline.replaceChildren(h('a', { href: '/kwesties', class: 'utrecht-link back-link kwestie-back',
        onclick: (event) => { event.preventDefault(); showList(); } }, 'Terug naar kwesties'));
    }
    return;
  }
  await loadList();
}
