// "Doorzetten naar zaaksysteem" on a signal's and a kwestie's screen: what the zaak will be
// (the zaaktype the beheerder mapped, whether the description goes along), a note for the
// behandelaar and a confirmation; afterwards the zaak's state, number, status and link
// (views/zaak.js), asked again every few seconds while the server is still sending it.
// Online only: the server asks the case system. Who may is the server's answer (the preview's
// `allowed`); a team lead is told in words why not (not configured, no zaaktype for this category).
//
// No second role="status": the app has exactly one (the sync state, CONTRACT.md). State changes
// are announced through an aria-live="polite" region instead, which screen readers treat alike.
import { h } from '../dom.js';
import { zaakBusy, zaakStateText, zaakView } from './zaak.js';

export const NOTE_MAX = 600;
export const POLL_MS = 3000;
const POLL_MAX_MS = 30_000;
const LEAD_ROLES = new Set(['teamleider', 'beheerder']);

export const OFFLINE_TEXT = 'Doorzetten naar het zaaksysteem kan alleen met internet. Probeer het opnieuw zodra je verbinding hebt.';
export const NOT_CONFIGURED_TEXT = 'Er is nog geen zaaksysteem gekoppeld, dus doorzetten kan nog niet. ' +
  'De functioneel beheerder kan de koppeling instellen.';

/** The vertrouwelijkheidaanduiding of the ZGW standard in words. */
const CONFIDENTIALITY = {
  openbaar: 'Openbaar', beperkt_openbaar: 'Beperkt openbaar', intern: 'Intern', zaakvertrouwelijk: 'Zaakvertrouwelijk',
  vertrouwelijk: 'Vertrouwelijk', confidentieel: 'Confidentieel', geheim: 'Geheim', zeer_geheim: 'Zeer geheim',
};
export const confidentialityText = (code) => (code ? CONFIDENTIALITY[code] ?? String(code).replaceAll('_', ' ') : null);

/**
 * Why a team lead cannot hand this over, in words; null when they can. A regisseur who may not
 * is not told anything (the control is simply not there for them).
 */
export function refusalText(preview) {
  if (!preview || preview.allowed) return null;
  const reason = typeof preview.reason === 'string' ? preview.reason.trim() : '';
  // The server's Dutch reason, unless it is a bare code ("not_configured") rather than a sentence.
  if (reason && /\s/.test(reason)) return reason;
  if (preview.configured === false) return NOT_CONFIGURED_TEXT;
  return 'Doorzetten naar het zaaksysteem kan voor dit onderwerp niet. Vraag de functioneel beheerder waarom.';
}

/** What the confirmation says about the description and personal data (the preview's `sends_description`). */
export function descriptionText(preview, kind) {
  if (kind === 'kwestie') {
    return preview?.sends_description
      ? 'De titel en de beschrijving van de kwestie gaan mee naar het zaaksysteem.'
      : 'De beschrijving gaat niet mee: een signaal van deze kwestie bevat persoonsgegevens en de koppeling stuurt ' +
        'die niet door. In de zaak staat dat ze is weggelaten.';
  }
  return preview?.sends_description
    ? 'De omschrijving van het signaal gaat mee naar het zaaksysteem.'
    : 'De omschrijving gaat niet mee: dit signaal bevat persoonsgegevens en de koppeling stuurt die niet door. ' +
      'In de zaak staat dat de omschrijving is weggelaten.';
}

/**
 * What else the zaak gets and what happens to the signal(s). Photos go as the description does:
 * a photo of a signal with personal data stays home unless the mapping sends personal data.
 */
export function whatGoesText(preview, kind) {
  const all = Boolean(preview?.sends_description);
  if (kind === 'kwestie') {
    return (all ? "De zaak krijgt de signalen van deze kwestie, hun plek en hun foto's mee."
      : "De zaak krijgt de signalen van deze kwestie en hun plek mee, en alleen de foto's van signalen zonder persoonsgegevens.") +
      ' De signalen worden dan ‘Doorgezet’ (behalve wat al is afgesloten).';
  }
  return (all ? "De zaak krijgt de plek (kern, wijk, buurt) en de foto's van dit signaal mee."
    : "De zaak krijgt de plek (kern, wijk, buurt) van dit signaal mee, maar geen foto's: ook die kunnen persoonsgegevens tonen.") +
    ' Het signaal wordt dan ‘Doorgezet’.';
}

/**
 * The message for a failed request: offline in words, else the server's (Dutch) detail.
 * `inPanel`: sent from the confirmation (what was typed stays), not by "Opnieuw proberen".
 */
export function sendFailure(e, { inPanel = true } = {}) {
  if (e?.status === 0 || globalThis.navigator?.onLine === false) {
    return inPanel ? 'Geen verbinding: doorzetten kan alleen met internet. Je toelichting blijft staan; probeer het zo opnieuw.'
      : 'Geen verbinding: opnieuw proberen kan alleen met internet. Probeer het zo nog eens.';
  }
  if (e?.status === 403) return 'Je mag dit niet doorzetten naar het zaaksysteem.';
  return e?.detail || 'Doorzetten is niet gelukt. Probeer het opnieuw.';
}

let uid = 0;

/**
 * Draw the hand-off section into `el` (emptied first; hidden while there is nothing to show).
 * @param {HTMLElement} el
 * @param {{kind: 'signaal'|'kwestie', zaak?: object|null, role?: string|null,
 *          loadZaak?: () => Promise<object|null>, preview: () => Promise<object>,
 *          send: (body: {note?: string}) => Promise<object>, onSent?: (zaak: object) => void,
 *          online?: () => boolean, pollMs?: number, loadFirst?: boolean, level?: number,
 *          viaKwestie?: {preview: (kwestieId: string) => Promise<object>,
 *            send: (kwestieId: string, body: {note?: string}) => Promise<object>,
 *            title?: (kwestieId: string) => Promise<string|null>}|null}} options
 *   `zaak`: what the caller already has (undefined: not known yet); `loadZaak`: the zaak as the
 *   server has it now (asked at the start when `loadFirst`, and while it is being sent);
 *   `send`: POST …/zaak, answers the ZaakRef. `level`: the heading's level (2 on a signal's screen, 3 in a kwestie).
 *   `viaKwestie`: on a signal whose zaak is that of a kwestie it belongs to (`zaak.kwestie_id`),
 *   the kwestie's preview and hand-off (so "Opnieuw proberen" acts on the kwestie) and its title.
 * @returns {{destroy: () => void, ready: Promise<void>, get zaak(): object|null}}
 */
export function renderHandoff(el, {
  kind, zaak: initial, role = null, loadZaak = null, preview, send, onSent = null,
  online = () => globalThis.navigator?.onLine !== false, pollMs = POLL_MS, loadFirst = false, level = 2,
  viaKwestie = null,
}) {
  const id = `zaak-${(uid += 1)}`;
  const lead = LEAD_ROLES.has(role);
  let zaak = initial ?? null;
  let plan = null; // the preview: {configured, allowed, zaaktype_omschrijving, …}
  let planFor = null; // the kwestie whose preview `plan` is (null: this signal's or kwestie's own)
  const titles = new Map(); // kwestie id → its title (null while asked or unknown)
  let planError = null;
  let asking = false; // the preview is being fetched
  let sending = false;
  let open = false;
  let ended = false;
  let timer = null;
  let wait = pollMs;

  const heading = h(`h${level}`, { class: `utrecht-heading-${level}`, id: `${id}-titel` }, 'Zaaksysteem');
  // On a signal handed off with its kwestie: which kwestie, with a link to it.
  const viaLine = h('p', { class: 'handoff__via', hidden: true });
  const stateLine = h('p', { class: 'zaak__state', 'aria-live': 'polite', 'aria-atomic': 'true', tabindex: '-1' });
  const body = h('div', { class: 'handoff__body' });
  const message = h('p', { class: 'form-error handoff__message', 'aria-live': 'polite' });
  el.replaceChildren(h('section', { class: 'handoff', 'aria-labelledby': heading.id }, heading, viaLine, stateLine, body, message));
  el.hidden = true;

  const openButton = h('button', {
    type: 'button', class: 'utrecht-button utrecht-button--primary-action handoff__open',
    'aria-expanded': 'false', 'aria-controls': `${id}-paneel`, onclick: () => showPanel(),
  }, 'Doorzetten naar zaaksysteem');

  // --- the confirmation panel ---------------------------------------------------------
  const panelHeading = h(`h${level + 1}`, { class: `utrecht-heading-${level + 1} handoff__title`, id: `${id}-paneel-titel`, tabindex: '-1' },
    kind === 'kwestie' ? 'Deze kwestie doorzetten' : 'Dit signaal doorzetten');
  const note = h('textarea', { id: `${id}-toelichting`, class: 'utrecht-textarea utrecht-textbox', rows: 3,
    maxlength: NOTE_MAX, 'aria-describedby': `${id}-toelichting-hint` });
  const confirm = h('button', { type: 'submit', class: 'utrecht-button utrecht-button--primary-action' }, 'Doorzetten');
  const cancel = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
    onclick: () => hidePanel() }, 'Annuleren');
  const panelError = h('p', { class: 'form-error', 'aria-live': 'assertive' });
  // Offline while the panel is open: the panel (and what is typed, and the focus) stays; this says why it cannot go yet.
  const panelOffline = h('p', { class: 'handoff__note handoff__offline', hidden: true }, OFFLINE_TEXT);
  const planFacts = h('div', { class: 'handoff__plan' });
  const panel = h('form', { class: 'handoff__panel', id: `${id}-paneel`, novalidate: true,
    'aria-labelledby': panelHeading.id },
  panelHeading, planFacts,
  h('div', { class: 'utrecht-form-field' },
    h('label', { class: 'utrecht-form-label', for: note.id }, 'Toelichting voor de behandelaar'),
    h('p', { class: 'utrecht-form-field-description', id: `${id}-toelichting-hint` },
      `Niet verplicht, hoogstens ${NOTE_MAX} tekens. Bijvoorbeeld wat je al weet of wat je van de afdeling vraagt. Geen namen of andere persoonsgegevens.`),
    note),
  panelOffline, panelError,
  h('div', { class: 'utrecht-button-group handoff__buttons' }, confirm, cancel));
  panel.addEventListener('input', () => { panelError.textContent = ''; });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !sending) { event.preventDefault(); hidePanel(); }
  });
  panel.addEventListener('submit', async (event) => {
    event.preventDefault();
    await doSend({ note: note.value.trim() }, confirm);
  });

  function drawPlan() {
    const rows = [
      ['Wordt een zaak van het type', plan?.zaaktype_omschrijving || 'het zaaktype dat de beheerder voor dit onderwerp heeft ingesteld'],
      ['Vertrouwelijkheid', confidentialityText(plan?.vertrouwelijkheidaanduiding)],
    ].filter(([, v]) => v);
    planFacts.replaceChildren(
      h('dl', { class: 'detail-list handoff__facts' }, rows.flatMap(([t, v]) => [h('dt', {}, t), h('dd', {}, v)])),
      h('p', { class: plan?.sends_description ? 'handoff__description' : 'handoff__personal' }, descriptionText(plan, kind)),
      h('p', { class: 'handoff__what' }, whatGoesText(plan, kind)));
  }

  function showPanel() {
    if (sending || !plan?.allowed) return;
    open = true;
    message.textContent = '';
    panelError.textContent = '';
    draw();
    panelHeading.focus();
  }

  function hidePanel({ focus = true } = {}) {
    open = false;
    draw();
    if (focus && openButton.isConnected) openButton.focus();
  }

  // --- sending ------------------------------------------------------------------------
  async function doSend(payload, button) {
    if (sending) return; // a second tap while the first is on its way sends nothing more
    if (!online()) {
      (open ? panelError : message).textContent = OFFLINE_TEXT;
      return;
    }
    sending = true;
    message.textContent = ''; // the last try's failure is no longer the news
    for (const b of [confirm, cancel, retry]) b.disabled = true;
    button.textContent = button === retry ? 'Wordt opnieuw geprobeerd…' : 'Wordt doorgezet…';
    let answer;
    const via = viaId();
    try {
      const bodyOut = payload.note ? { note: payload.note } : {};
      answer = await (via && viaKwestie ? viaKwestie.send(via, bodyOut) : send(bodyOut));
    } catch (e) {
      (open ? panelError : message).textContent = sendFailure(e, { inPanel: open });
      return;
    } finally {
      sending = false;
      for (const b of [confirm, cancel, retry]) b.disabled = false;
      confirm.textContent = 'Doorzetten';
      retry.textContent = 'Opnieuw proberen';
    }
    if (ended) return;
    open = false;
    note.value = '';
    const next = answer && typeof answer === 'object' && answer.state ? answer : { state: 'queued' };
    // The kwestie's own ZaakRef has no kwestie_id: on this signal it is still the kwestie's zaak.
    setZaak(via && !next.kwestie_id ? { ...next, kwestie_id: via } : next);
    stateLine.focus();
    onSent?.(zaak);
  }

  const retry = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action handoff__retry',
    onclick: () => doSend({}, retry) }, 'Opnieuw proberen');

  // --- what the section shows -----------------------------------------------------------
  /** The kwestie whose zaak this signal's is (null: its own, none, or this is a kwestie). */
  function viaId() {
    return kind === 'signaal' && typeof zaak?.kwestie_id === 'string' && zaak.kwestie_id ? zaak.kwestie_id : null;
  }

  function drawVia() {
    const via = viaId();
    viaLine.hidden = !via;
    if (!via) {
      viaLine.replaceChildren();
      return;
    }
    if (!titles.has(via) && viaKwestie?.title) {
      titles.set(via, null);
      Promise.resolve(viaKwestie.title(via)).then((t) => {
        if (typeof t === 'string' && t.trim()) { titles.set(via, t.trim()); draw(); }
      }).catch(() => {});
    }
    const title = titles.get(via);
    const text = title ? `Doorgezet met kwestie ${title}` : 'Doorgezet met een kwestie: bekijk de kwestie';
    if (viaLine.textContent === text) return;
    const href = `/kwesties/${encodeURIComponent(via)}`;
    viaLine.replaceChildren(...(title
      ? ['Doorgezet met kwestie ', h('a', { href, class: 'utrecht-link' }, title)]
      : ['Doorgezet met een kwestie: ', h('a', { href, class: 'utrecht-link' }, 'bekijk de kwestie')]));
  }

  function draw() {
    if (ended) return;
    drawVia();
    const text = zaakStateText(zaak);
    if (stateLine.textContent !== (text ?? '')) {
      // The zaaknummer in one piece (not broken at its dashes); the same words for screen readers.
      const number = zaak?.state === 'done' && zaak.identificatie && text.endsWith(zaak.identificatie) ? zaak.identificatie : null;
      stateLine.replaceChildren(...(number
        ? [text.slice(0, -number.length), h('span', { class: 'zaak__nummer' }, number)] : [text ?? '']));
    }
    stateLine.hidden = !text;
    stateLine.dataset.state = zaak?.state ?? '';
    const parts = [];
    const isOnline = online();
    if (zaak) {
      parts.push(zaakView(zaak));
      if (zaak.state === 'failed' && (plan?.allowed || (lead && !plan))) {
        parts.push(isOnline ? h('div', { class: 'utrecht-button-group' }, retry)
          : h('p', { class: 'handoff__note' }, OFFLINE_TEXT));
      }
    } else if (!isOnline && !(open && plan?.allowed)) {
      if (lead || plan?.allowed) parts.push(h('p', { class: 'handoff__note' }, OFFLINE_TEXT));
    } else if (plan?.allowed) {
      panelOffline.hidden = isOnline;
      openButton.setAttribute('aria-expanded', String(open));
      parts.push(openButton);
      if (open) {
        drawPlan();
        parts.push(panel);
      }
    } else if (plan && lead) {
      parts.push(h('p', { class: 'handoff__note' }, refusalText(plan)));
    } else if (planError && lead) {
      parts.push(h('p', { class: 'handoff__note' }, planError));
    }
    openButton.hidden = open; // the panel's own buttons take over while it is open
    // Keep the panel (and what is typed in it) when drawn again: same nodes, not new ones.
    if (parts.length !== body.childNodes.length || parts.some((p, i) => body.childNodes[i] !== p)) body.replaceChildren(...parts);
    el.hidden = !text && !parts.length && !message.textContent;
  }

  /** Take the zaak as it is now; a preview asked for another owner (signal or kwestie) no longer holds. */
  function takeZaak(next) {
    zaak = next ?? null;
    if (plan && viaId() !== planFor) { plan = null; planError = null; }
  }

  function setZaak(next) {
    takeZaak(next);
    draw();
    schedule();
  }

  // --- asking the server ------------------------------------------------------------
  async function askPlan() {
    if (asking || !online() || ended) return;
    asking = true;
    const via = viaId();
    try {
      plan = await (via && viaKwestie ? viaKwestie.preview(via) : preview());
      planFor = via;
      planError = null;
    } catch (e) {
      plan = null;
      planError = e?.status === 0 ? OFFLINE_TEXT : e?.status === 403 ? null
        : e?.detail || 'Of doorzetten kan, is nu niet na te gaan. Probeer het later opnieuw.';
    } finally {
      asking = false;
    }
    draw();
  }

  function stillShown() {
    if (ended) return false;
    if (!el.isConnected) { destroy(); return false; } // the user left the screen: stop asking
    return true;
  }

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!zaakBusy(zaak) || !loadZaak || ended) return;
    timer = setTimeout(async () => {
      if (!stillShown()) return;
      try {
        const next = await loadZaak();
        wait = pollMs;
        if (!stillShown()) return;
        if (next !== undefined && JSON.stringify(next) !== JSON.stringify(zaak)) {
          takeZaak(next);
          draw();
          if (zaak?.state === 'failed' && !plan) askPlan(); // may they try again?
        }
      } catch {
        wait = Math.min(wait * 2, POLL_MAX_MS); // offline or a hiccup: ask again, less often
      }
      schedule();
    }, wait);
  }

  const onNet = () => {
    if (!stillShown()) return;
    draw();
    if (online() && !plan && (!zaak || zaak.state === 'failed')) askPlan();
  };
  globalThis.addEventListener?.('online', onNet);
  globalThis.addEventListener?.('offline', onNet);

  function destroy() {
    ended = true;
    clearTimeout(timer);
    timer = null;
    globalThis.removeEventListener?.('online', onNet);
    globalThis.removeEventListener?.('offline', onNet);
  }

  const ready = (async () => {
    draw();
    if (loadFirst && loadZaak && online()) {
      try {
        const fresh = await loadZaak();
        if (fresh !== undefined) takeZaak(fresh);
      } catch {
        /* the zaak the caller had stands */
      }
    }
    draw();
    // The preview only when it matters: nothing handed off yet, or a failed hand-off to retry.
    if (!zaak || zaak.state === 'failed') await askPlan();
    schedule();
    el.dataset.handoff = 'klaar'; // drawn with the server's answers (the browser tests wait for it)
  })();

  return {
    destroy,
    ready,
    get zaak() {
      return zaak;
    },
  };
}
