// What the server said about the user's change of a signal that someone else also changed,
// in words: shared by the list (views/list.js) and the signal's own screen (views/detail.js).

const STATUS_LABELS = {
  nieuw: 'Nieuw', in_behandeling: 'In behandeling', doorgezet: 'Doorgezet', afgesloten: 'Afgesloten',
};

/** Field names as a user knows them (the form's labels, in lower case mid-sentence). */
const FIELD_NAMES = {
  category: 'categorie', subcategory: 'subcategorie', description: 'omschrijving', urgency: 'urgentie',
  source: 'bron', location: 'locatie', observed_at: 'waarnemingstijd', status: 'status',
  contains_personal_data: 'persoonsgegevens', attachments: "foto's", follow_up_date: 'opvolgdatum',
  assignee: 'toegewezen aan', assignment_note: 'overdrachtsnotitie', related_to: 'hoort bij',
};

function labelOf(statusLabel, code) {
  if (typeof statusLabel === 'function') return statusLabel(code) ?? STATUS_LABELS[code] ?? code;
  return statusLabel?.[code] ?? STATUS_LABELS[code] ?? code;
}

/**
 * The text for a conflict notice (kind 'conflict', as stored by the sync engine); null for
 * another kind of notice (rejected, removed), which the caller words itself.
 * `statusLabel`: a status code's Dutch label, as a function or an object (optional; the
 * app's own labels otherwise).
 * A change the server did not take (`notice.lost`) is named with the value the user chose:
 * "Jouw wijziging (Doorgezet) is niet doorgevoerd: het signaal was al afgesloten."
 */
export function conflictText(notice, statusLabel) {
  if (notice?.kind && notice.kind !== 'conflict') return null; // a refusal or removal: not ours
  const lost = notice?.lost ?? {};
  if (Object.hasOwn(lost, 'status')) {
    const wanted = labelOf(statusLabel, lost.status);
    if (notice.server?.status === 'afgesloten' || notice.server == null) {
      return `Jouw wijziging (${wanted}) is niet doorgevoerd: het signaal was al afgesloten.`;
    }
    return `Jouw wijziging (${wanted}) is niet doorgevoerd: iemand anders had de status intussen gewijzigd.`;
  }
  const others = Object.keys(lost);
  if (others.length) {
    const names = others.map((f) => FIELD_NAMES[f] ?? f).join(', ');
    return `Jouw wijziging van ${names} is niet doorgevoerd: iemand anders had dit intussen gewijzigd.`;
  }
  if (notice?.op === 'delete') {
    return 'Dit signaal is niet verwijderd: iemand anders heeft het intussen gewijzigd. ' +
      'Bekijk de wijziging en verwijder het opnieuw als dat nog nodig is.';
  }
  return 'Iemand anders heeft dit signaal ook gewijzigd. Je ziet nu de samengevoegde versie.';
}

/** The sync state of one signal in words (a card in the list, the signal's screen). */
export function syncState(signal, notice) {
  if (notice?.kind === 'rejected') return 'Niet geaccepteerd door de server';
  if (signal._pending) return 'Wacht op verzending';
  if (notice?.op === 'delete') return 'Niet verwijderd: elders gewijzigd';
  if (notice) return 'Ook elders gewijzigd';
  return 'Verzonden';
}
