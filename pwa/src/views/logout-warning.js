// The question before logging out while signals still wait to be sent. What
// waits stays on the device, bound to this user: nobody else sends it, and it
// goes out when this user signs in again (store/logout.js).
import { h } from '../dom.js';

/** "Er wachten nog 2 signalen op verzending." */
export function waitingText(count) {
  return count === 1 ? 'Er wacht nog 1 signaal op verzending.' : `Er wachten nog ${count} signalen op verzending.`;
}

/** What happens to them when the user logs out anyway. */
export function afterText(count) {
  const [it, is] = count === 1 ? ['het', 'blijft'] : ['ze', 'blijven'];
  const sent = count === 1 ? 'wordt het' : 'worden ze';
  return `Als je nu uitlogt, ${is} ${it} op dit apparaat bewaard en ${sent} pas verzonden als jij weer inlogt. ` +
    `Wie na jou inlogt, ziet ${it} niet en verstuurt ${it} niet.`;
}

/**
 * Ask the user, in a modal dialog, whether to stay (and send) or log out anyway.
 * @param {number} count signals waiting
 * @param {{parent?: HTMLElement}} [options]
 * @returns {Promise<'stay'|'logout'>} 'stay' also when the dialog is closed with Escape
 */
export function askBeforeLogout(count, { parent = document.body } = {}) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'logout-warning', 'aria-labelledby': 'logout-warning-title',
      'aria-describedby': 'logout-warning-text' });
    function close(choice) {
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      dialog.remove();
      resolve(choice);
    }
    const stay = h('button', { type: 'button', class: 'utrecht-button utrecht-button--primary-action',
      onclick: () => close('stay') }, 'Ingelogd blijven en verzenden');
    const leave = h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
      onclick: () => close('logout') }, 'Toch uitloggen');
    dialog.append(
      h('h2', { class: 'utrecht-heading-2', id: 'logout-warning-title' }, 'Nog niet alles is verzonden'),
      h('div', { id: 'logout-warning-text' },
        h('p', { class: 'utrecht-paragraph' }, waitingText(count)),
        h('p', { class: 'utrecht-paragraph' }, afterText(count))),
      h('div', { class: 'utrecht-button-group' }, stay, leave));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault(); // Escape: the safe choice
      close('stay');
    });
    parent.append(dialog);
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    stay.focus();
  });
}
