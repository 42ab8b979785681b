// The signals on this device (the user's area and their own), with their sync
// state, and a detail view to change or delete one.
import { h } from '../dom.js';
import { URGENCIES, personalDataField } from './capture.js';
import { personalMark } from './labels.js';
import { dateTime } from './dates.js';

const STATUSES = [
  ['nieuw', 'Nieuw'], ['in_behandeling', 'In behandeling'], ['doorgezet', 'Doorgezet'], ['afgesloten', 'Afgesloten'],
];
const label = (pairs, code) => pairs.find(([c]) => c === code)?.[1] ?? code;

/** The sync state of one signal in words. */
function itemState(signal, notice) {
  if (notice?.kind === 'rejected') return 'Niet geaccepteerd door de server';
  if (signal._pending) return 'Wacht op verzending';
  if (notice?.op === 'delete') return 'Niet verwijderd: elders gewijzigd';
  if (notice) return 'Ook elders gewijzigd';
  return 'Verzonden';
}

/** What the server said about the user's last change of a signal, in words. */
function noticeText(notice) {
  if (notice.kind === 'rejected') return 'De server heeft dit signaal niet geaccepteerd.';
  // The server keeps a signal that someone else changed after you last saw it.
  if (notice.op === 'delete') {
    return 'Dit signaal is niet verwijderd: iemand anders heeft het intussen gewijzigd. ' +
      'Bekijk de wijziging en verwijder het opnieuw als dat nog nodig is.';
  }
  return 'Iemand anders heeft dit signaal ook gewijzigd. Je ziet nu de samengevoegde versie.';
}

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

/**
 * The list lives as long as the shell; `update` redraws the items after every
 * sync without closing the detail view the user is working in.
 * @param {HTMLElement} container
 * @param {{onEdit: (id: string, fields: object) => Promise<void>, onDelete: (id: string) => Promise<void>,
 *          onDismiss: (id: string) => Promise<void>}} handlers
 */
const PAGE = 100;

export function createSignalList(container, { onEdit, onDelete, onDismiss }) {
  let signals = [];
  let noticeOf = new Map();
  let categories = [];
  let me = '';
  const catName = (code) => categories.find((c) => c.code === code)?.name ?? code;
  const onlyMine = h('input', { type: 'checkbox', id: 'alleen-mijn' });
  const list = h('ul', { class: 'signal-list' });
  const detail = h('div', { class: 'signal-detail' });
  const noticeFor = (id) => noticeOf.get(id);
  let limit = PAGE; // how many of the newest signals the list shows; "Meer tonen" adds a page

  function draw() {
    const shown = signals
      .filter((s) => !onlyMine.checked || s.created_by === me || s.version == null)
      .sort((a, b) => String(b.observed_at).localeCompare(String(a.observed_at)));
    list.replaceChildren(...shown.slice(0, limit).map((s) => h('li', { class: 'signal-item' },
      h('button', { type: 'button', class: 'signal-item__open', onclick: () => open(s) },
        h('span', { class: 'signal-item__title' }, `${catName(s.category)}${s.kern ? ` — ${s.kern.name}` : ''}`),
        h('span', { class: 'signal-item__date' }, dateTime(s.observed_at) ?? ''),
        h('span', { class: 'signal-item__text' }, String(s.description ?? '').slice(0, 80)),
        personalMark(s),
        h('span', { class: 'signal-item__state' }, itemState(s, noticeFor(s.id)))))));
    if (shown.length > limit) {
      // Never stop silently: say how many there are, and offer the next page.
      list.append(h('li', { class: 'signal-item signal-item--more' },
        h('p', {}, `De nieuwste ${limit} van ${shown.length} signalen.`),
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
          onclick() { limit += PAGE; draw(); } }, 'Meer tonen')));
    }
    const local = new Set(signals.map((s) => s.id));
    const gone = [...noticeOf.values()].filter((n) => !local.has(n.signal_id) && n.kind !== 'conflict');
    list.prepend(...gone.map((n) => h('li', { class: 'signal-item signal-item--gone' },
      h('div', { class: 'utrecht-alert conflict-notice' },
        h('p', {}, goneText(n)),
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle',
          async onclick() { await onDismiss(n.signal_id); } }, 'Begrepen')))));
    if (!shown.length && !gone.length) list.replaceChildren(h('li', { class: 'signal-item' }, 'Nog geen signalen.'));
  }

  let openId = null; // the signal in the detail view
  function open(s) {
    openId = s.id;
    const notice = noticeFor(s.id);
    const status = h('select', { id: 'detail-status', class: 'utrecht-select utrecht-textbox' },
      STATUSES.map(([c, n]) => h('option', { value: c }, n)));
    status.value = s.status;
    const urgency = h('select', { id: 'detail-urgentie', class: 'utrecht-select utrecht-textbox' },
      URGENCIES.map(([c, n]) => h('option', { value: c }, n)));
    urgency.value = s.urgency;
    const text = h('textarea', { id: 'detail-omschrijving', class: 'utrecht-textarea utrecht-textbox', rows: 4, maxlength: 4000 });
    text.value = s.description ?? '';
    const personal = personalDataField('detail-persoonsgegevens', Boolean(s.contains_personal_data));
    const message = h('p', { class: 'field-hint', 'aria-live': 'polite' });
    let confirming = false;
    const remove = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
      async onclick() {
        if (!confirming) {
          confirming = true;
          remove.textContent = 'Ja, verwijderen';
          message.textContent = 'Weet je het zeker? Tik nog een keer om te verwijderen.';
          return;
        }
        openId = null;
        await onDelete(s.id);
        detail.replaceChildren(h('p', { class: 'utrecht-paragraph', 'aria-live': 'polite' }, 'Signaal verwijderd.'));
      } }, 'Verwijderen');
    detail.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'detail-title' },
      h('h3', { id: 'detail-title', class: 'utrecht-heading-3', tabindex: '-1' }, catName(s.category)),
      notice ? h('div', { class: 'utrecht-alert conflict-notice' },
        h('p', {}, noticeText(notice)),
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle',
          async onclick() { await onDismiss(s.id); } }, 'Begrepen')) : null,
      h('p', { class: 'utrecht-paragraph' }, `${s.kern ? s.kern.name : 'Buiten de bekende gebieden'} · ${itemState(s, notice)}`),
      s.contains_personal_data ? h('p', { class: 'utrecht-paragraph' }, personalMark(s)) : null,
      h('div', { class: 'utrecht-form-field' }, h('label', { class: 'utrecht-form-label', for: 'detail-status' }, 'Status'), status),
      h('div', { class: 'utrecht-form-field' }, h('label', { class: 'utrecht-form-label', for: 'detail-urgentie' }, 'Urgentie van dit signaal'), urgency),
      h('div', { class: 'utrecht-form-field' }, h('label', { class: 'utrecht-form-label', for: 'detail-omschrijving' }, 'Omschrijving van dit signaal'), text),
      personal.row,
      h('div', { class: 'utrecht-button-group' },
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--primary-action',
          async onclick() {
            const fields = {};
            if (status.value !== s.status) fields.status = status.value;
            if (urgency.value !== s.urgency) fields.urgency = urgency.value;
            if (text.value.trim() && text.value.trim() !== s.description) fields.description = text.value.trim();
            if (personal.box.checked !== Boolean(s.contains_personal_data)) fields.contains_personal_data = personal.box.checked;
            if (!Object.keys(fields).length) { message.textContent = 'Er is niets gewijzigd.'; return; }
            await onEdit(s.id, fields);
            message.textContent = 'Wijziging opgeslagen.';
          } }, 'Wijzigingen opslaan'),
        remove),
      message));
    detail.querySelector('h3').focus();
  }

  onlyMine.addEventListener('change', draw);
  container.replaceChildren(
    h('h2', { class: 'utrecht-heading-2' }, 'Signalen'),
    h('p', { class: 'checkbox-row' }, onlyMine, h('label', { for: 'alleen-mijn' }, 'Alleen mijn eigen signalen')),
    list, detail);
  return {
    update(data) {
      signals = data.signals ?? [];
      noticeOf = new Map((data.notices ?? []).map((n) => [n.signal_id, n]));
      categories = data.categories ?? categories;
      me = data.me ?? me;
      draw();
      // A signal that left the user's sight (a pull removed it) leaves the screen too.
      if (openId && !signals.some((s) => s.id === openId)) {
        openId = null;
        detail.replaceChildren();
      }
    },
  };
}
