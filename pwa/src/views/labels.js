// How a signal's category, place and personal-data mark read in lists (signals, alerts, kwesties).
import { h } from '../dom.js';

export const PERSONAL_DATA_LABEL = 'Bevat persoonsgegevens';

/** The mark on a signal that holds personal data: words with a border, not a colour alone. */
export function personalMark(s) {
  return s?.contains_personal_data ? h('span', { class: 'personal-mark' }, PERSONAL_DATA_LABEL) : null;
}

/** For alerts and kwesties with signals outside the user's areas: how many, never what. */
export function hiddenNote(n) {
  if (!n) return null;
  return h('p', { class: 'hidden-note' },
    `Nog ${n} ${n === 1 ? 'signaal' : 'signalen'} buiten je gebieden; ${n === 1 ? 'dat zie' : 'die zie'} je niet.`);
}

/** "Jeugd – Jeugdoverlast": names from the category list, codes when it has none. */
export function signalWhat(categories, s) {
  const cat = (categories || []).find((c) => c.code === s.category);
  const sub = s.subcategory ? (cat?.subcategories ?? []).find((x) => x.code === s.subcategory)?.name ?? s.subcategory : null;
  return [cat?.name ?? s.category, sub].filter(Boolean).join(' – ');
}

/** The kern's name, or why there is none. */
export function signalWhere(s) {
  return s.kern?.name ?? (s.outside_areas ? 'buiten de kernen' : 'geen kern bekend');
}
