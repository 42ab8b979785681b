// The log-in screen. Accessible names are fixed by the contract:
// fields "Gebruikersnaam" and "Wachtwoord", button "Inloggen".
import { h } from '../dom.js';
import { fetchMe, login as apiLogin, NETWORK_ERROR_DETAIL } from '../api.js';
import { saveMe, saveToken } from '../store/db.js';

export function brandHeader(...extra) {
  return h(
    'header',
    { class: 'app-header' },
    h(
      'div',
      { class: 'app-header__inner' },
      h(
        'div',
        { class: 'app-brand' },
        h('img', { class: 'app-brand__logo', src: '/icons/icon-192.png', alt: '', width: '40', height: '40' }),
        h('span', { class: 'app-brand__text' }, h('span', { class: 'app-brand__name' }, 'Gebiedsradar'), h('span', { class: 'app-brand__org' }, 'Gemeente Noordoostpolder')),
      ),
      ...extra,
    ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {{onLoggedIn: (token: string, username: string) => void, message?: string}} options
 */
export function renderLogin(root, { onLoggedIn, message } = {}) {
  document.title = 'Inloggen – Gebiedsradar';

  const username = h('input', {
    id: 'login-username',
    name: 'username',
    type: 'text',
    class: 'utrecht-textbox utrecht-textbox--html-input',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
  });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    class: 'utrecht-textbox utrecht-textbox--html-input utrecht-textbox--password',
    autocomplete: 'current-password',
    required: true,
  });
  const button = h(
    'button',
    { type: 'submit', class: 'utrecht-button utrecht-button--primary-action' },
    'Inloggen',
  );
  const errorSlot = h('div', { class: 'login__error' });
  const heading = h('h1', { class: 'utrecht-heading-1', tabindex: '-1' }, 'Inloggen');

  function showError(text) {
    errorSlot.replaceChildren(
      h('div', { class: 'utrecht-alert utrecht-alert--error', role: 'alert' }, h('p', { class: 'utrecht-paragraph' }, text)),
    );
  }

  function field(input, label, hint) {
    const hintId = hint ? `${input.id}-hint` : null;
    if (hintId) input.setAttribute('aria-describedby', hintId);
    return h(
      'div',
      { class: 'utrecht-form-field utrecht-form-field--text' },
      h('div', { class: 'utrecht-form-field__label' }, h('label', { class: 'utrecht-form-label', for: input.id }, label)),
      hint ? h('div', { class: 'utrecht-form-field-description', id: hintId }, hint) : null,
      h('div', { class: 'utrecht-form-field__input' }, input),
    );
  }

  const form = h(
    'form',
    {
      class: 'login__form',
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault();
        const user = username.value.trim();
        const pass = password.value;
        if (!user || !pass) {
          showError('Vul je gebruikersnaam en je wachtwoord in.');
          (user ? password : username).focus();
          return;
        }
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
        button.classList.add('utrecht-button--busy');
        errorSlot.replaceChildren();
        try {
          const result = await apiLogin(user, pass);
          // The server's spelling of the name: it owns what is made in this session.
          const me = await fetchMe(result.access_token).catch(() => null);
          const name = me?.username || user.toLowerCase();
          await saveToken(result, Date.now(), { username: name });
          if (me) await saveMe(me);
          onLoggedIn?.(result.access_token, name);
        } catch (err) {
          const text = err && typeof err.detail === 'string' ? err.detail : NETWORK_ERROR_DETAIL;
          showError(text);
          if (err?.status === 401) {
            password.value = '';
            password.focus();
          }
        } finally {
          button.disabled = false;
          button.removeAttribute('aria-busy');
          button.classList.remove('utrecht-button--busy');
        }
      },
    },
    field(username, 'Gebruikersnaam'),
    field(password, 'Wachtwoord'),
    errorSlot,
    h('div', { class: 'login__actions' }, button),
  );

  const main = h(
    'main',
    { id: 'main', class: 'login' },
    h(
      'div',
      { class: 'login__card' },
      heading,
      h('p', { class: 'utrecht-paragraph' }, 'Log in met je account van de gemeente Noordoostpolder.'),
      form,
    ),
  );

  root.replaceChildren(brandHeader(), main);
  if (message) showError(message);
  return { focus: () => heading.focus() };
}
