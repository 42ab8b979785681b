// The team lead's overview "Per gebiedsregisseur": open signals per regisseur,
// how many follow-ups are overdue (in words, not colour alone) and how many open
// signals are assigned to them. Online only (GET /stats/regisseurs).
import { h } from '../dom.js';

const nl = (n) => Number(n).toLocaleString('nl-NL');

/** "3 te laat" (marked) or "geen" */
function overdueCell(n) {
  if (!n) return h('td', {}, 'geen');
  return h('td', { class: 'team-overdue' }, h('strong', {}, `${nl(n)} te laat`));
}

/**
 * @param {HTMLElement} container
 * @param {{fetchRegisseurs: () => Promise<{items: {username: string, open: number, overdue: number,
 *          assigned_open: number}[]}>}} options
 */
export async function renderTeam(container, { fetchRegisseurs }) {
  const headingId = 'team-title';
  const message = h('p', { class: 'utrecht-paragraph', 'aria-live': 'polite' }, 'Overzicht wordt geladen…');
  const box = h('div', { class: 'team-table' });
  container.replaceChildren(
    h('h2', { class: 'utrecht-heading-2', id: headingId }, 'Per gebiedsregisseur'), message, box);
  let items;
  try {
    items = (await fetchRegisseurs())?.items ?? [];
  } catch (e) {
    message.textContent = e?.status === 0 || globalThis.navigator?.onLine === false
      ? 'Het overzicht per gebiedsregisseur werkt alleen met internet.'
      : e?.detail || 'Het overzicht per gebiedsregisseur kon niet worden geladen.';
    return;
  }
  if (!items.length) {
    message.textContent = 'Er zijn nog geen gebiedsregisseurs met signalen.';
    return;
  }
  const overdue = items.reduce((n, r) => n + (r.overdue || 0), 0);
  message.textContent = overdue
    ? `${nl(overdue)} ${overdue === 1 ? 'signaal is' : 'signalen zijn'} te laat opgevolgd.`
    : 'Geen signalen te laat opgevolgd.';
  // Most overdue first, then most open.
  const rows = [...items].sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.username.localeCompare(b.username));
  box.replaceChildren(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': headingId },
    h('table', { class: 'utrecht-table team-table' },
      h('caption', {}, 'Open signalen per gebiedsregisseur, te laat opgevolgd en aan hen toegewezen'),
      h('thead', {}, h('tr', {}, ['Regisseur', 'Open signalen', 'Te laat', 'Aan hen toegewezen']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', { class: r.overdue ? 'team-row--overdue' : null },
        h('th', { scope: 'row' }, r.username),
        h('td', {}, nl(r.open)),
        overdueCell(r.overdue),
        h('td', {}, nl(r.assigned_open))))))));
}
