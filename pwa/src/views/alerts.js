// Early-warning alerts for team leads and the area's director: what fired and why,
// the evidence (the method in plain Dutch, observed against expected, the period,
// and on request the signals themselves, in a list and on a small map), with
// "Bekeken", "Maak kwestie" and "Afwijzen" (with a reason) for team leads.
import { h } from '../dom.js';
import { dateRange, dateTime } from './dates.js';
import { hiddenNote, personalMark, signalWhat, signalWhere } from './labels.js';

const STATUS = { nieuw: 'Nieuw', bekeken: 'Bekeken', kwestie: 'Kwestie gemaakt', afgewezen: 'Afgewezen' };
const METHODS = {
  basislijn: 'Telling tegen de basislijn',
  scan: 'Ruimte-tijdcluster',
  regel: 'Regel: signalen dicht bij elkaar',
};
const ONE_DECIMAL = new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const OFFLINE = 'De signalen van een waarschuwing zijn alleen met internet te zien.';
const MAP_LABEL = 'Kaart met de signalen van deze waarschuwing; de lijst hieronder noemt dezelfde signalen';

let counter = 0; // unique element ids, also when the list is drawn again

/** "Telling tegen de basislijn · Waargenomen 5, verwacht 0,8 · Periode 3 nov – 17 nov 2026" */
export function evidence(alert) {
  const parts = [METHODS[alert.method] ?? alert.method];
  if (typeof alert.expected === 'number' && Number.isFinite(alert.expected)) {
    parts.push(`Waargenomen ${alert.observed}, verwacht ${ONE_DECIMAL.format(alert.expected)}`);
  }
  const period = dateRange(alert.window_start, alert.window_end);
  if (period) parts.push(`Periode ${period}`);
  return parts.join(' · ');
}

/** What to say when the signals of an alert could not be fetched. */
function failure(e) {
  if (e?.status === 0 || globalThis.navigator?.onLine === false) return OFFLINE;
  return e?.detail || 'De signalen konden niet worden geladen. Probeer het opnieuw.';
}

/**
 * @param {HTMLElement} container
 * @param {{fetchAlerts: () => Promise<object[]>,
 *          fetchAlert?: (id: string) => Promise<object>,
 *          acknowledge?: (id: string, body: {status: 'bekeken'|'afgewezen', reason?: string}) => Promise<object>,
 *          makeKwestie?: (id: string) => Promise<object>,
 *          categories?: {code: string, name: string, subcategories?: {code: string, name: string}[]}[],
 *          loadMap?: () => Promise<{mountAlertMap: Function}>}} options
 *   acknowledge and makeKwestie only for team leads; loadMap loads Leaflet (lazily, by default).
 */
export async function renderAlerts(container, {
  fetchAlerts, fetchAlert, acknowledge, makeKwestie, categories, loadMap = () => import('./alert-map.js'),
}) {
  const message = h('p', { class: 'utrecht-paragraph', 'aria-live': 'polite' });
  const list = h('ul', { class: 'alert-list' });
  container.replaceChildren(message, list);
  let maps = []; // the maps of the items on screen, removed when the list is drawn again

  const what = (s) => signalWhat(categories, s);

  async function draw() {
    let alerts;
    try {
      alerts = await fetchAlerts();
    } catch (e) {
      message.textContent = e?.status === 0 || globalThis.navigator?.onLine === false
        ? 'De waarschuwingen werken alleen met internet.'
        : e?.detail || 'De waarschuwingen konden niet worden geladen. Probeer het opnieuw.';
      return;
    }
    for (const m of maps) m.remove();
    maps = [];
    message.textContent = alerts.length ? `${alerts.length} ${alerts.length === 1 ? 'waarschuwing' : 'waarschuwingen'}.` : 'Geen waarschuwingen.';
    list.replaceChildren(...alerts.map(item));
  }

  function item(a) {
    const n = ++counter;
    const titleId = `waarschuwing-${n}`;
    const button = (label, onclick, extra = {}) => h('button', {
      type: 'button', class: 'utrecht-button utrecht-button--secondary-action', 'aria-describedby': titleId, onclick, ...extra,
    }, label);
    const note = h('p', { class: 'alert-item__message', 'aria-live': 'polite' });
    const signalsBox = h('div', { class: 'alert-evidence', id: `${titleId}-signalen`, hidden: true });
    const toggle = button('Bekijk signalen', () => showSignals(a, toggle, signalsBox, note),
      { 'aria-expanded': 'false', 'aria-controls': signalsBox.id });
    const canReject = acknowledge && ['nieuw', 'bekeken'].includes(a.status);
    const reject = canReject ? rejectForm(a, titleId) : null;
    const rejectButton = canReject ? button('Afwijzen', () => {
      const open = reject.hidden;
      reject.hidden = !open;
      rejectButton.setAttribute('aria-expanded', String(open));
      if (open) reject.querySelector('textarea').focus();
    }, { 'aria-expanded': 'false', 'aria-controls': reject.id }) : null;

    return h('li', { class: 'alert-item', 'data-alert-id': a.id },
      h('h3', { class: 'utrecht-heading-3', id: titleId, tabindex: '-1' }, a.title),
      h('p', { class: 'utrecht-paragraph' }, a.why),
      h('p', { class: 'alert-item__evidence' }, evidence(a)),
      h('p', { class: 'alert-item__status' }, `Status: ${STATUS[a.status] ?? a.status} · ${a.signal_ids.length} signalen`),
      hiddenNote(a.hidden_signals),
      a.status === 'afgewezen' && a.reason ? h('p', { class: 'alert-item__reason' }, `Reden: ${a.reason}`) : null,
      h('div', { class: 'utrecht-button-group' },
        fetchAlert ? toggle : null,
        a.status === 'nieuw' && acknowledge
          ? button('Bekeken', () => act(() => acknowledge(a.id, { status: 'bekeken' }), 'Gemarkeerd als bekeken.', a.id)) : null,
        ['nieuw', 'bekeken'].includes(a.status) && makeKwestie
          ? button('Maak kwestie', () => act(() => makeKwestie(a.id), 'Kwestie gemaakt.', a.id)) : null,
        rejectButton),
      reject, note, signalsBox);
  }

  /** "Bekijk signalen": fetch the alert once, then show and hide its signals. */
  async function showSignals(a, toggle, box, note) {
    if (toggle.dataset.busy) return; // not disabled: the focus stays on the button
    if (toggle.getAttribute('aria-expanded') === 'true') {
      box.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      toggle.textContent = 'Bekijk signalen';
      return;
    }
    if (!box.hasChildNodes()) {
      toggle.dataset.busy = 'true';
      note.textContent = 'Signalen worden geladen…';
      try {
        const detail = await fetchAlert(a.id);
        note.textContent = '';
        await fillSignals(box, a, detail);
      } catch (e) {
        box.replaceChildren();
        box.hidden = true;
        note.textContent = failure(e);
        return;
      } finally {
        delete toggle.dataset.busy;
      }
    }
    box.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    toggle.textContent = 'Verberg signalen';
  }

  async function fillSignals(box, a, detail) {
    const signals = [...(detail.signals ?? [])].sort((x, y) => new Date(x.observed_at) - new Date(y.observed_at));
    if (!signals.length) {
      box.replaceChildren(h('p', { class: 'utrecht-paragraph' }, 'De signalen van deze waarschuwing zijn verwijderd.'));
      return;
    }
    const located = signals.filter((s) => s.location).length;
    const mapEl = located ? h('div', { class: 'alert-map', role: 'region', 'aria-label': MAP_LABEL }) : null;
    box.replaceChildren(...[
      h('h4', { class: 'utrecht-heading-4' }, 'Signalen op volgorde van waarneming'),
      h('p', { class: 'alert-evidence__summary' }, located === signals.length
        ? `${signals.length} ${signals.length === 1 ? 'signaal' : 'signalen'}, alle op de kaart.`
        : `${signals.length} ${signals.length === 1 ? 'signaal' : 'signalen'}, waarvan ${located} met een plek op de kaart.`),
      mapEl,
      h('ol', { class: 'alert-signals' }, signals.map((s) => h('li', { class: 'alert-signal' },
        h('p', { class: 'alert-signal__when' },
          h('time', { datetime: s.observed_at }, dateTime(s.observed_at) ?? 'onbekend')),
        h('p', { class: 'alert-signal__what' },
          h('a', { href: `/signalen/${encodeURIComponent(s.id)}`, class: 'utrecht-link' }, what(s))),
        h('p', { class: 'alert-signal__where' }, signalWhere(s)),
        s.contains_personal_data ? h('p', { class: 'alert-signal__mark' }, personalMark(s)) : null,
        h('p', { class: 'alert-signal__text' }, s.description)))),
    ].filter(Boolean));
    if (!mapEl) return;
    box.hidden = false; // Leaflet needs the map's size
    try {
      const { mountAlertMap } = await loadMap();
      maps.push(mountAlertMap(mapEl, {
        extent: detail.extent ?? a.extent, signals,
        label: (s, i) => `${i}. ${dateTime(s.observed_at) ?? ''}: ${what(s)}`,
      }));
    } catch {
      mapEl.replaceWith(h('p', { class: 'utrecht-paragraph' }, 'De kaart kon niet worden geladen; de lijst noemt alle signalen.'));
    }
  }

  function rejectForm(a, titleId) {
    const id = `${titleId}-afwijzen`;
    const reason = h('textarea', {
      id: `${id}-reden`, class: 'utrecht-textarea utrecht-textbox', rows: 3, maxlength: 1000, 'aria-describedby': `${id}-fout`,
    });
    const error = h('div', { id: `${id}-fout`, role: 'alert', class: 'utrecht-alert utrecht-alert--error form-error', hidden: true });
    const confirm = h('button', { type: 'submit', class: 'utrecht-button utrecht-button--primary-action' }, 'Afwijzen bevestigen');
    const showError = (text) => {
      error.textContent = text;
      error.hidden = false;
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
    };
    const form = h('form', { class: 'alert-reject', id, hidden: true, novalidate: true },
      h('div', { class: 'utrecht-form-field' },
        h('label', { class: 'utrecht-form-label', for: reason.id }, 'Reden'),
        reason),
      error, confirm);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = reason.value.trim();
      if (!text) {
        showError('Geef een reden.');
        return;
      }
      error.hidden = true;
      reason.removeAttribute('aria-invalid');
      confirm.disabled = true;
      try {
        await acknowledge(a.id, { status: 'afgewezen', reason: text });
      } catch (e) {
        confirm.disabled = false;
        showError(e?.detail || 'Afwijzen lukte niet. Probeer het opnieuw.');
        return;
      }
      await draw();
      message.textContent = 'Waarschuwing afgewezen.';
      focusItem(a.id);
    });
    return form;
  }

  /** After a redraw the pressed button is gone: put the focus on the alert's heading. */
  function focusItem(id) {
    [...list.children].find((li) => li.dataset.alertId === id)?.querySelector('h3')?.focus();
  }

  async function act(fn, done, id) {
    try {
      await fn();
      await draw();
      message.textContent = done;
      focusItem(id);
    } catch (e) {
      message.textContent = e?.detail || 'Dat lukte niet. Probeer het opnieuw.';
    }
  }

  await draw();
}
