// "In de buurt": on the capture screen, the earlier signals of the same category close to
// the new one's location. The user may say the new signal "hoort bij" one of them (one at
// most, or none) and, online, add it to a kwestie that earlier signal is part of.
import { h } from '../dom.js';
import { local, fullDate } from './dates.js';
import { RADIUS_M, WEEKS } from '../store/nearby.js';

export const EMPTY_TEXT = `Geen signalen van deze categorie in de buurt (${RADIUS_M} m, ${WEEKS} weken).`;
const WORDS = 12;
let counter = 0;

/** The first words of a description, with "…" when there is more. */
export function firstWords(text, count = WORDS) {
  const words = String(text ?? '').trim().split(/\s+/).filter(Boolean);
  return words.length > count ? `${words.slice(0, count).join(' ')}…` : words.join(' ');
}

/** "op 120 m" (whole metres, Dutch number format). */
export function distanceText(metres) {
  return `op ${Math.round(metres).toLocaleString('nl-NL')} m`;
}

/**
 * The region. `update(items, {categories})` redraws it; `clear()` hides it (no location or
 * no category yet); `value()` is what the user chose: {related_to, kwestie_ids}.
 */
export function createNearbyRegion({ onChange } = {}) {
  const id = `in-de-buurt-${++counter}`;
  const heading = h('h3', { class: 'nearby__title', id: `${id}-title` }, 'In de buurt');
  const intro = h('p', { class: 'field-hint nearby__intro' });
  const body = h('div', { class: 'nearby__body' });
  const el = h('section', { class: 'nearby', 'aria-labelledby': heading.id, hidden: true }, heading, intro, body);
  let choice = { related_to: null, kwestie_ids: [] };

  const changed = () => onChange?.(choice);

  function update(items, { categories = [], pending = false } = {}) {
    el.hidden = false;
    // What was chosen stays chosen while it is still listed (e.g. after the server's answer).
    const ids = new Set(items.map((i) => i.signal.id));
    if (choice.related_to && !ids.has(choice.related_to)) choice = { related_to: null, kwestie_ids: [] };
    const kwestieIds = new Set(items.flatMap((i) => (i.kwesties ?? []).map((k) => k.id)));
    choice = { ...choice, kwestie_ids: choice.kwestie_ids.filter((k) => kwestieIds.has(k)) };
    if (!items.length) {
      intro.textContent = pending ? 'Signalen in de buurt worden gezocht…' : EMPTY_TEXT;
      body.replaceChildren();
      return;
    }
    intro.textContent = `Signalen van dezelfde categorie binnen ${RADIUS_M} m in de laatste ${WEEKS} weken. `
      + 'Gaat het nieuwe signaal over hetzelfde? Kies dan "Hoort bij dit signaal".';
    const name = `${id}-hoort-bij`;
    const noneId = `${id}-geen`;
    const none = h('input', { type: 'radio', name, id: noneId, value: '', class: 'nearby__radio', checked: !choice.related_to });
    none.addEventListener('change', () => { if (none.checked) { choice = { ...choice, related_to: null }; changed(); } });
    const list = h('ul', { class: 'nearby__list' }, items.map((item, n) => {
      const s = item.signal;
      const cat = categories.find((c) => c.code === s.category)?.name ?? 'Signaal';
      const when = local(s.observed_at ?? s.created_at);
      const summaryId = `${id}-item-${n}`;
      const radioId = `${id}-radio-${n}`;
      const radio = h('input', { type: 'radio', name, id: radioId, value: s.id, class: 'nearby__radio',
        'aria-describedby': summaryId, checked: choice.related_to === s.id });
      radio.addEventListener('change', () => { if (radio.checked) { choice = { ...choice, related_to: s.id }; changed(); } });
      const kwesties = (item.kwesties ?? []).map((k) => {
        const box = h('input', { type: 'checkbox', id: `${id}-kw-${n}-${k.id}`, class: 'nearby__check',
          'aria-describedby': summaryId, checked: choice.kwestie_ids.includes(k.id) });
        box.addEventListener('change', () => {
          const rest = choice.kwestie_ids.filter((x) => x !== k.id);
          choice = { ...choice, kwestie_ids: box.checked ? [...rest, k.id] : rest };
          changed();
        });
        return h('div', { class: 'checkbox-row nearby__choice' }, box,
          h('label', { for: box.id }, `Toevoegen aan kwestie ${k.title}`));
      });
      return h('li', { class: 'nearby__item' },
        h('div', { id: summaryId, class: 'nearby__summary' },
          h('p', { class: 'nearby__what' }, `${cat}${s.kern?.name ? ` in ${s.kern.name}` : ''}`),
          h('p', { class: 'nearby__meta' }, [when ? fullDate(when) : null, distanceText(item.distance_m)].filter(Boolean).join(' · ')),
          h('p', { class: 'nearby__words' }, firstWords(s.description))),
        h('div', { class: 'checkbox-row nearby__choice' }, radio, h('label', { for: radioId }, 'Hoort bij dit signaal')),
        ...kwesties);
    }));
    body.replaceChildren(
      h('fieldset', { class: 'nearby__fieldset' },
        h('legend', { class: 'visually-hidden' }, 'Hoort het nieuwe signaal bij een eerder signaal?'),
        list,
        h('div', { class: 'checkbox-row nearby__choice nearby__none' }, none, h('label', { for: noneId }, 'Hoort bij geen van deze'))));
  }

  function clear() {
    el.hidden = true;
    body.replaceChildren();
    intro.textContent = '';
    choice = { related_to: null, kwestie_ids: [] };
  }

  return { el, update, clear, value: () => ({ ...choice, kwestie_ids: [...choice.kwestie_ids] }) };
}
