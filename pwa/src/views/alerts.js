// Early-warning alerts for team leads and the area's director: what fired and why,
// with "Bekeken" and (team leads) "Maak kwestie".
import { h } from '../dom.js';

const STATUS = { nieuw: 'Nieuw', bekeken: 'Bekeken', kwestie: 'Kwestie', afgewezen: 'Afgewezen' };

/**
 * @param {HTMLElement} container
 * @param {{fetchAlerts: () => Promise<object[]>, acknowledge?: (id: string) => Promise<object>,
 *          makeKwestie?: (id: string) => Promise<object>}} options
 */
export async function renderAlerts(container, { fetchAlerts, acknowledge, makeKwestie }) {
  const message = h('p', { class: 'utrecht-paragraph', 'aria-live': 'polite' });
  const list = h('ul', { class: 'alert-list' });
  container.replaceChildren(message, list);

  async function draw() {
    let alerts;
    try {
      alerts = await fetchAlerts();
    } catch (e) {
      message.textContent = e?.detail || 'De waarschuwingen werken alleen met internet.';
      return;
    }
    message.textContent = alerts.length ? `${alerts.length} waarschuwing(en).` : 'Geen waarschuwingen.';
    list.replaceChildren(...alerts.map((a) => h('li', { class: 'alert-item' },
      h('h3', { class: 'utrecht-heading-3' }, a.title),
      h('p', { class: 'utrecht-paragraph' }, a.why),
      h('p', { class: 'alert-item__status' }, `Status: ${STATUS[a.status] ?? a.status} · ${a.signal_ids.length} signalen`),
      h('div', { class: 'utrecht-button-group' },
        a.status === 'nieuw' && acknowledge ? h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
          async onclick() { await act(() => acknowledge(a.id), 'Gemarkeerd als bekeken.'); } }, 'Bekeken') : null,
        ['nieuw', 'bekeken'].includes(a.status) && makeKwestie ? h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
          async onclick() { await act(() => makeKwestie(a.id), 'Kwestie gemaakt.'); } }, 'Maak kwestie') : null))));
  }

  async function act(fn, done) {
    try {
      await fn();
      await draw();
      message.textContent = done;
    } catch (e) {
      message.textContent = e?.detail || 'Dat lukte niet. Probeer het opnieuw.';
    }
  }

  await draw();
}
