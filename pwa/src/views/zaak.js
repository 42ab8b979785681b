// A signal's or kwestie's zaak in the municipality's case system (the ZaakRef the server
// puts on GET /signals/{id} and GET /kwesties/{id} as `zaak`), in words: where the
// hand-off is, the zaak's number, its status and result, and a link to open it.
import { h } from '../dom.js';
import { dateTime } from './dates.js';

/** States in which the server is still working on the hand-off (the screen asks again). */
export const BUSY_STATES = new Set(['queued', 'sending']);

/** Whether this zaak is still on its way (queued or being sent). */
export const zaakBusy = (zaak) => Boolean(zaak && BUSY_STATES.has(zaak.state));

/**
 * The hand-off's state in one sentence: "In de wachtrij", "Wordt verstuurd",
 * "Doorgezet als zaak ZAAK-2026-0000000001", "Mislukt: <reden>". Null without a zaak.
 */
export function zaakStateText(zaak) {
  if (!zaak) return null;
  // While it is retried after a passing fault, the server says what went wrong (and that it retries).
  const last = String(zaak.error ?? '').trim();
  switch (zaak.state) {
    case 'queued': return last ? `In de wachtrij. ${last}` : 'In de wachtrij: wordt zo naar het zaaksysteem gestuurd.';
    case 'sending': return last ? `Wordt opnieuw verstuurd naar het zaaksysteem… Vorige poging: ${last}`
      : 'Wordt verstuurd naar het zaaksysteem…';
    case 'done': return zaak.identificatie ? `Doorgezet als zaak ${zaak.identificatie}` : 'Doorgezet naar het zaaksysteem';
    case 'failed': {
      const why = String(zaak.error ?? '').trim();
      return `Mislukt: ${why || 'het zaaksysteem gaf geen reden.'}`;
    }
    default: return 'De stand van het doorzetten is onbekend.';
  }
}

/** A link a person can open: http(s) only (never javascript: or a data: URL from elsewhere). */
export function safeLink(url) {
  if (typeof url !== 'string' || !url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The facts of a zaak as [term, value] pairs (only those it has). */
export function zaakFacts(zaak) {
  if (!zaak) return [];
  const rows = [
    // Reserved before the zaak is made (to find it again after a crash): shown once it exists.
    ['Zaaknummer', zaak.state === 'done' ? zaak.identificatie : null],
    ['Status in het zaaksysteem', zaak.status],
    ['Resultaat', zaak.result],
    ['Gevraagd op', dateTime(zaak.requested_at)],
    ['Laatst bijgewerkt', dateTime(zaak.updated_at) !== dateTime(zaak.requested_at) ? dateTime(zaak.updated_at) : null],
  ];
  return rows.filter(([, v]) => v != null && v !== '');
}

/**
 * The zaak as shown on a signal or kwestie: its state in words (the caller puts it in a live
 * region), the facts and, when the server gives a human link (`link`), "Open in zaaksysteem".
 * The API URL (`url`) is not a link for people: it answers JSON and needs a token; the
 * zaaknummer is what a colleague searches for in the case system.
 */
export function zaakView(zaak) {
  const facts = zaakFacts(zaak);
  const link = safeLink(zaak?.link);
  return h('div', { class: `zaak zaak--${zaak?.state ?? 'onbekend'}` },
    facts.length ? h('dl', { class: 'detail-list zaak__facts' }, facts.flatMap(([t, v]) => [h('dt', {}, t), h('dd', {}, v)])) : null,
    link ? h('p', { class: 'zaak__link' }, h('a', { href: link, target: '_blank', rel: 'noopener noreferrer',
      'data-router': 'off' }, 'Open in zaaksysteem', h('span', { class: 'visually-hidden' }, ' (opent in een nieuw venster)'))) : null,
    !link && zaak?.state === 'done' && zaak.identificatie
      // The zaaknummer in one piece (not broken at its dashes), as in the state line.
      ? h('p', { class: 'field-hint zaak__hint' }, 'Zoek in het zaaksysteem op zaaknummer ',
        h('span', { class: 'zaak__nummer' }, zaak.identificatie), '.') : null);
}
