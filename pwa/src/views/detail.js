// A signal's own screen (/signalen/<id>): everything it has, its history, and
// the controls to change, hand over or delete it.
//
// NOTE for helper F (list.js): this screen replaces the inline detail in
// list.js. Please remove list.js's open()/detail and make each card a link
// <a href="/signalen/<id>"> (the router in ../router.js handles the click; the
// shell keeps the list's section and scroll position while this screen shows).
import { h } from '../dom.js';
import { URGENCIES, personalDataField } from './capture.js';
import { PERSONAL_DATA_LABEL, signalWhat } from './labels.js';
import { dateTime, fullDate } from './dates.js';
import { backTarget } from '../router.js';
import { conflictText, syncState } from './notices.js';


export const STATUSES = [
  ['nieuw', 'Nieuw'], ['in_behandeling', 'In behandeling'], ['doorgezet', 'Doorgezet'], ['afgesloten', 'Afgesloten'],
];
export const SOURCE_LABELS = [
  ['inwoner', 'Inwoner'], ['ondernemer', 'Ondernemer'], ['organisatie', 'Organisatie'],
  ['dorpsbelang', 'Dorpsbelang'], ['jongerenraad', 'Jongerenraad'], ['bezwaarmaker', 'Bezwaarmaker'],
  ['eigen_waarneming', 'Eigen waarneming'], ['anders', 'Anders'],
];
const label = (pairs, code) => pairs.find(([c]) => c === code)?.[1] ?? code;

/** The field names the history shows, in Dutch. */
const FIELD_NAMES = {
  status: 'Status', urgency: 'Urgentie', description: 'Omschrijving', category: 'Categorie',
  subcategory: 'Onderwerp', source: 'Bron', location: 'Locatie', observed_at: 'Waargenomen op',
  contains_personal_data: PERSONAL_DATA_LABEL, follow_up_date: 'Opvolgen op', assignee: 'Toegewezen aan',
  assignment_note: 'Notitie bij overdracht', related_to: 'Hoort bij', attachments: "Foto's",
  kern: 'Kern', wijk: 'Wijk', buurt: 'Buurt',
};

/** "2026-11-28" → "28 nov 2026" (a date without a time, as it stands). */
export function dayText(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value ?? ''));
  return m ? fullDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }) : null;
}

/** One value of the history in words. */
export function historyValue(field, value, categories = []) {
  if (value == null || value === '' || (Array.isArray(value) && !value.length)) return 'leeg';
  switch (field) {
    case 'status': return label(STATUSES, value);
    case 'urgency': return label(URGENCIES, value);
    case 'source': return label(SOURCE_LABELS, value);
    case 'category': return (categories.find((c) => c.code === value)?.name) ?? value;
    case 'subcategory': {
      for (const c of categories) {
        const sub = (c.subcategories ?? []).find((s) => s.code === value);
        if (sub) return sub.name;
      }
      return value;
    }
    case 'contains_personal_data': return value ? 'ja' : 'nee';
    case 'follow_up_date': return dayText(value) ?? String(value);
    case 'observed_at': return dateTime(value) ?? String(value);
    case 'location': return 'op de kaart';
    case 'related_to': return 'een ander signaal';
    case 'attachments': return `${value.length} ${value.length === 1 ? 'foto' : "foto's"}`;
    default:
      if (typeof value === 'object') return value.name ?? 'gewijzigd';
      if (typeof value === 'boolean') return value ? 'ja' : 'nee';
      return String(value).length > 80 ? `“${String(value).slice(0, 77)}…”` : String(value);
  }
}

/** "28 nov 2026, 10:15 — anna: Status: Nieuw → Doorgezet; Urgentie: Normaal → Hoog" */
export function historyLine(entry, categories = []) {
  const when = dateTime(entry.at) ?? '';
  const who = entry.by || 'onbekend';
  if (entry.op === 'create') return `${when} — ${who}: signaal vastgelegd`;
  if (entry.op === 'delete') return `${when} — ${who}: signaal verwijderd`;
  const what = (entry.changes ?? []).map((c) => {
    const name = FIELD_NAMES[c.field] ?? c.field;
    if (c.field === 'description') return `${name} gewijzigd`;
    return `${name}: ${historyValue(c.field, c.from, categories)} → ${historyValue(c.field, c.to, categories)}`;
  });
  return `${when} — ${who}: ${what.join('; ') || 'gewijzigd'}`;
}

function fallbackNoticeText(notice) {
  if (notice.kind === 'rejected') {
    // A hand-over to a name that is no user: say so, so the user knows what to change.
    if ((notice.problem?.errors ?? []).some((e) => e?.name === 'assignee')) {
      return 'Je wijziging is niet doorgevoerd: bij Overdragen aan staat geen gebruikersnaam van een collega. ' +
        'Vul de gebruikersnaam in waarmee je collega inlogt.';
    }
    return 'De server heeft dit signaal niet geaccepteerd.';
  }
  if (notice.op === 'delete') {
    return 'Dit signaal is niet verwijderd: iemand anders heeft het intussen gewijzigd. ' +
      'Bekijk de wijziging en verwijder het opnieuw als dat nog nodig is.';
  }
  return 'Iemand anders heeft dit signaal ook gewijzigd. Je ziet nu de samengevoegde versie.';
}

/** A conflict in the words of notices.js (with what did not go through); a refusal in plain words. */
function noticeWords(notice) {
  return conflictText(notice, (code) => label(STATUSES, code)) ?? fallbackNoticeText(notice);
}

/** The heading of a signal's screen: "Jeugd — Marknesse". */
export function detailTitle(signal, categories) {
  const cat = (categories || []).find((c) => c.code === signal.category)?.name ?? 'Signaal';
  return signal.kern?.name ? `${cat} — ${signal.kern.name}` : cat;
}

function row(term, ...value) {
  const parts = value.flat().filter((v) => v != null && v !== '');
  if (!parts.length) return null;
  return [h('dt', {}, term), h('dd', {}, ...parts)];
}

/**
 * Draw the signal `id` into `el`. A signal first shown from the server is drawn again, with
 * its edit controls, once the phone has it (e.g. a deep link opened before the first pull).
 * @returns {Promise<{title: string, refresh: (data?: object) => Promise<void>}>}
 */
export async function renderDetail(el, options) {
  let view = null;
  const redraw = async () => {
    view?.destroy?.();
    view = await drawDetail(el, options, redraw);
  };
  await redraw();
  return {
    get title() {
      return view.title;
    },
    async refresh(data) {
      if ((await view.refresh(data)) === 'redraw') await redraw();
    },
    destroy: () => view.destroy?.(),
  };
}

async function drawDetail(el, options, redraw = async () => {}) {
  const {
    id, getSignal, getNotice = async () => null, categories = [], knownUsers = async () => [],
    photoUrl = async () => null, fetchHistory = null, mountMap = null, mountHandoff = null,
    onEdit, onDelete, onDismiss, navigate, listHref = '/signalen',
  } = options;
  // Terug goes back to the screen the user came from (the list, Opvolgen, a kwestie, a warning),
  // at the same place; opened by its URL, it goes to the list.
  const from = window.history.state?.from;
  const target = typeof from === 'string' && from.startsWith('/') && from.split('?')[0] !== window.location.pathname
    ? { href: from, back: true } : backTarget('signalen', listHref);
  const back = h('a', { href: target.href, class: 'back-link', onclick(event) {
    if (!target.back || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    window.history.back(); // to the list as it was, at the same place
  } }, 'Terug');
  let signal = await getSignal(id);
  if (!signal) {
    el.replaceChildren(back, h('p', { class: 'utrecht-paragraph' },
      'Dit signaal staat niet op dit apparaat. Het is verwijderd, of het hoort niet (meer) bij jouw gebieden.'));
    // It may still come: the first pull after a log-in, or a sync.
    return { title: 'Signaal niet gevonden',
      refresh: async () => ((await getSignal(id, { localOnly: true }).catch(() => null)) ? 'redraw' : undefined) };
  }

  let deleted = false;
  const facts = h('div', { class: 'signal-facts' });
  const mapEl = h('div', { class: 'detail-map', role: 'group', 'aria-label': 'Kaart met de plek van dit signaal' });
  const photos = h('div', { class: 'detail-photos' });
  const historyBox = h('section', { class: 'detail-history', 'aria-labelledby': 'detail-history-title' });
  const dialogImg = h('img', { class: 'photo-dialog__img', alt: '' });
  const dialog = h('dialog', { class: 'photo-dialog', 'aria-label': 'Foto' },
    dialogImg,
    h('form', { method: 'dialog' }, h('button', { type: 'submit', class: 'utrecht-button utrecht-button--secondary-action',
    }, 'Sluiten')));
  const urls = [];

  function drawFacts(notice) {
    const s = signal;
    const cat = categories.find((c) => c.code === s.category);
    const sub = s.subcategory ? (cat?.subcategories ?? []).find((x) => x.code === s.subcategory)?.name : null;
    const place = [s.kern?.name, s.wijk?.name && s.wijk.name !== s.kern?.name ? s.wijk.name : null,
      s.buurt?.name && s.buurt.name !== s.wijk?.name ? s.buurt.name : null].filter(Boolean).join(', ');
    const relatedHref = s.related_to ? `/signalen/${encodeURIComponent(s.related_to)}` : null;
    facts.replaceChildren(...[
      notice ? h('div', { class: 'utrecht-alert conflict-notice' },
        h('p', {}, noticeWords(notice)),
        h('button', { type: 'button', class: 'utrecht-button utrecht-button--subtle',
          async onclick() { await onDismiss?.(s.id); } }, 'Begrepen')) : null,
      s.contains_personal_data ? h('p', { class: 'utrecht-paragraph' },
        h('span', { class: 'personal-mark' }, PERSONAL_DATA_LABEL)) : null,
      h('p', { class: 'detail-description' }, s.description ?? ''),
      h('dl', { class: 'detail-list' },
        row('Categorie', cat?.name ?? signalWhat(categories, s)),
        row('Onderwerp', sub ?? (s.subcategory ? s.subcategory : null)),
        row('Urgentie', label(URGENCIES, s.urgency)),
        row('Bron', label(SOURCE_LABELS, s.source)),
        row('Plek', place || (s.outside_areas ? 'Buiten de bekende gebieden' : s.location ? 'Geen kern bekend' : 'Geen locatie')),
        row('Waargenomen', dateTime(s.observed_at)),
        row('Vastgelegd', s.created_at ? dateTime(s.created_at) : 'Nog niet verzonden'),
        row('Door', s.created_by),
        row('Status', label(STATUSES, s.status)),
        row('Opvolgen op', dayText(s.follow_up_date)),
        row('Toegewezen aan', s.assignee),
        row('Notitie bij overdracht', s.assignment_note),
        row('Hoort bij', relatedHref ? h('a', { href: relatedHref }, 'het eerdere signaal') : null),
        row('Verzending', syncState(s, notice))),
    ].filter(Boolean));
  }

  async function drawPhotos() {
    const list = signal.attachments ?? [];
    if (!list.length) {
      photos.replaceChildren();
      return;
    }
    const items = await Promise.all(list.map(async (sha, i) => {
      const url = await photoUrl(sha).catch(() => null);
      if (url) urls.push(url);
      const alt = `Foto ${i + 1} bij dit signaal`;
      if (!url) return h('li', { class: 'detail-photo detail-photo--missing' }, `Foto ${i + 1} is nu niet te laden.`);
      return h('li', { class: 'detail-photo' }, h('button', {
        type: 'button', class: 'detail-photo__open', 'aria-label': `${alt} vergroten`,
        onclick() {
          dialogImg.src = url;
          dialogImg.alt = alt;
          if (typeof dialog.showModal === 'function') dialog.showModal();
          else dialog.setAttribute('open', '');
        },
      }, h('img', { src: url, alt, class: 'detail-photo__img', width: 96, height: 96 })));
    }));
    photos.replaceChildren(h('h2', { class: 'utrecht-heading-2' }, "Foto's"), h('ul', { class: 'detail-photo-list' }, items));
  }

  async function drawHistory() {
    const title = h('h2', { class: 'utrecht-heading-2', id: 'detail-history-title' }, 'Geschiedenis');
    if (signal.version == null) {
      historyBox.replaceChildren(title, h('p', { class: 'utrecht-paragraph' }, 'Nog niet verzonden: de geschiedenis begint zodra de server het signaal heeft.'));
      return;
    }
    if (!fetchHistory || navigator.onLine === false) {
      historyBox.replaceChildren(title, h('p', { class: 'utrecht-paragraph' }, 'De geschiedenis is alleen met internet te zien.'));
      return;
    }
    historyBox.replaceChildren(title, h('p', { class: 'utrecht-paragraph' }, 'Geschiedenis wordt geladen…'));
    try {
      const items = (await fetchHistory(signal.id))?.items ?? [];
      historyBox.replaceChildren(title, items.length
        ? h('ol', { class: 'history-list' }, items.map((e) => h('li', {}, historyLine(e, categories))))
        : h('p', { class: 'utrecht-paragraph' }, 'Nog geen wijzigingen.'));
    } catch (e) {
      historyBox.replaceChildren(title, h('p', { class: 'utrecht-paragraph' }, e?.status === 0
        ? 'De geschiedenis is alleen met internet te zien.'
        : 'De geschiedenis is nu niet te laden.'));
    }
  }

  // --- changing the signal ------------------------------------------------
  let followEdits = null; // after a sync: the untouched controls take the signal's new values
  // A signal only on the server (not on this phone) is shown to read: changes go through the phone's outbox.
  const editForm = signal._fromServer
    ? h('p', { class: 'utrecht-paragraph field-hint' },
      'Dit signaal staat niet op je telefoon: je ziet het zoals de server het nu heeft. Wijzigen kan hier niet.')
    : await editControls();
  async function editControls() {
    const s = signal;
    const select = (fid, pairs, value) => {
      const el2 = h('select', { id: fid, class: 'utrecht-select utrecht-textbox' }, pairs.map(([c, n]) => h('option', { value: c }, n)));
      el2.value = value;
      return el2;
    };
    const status = select('detail-status', STATUSES, s.status);
    const urgency = select('detail-urgentie', URGENCIES, s.urgency);
    const text = h('textarea', { id: 'detail-omschrijving', class: 'utrecht-textarea utrecht-textbox', rows: 4, maxlength: 4000 });
    text.value = s.description ?? '';
    const personal = personalDataField('detail-persoonsgegevens', Boolean(s.contains_personal_data));
    const followUp = h('input', { type: 'date', id: 'detail-opvolgen', class: 'utrecht-textbox', value: s.follow_up_date ?? '' });
    const users = h('datalist', { id: 'detail-collega-lijst' }, (await knownUsers().catch(() => [])).map((u) => h('option', { value: u })));
    const assignee = h('input', { type: 'text', id: 'detail-collega', class: 'utrecht-textbox', list: 'detail-collega-lijst',
      autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'detail-collega-hint', value: s.assignee ?? '' });
    const note = h('textarea', { id: 'detail-notitie', class: 'utrecht-textarea utrecht-textbox', rows: 2, maxlength: 500 });
    note.value = s.assignment_note ?? '';
    const message = h('p', { class: 'field-hint', 'aria-live': 'polite' });
    // What the form showed the user: a save sends only the fields they changed from it, never a
    // value of an older copy (a sync may bring a newer one, e.g. closed by the team lead meanwhile).
    const read = () => ({ status: status.value, urgency: urgency.value, description: text.value.trim(),
      contains_personal_data: personal.box.checked, follow_up_date: followUp.value || null,
      assignee: assignee.value.trim() || null, assignment_note: note.value.trim() || null });
    const write = {
      status: (v) => { status.value = v; }, urgency: (v) => { urgency.value = v; }, description: (v) => { text.value = v; },
      contains_personal_data: (v) => { personal.box.checked = v; }, follow_up_date: (v) => { followUp.value = v ?? ''; },
      assignee: (v) => { assignee.value = v ?? ''; }, assignment_note: (v) => { note.value = v ?? ''; },
    };
    let shown = read();
    followEdits = (next) => {
      const now = read();
      const fresh = { status: next.status, urgency: next.urgency, description: String(next.description ?? '').trim(),
        contains_personal_data: Boolean(next.contains_personal_data), follow_up_date: next.follow_up_date ?? null,
        assignee: next.assignee ?? null, assignment_note: next.assignment_note ?? null };
      for (const key of Object.keys(write)) {
        if (now[key] === shown[key] && fresh[key] !== shown[key]) {
          write[key](fresh[key]);
          shown = { ...shown, [key]: fresh[key] };
        }
      }
    };
    const field = (fid, name, control, hint) => h('div', { class: 'utrecht-form-field' },
      h('label', { class: 'utrecht-form-label', for: fid }, name), hint, control);
    let confirming = false;
    const remove = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
      async onclick() {
        if (!confirming) {
          confirming = true;
          remove.textContent = 'Ja, verwijderen';
          message.textContent = 'Weet je het zeker? Tik nog een keer om te verwijderen.';
          return;
        }
        await onDelete?.(s.id);
        deleted = true;
        const done = h('p', { class: 'utrecht-paragraph', tabindex: '-1' }, 'Signaal verwijderd.');
        el.replaceChildren(back, done);
        done.focus();
      } }, 'Verwijderen');
    const saveButton = h('button', { type: 'submit', class: 'utrecht-button utrecht-button--primary-action' }, 'Wijzigingen opslaan');
    const form = h('form', { class: 'detail-edit', novalidate: true, 'aria-labelledby': 'detail-edit-title' },
      h('h2', { class: 'utrecht-heading-2', id: 'detail-edit-title' }, 'Wijzigen'),
      field('detail-status', 'Status', status),
      field('detail-urgentie', 'Urgentie van dit signaal', urgency),
      field('detail-omschrijving', 'Omschrijving van dit signaal', text),
      personal.row,
      field('detail-opvolgen', 'Opvolgen op', followUp),
      field('detail-collega', 'Overdragen aan (gebruikersnaam)', assignee,
        h('p', { class: 'field-hint', id: 'detail-collega-hint' }, 'Leeg laten: niemand. De collega ziet het signaal dan bij "Aan mij toegewezen".')),
      users,
      field('detail-notitie', 'Notitie voor je collega', note),
      h('div', { class: 'utrecht-button-group' }, saveButton, remove),
      message);
    // A message about the last save or the delete question does not stay while the user changes the form again.
    const fresh = () => {
      message.textContent = '';
      if (confirming) { confirming = false; remove.textContent = 'Verwijderen'; }
    };
    form.addEventListener('input', fresh);
    form.addEventListener('change', fresh);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const cur = signal;
      const now = read();
      const fields = {};
      for (const key of Object.keys(now)) if (now[key] !== shown[key]) fields[key] = now[key];
      if (!fields.description) delete fields.description; // a description cannot be emptied
      if (!Object.keys(fields).length) { message.textContent = 'Er is niets gewijzigd.'; return; }
      saveButton.disabled = true;
      try {
        await onEdit?.(cur.id, fields);
        shown = { ...shown, ...fields };
        message.textContent = 'Wijziging opgeslagen.';
      } catch (e) {
        message.textContent = e?.message || 'Opslaan is niet gelukt.';
      } finally {
        saveButton.disabled = false;
      }
    });
    return form;
  }

  drawFacts(await getNotice(id).catch(() => null));
  // "Doorzetten naar zaaksysteem" and the zaak afterwards (views/handoff.js, loaded by the app).
  const zaakBox = h('div', { class: 'detail-zaak', hidden: true });
  el.replaceChildren(...[back, facts, signal.location ? mapEl : null, photos, zaakBox, editForm, historyBox, dialog].filter(Boolean));
  let handoff = null;
  if (mountHandoff) Promise.resolve(mountHandoff(zaakBox, signal)).then((v) => { handoff = v; if (deleted) v?.destroy?.(); }).catch(() => {});
  if (signal.location && mountMap) {
    Promise.resolve(mountMap(mapEl, signal.location.lat, signal.location.lon, signal.location.accuracy_m))
      .catch(() => { mapEl.hidden = true; });
  }
  drawPhotos();
  drawHistory();

  return {
    title: detailTitle(signal, categories),
    /** After a sync or a change: the facts anew (the edit form keeps what the user is typing). */
    async refresh() {
      if (deleted) return;
      if (signal._fromServer) {
        // Shown as the server has it: once it is on the phone, the full screen with its controls.
        const local = await getSignal(id, { localOnly: true }).catch(() => null);
        if (!local || local._fromServer) return undefined;
        if (dialog.open) {
          // Not while the user looks at a photo: once the dialog closes.
          dialog.addEventListener('close', () => redraw(), { once: true });
          return undefined;
        }
        // Not while the user fills in the hand-off to the case system: a later sync redraws.
        if (zaakBox.querySelector('.handoff__panel')) return undefined;
        return 'redraw';
      }
      const next = await getSignal(id).catch(() => null);
      if (!next) {
        facts.replaceChildren(h('p', { class: 'utrecht-paragraph' }, 'Dit signaal staat niet meer op dit apparaat.'));
        return;
      }
      const versionChanged = next.version !== signal.version;
      signal = next;
      followEdits?.(next);
      drawFacts(await getNotice(id).catch(() => null));
      if (versionChanged) drawHistory();
    },
    destroy() {
      for (const url of urls.splice(0)) URL.revokeObjectURL(url);
      handoff?.destroy?.();
    },
  };
}
