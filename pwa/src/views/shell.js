// The app shell after log-in: header with the user, the main actions and the
// one role="status" element that always tells the sync state in words.
import { h } from '../dom.js';
import { brandHeader } from './login.js';
import { pendingCount, statusText } from '../sync/status.js';
import { renderCaptureForm } from './capture.js';
import { createSignalList } from './list.js';
import { downscale } from '../photo.js';

const ROLE_LABELS = {
  gebiedsregisseur: 'Gebiedsregisseur',
  teamleider: 'Teamleider',
  beheerder: 'Beheerder',
};

const MAP_ROLES = new Set(['teamleider', 'beheerder']);

function roleLabel(role) {
  return ROLE_LABELS[role] || role || 'Onbekende rol';
}

/**
 * @param {HTMLElement} root
 * @param {{me: {username: string, role: string, areas?: any[]}|null,
 *          username?: string,
 *          categories?: any[]|null,
 *          onLogout: () => void}} options
 */
export function renderShell(root, { me, username, categories = null, onLogout, onCapture, locate, mountMap,
  onEdit, onDelete, onDismiss, onSyncNow, onOpenMap, onOpenAlerts, onOpenKwesties }) {
  document.title = 'Gebiedsradar';
  const cleanups = [];

  // --- header: brand, user, log out ---------------------------------------
  const userName = h('span', { class: 'app-user__name' });
  const userRole = h('span', { class: 'app-user__role' });
  const logout = h(
    'button',
    { type: 'button', class: 'utrecht-button utrecht-button--secondary-action app-user__logout', onclick: () => onLogout?.() },
    'Uitloggen',
  );
  const user = h('div', { class: 'app-user' }, h('p', { class: 'app-user__who' }, userName, userRole), logout);
  const header = brandHeader(user);

  // --- sync status: exactly one role="status" -----------------------------
  const status = h('p', { role: 'status', class: 'sync-status', 'aria-live': 'polite' });
  async function refreshStatus() {
    let pending = 0;
    try {
      pending = await pendingCount();
    } catch {
      pending = 0;
    }
    const online = navigator.onLine !== false;
    const text = statusText(pending, online);
    if (status.textContent !== text) status.textContent = text;
    status.dataset.state = pending > 0 ? 'waiting' : 'done';
    status.dataset.online = String(online);
  }
  status.textContent = statusText(0, navigator.onLine !== false);
  for (const type of ['online', 'offline']) {
    window.addEventListener(type, refreshStatus);
    cleanups.push(() => window.removeEventListener(type, refreshStatus));
  }
  refreshStatus();

  // --- actions with their panels --------------------------------------------
  const panelsBox = h('div', { class: 'panels' });
  const actions = h('div', { class: 'utrecht-button-group actions' });
  const toggles = [];

  function addPanel(id, label, heading, ...content) {
    const panel = h(
      'section',
      { id, class: 'panel', hidden: true, 'aria-labelledby': `${id}-title` },
      h('h2', { class: 'utrecht-heading-2', id: `${id}-title`, tabindex: '-1' }, heading),
      ...content,
    );
    const button = h(
      'button',
      {
        type: 'button',
        class: 'utrecht-button utrecht-button--primary-action',
        'aria-expanded': 'false',
        'aria-controls': id,
        onclick() {
          const open = panel.hidden;
          for (const t of toggles) {
            t.panel.hidden = true;
            t.button.setAttribute('aria-expanded', 'false');
          }
          if (open) {
            panel.hidden = false;
            button.setAttribute('aria-expanded', 'true');
            panel.querySelector('h2').focus();
          }
        },
      },
      label,
    );
    toggles.push({ button, panel });
    actions.append(button);
    panelsBox.append(panel);
    return { button, panel };
  }

  const categoryNote = h('p', { class: 'utrecht-paragraph panel__note' });
  const formBox = h('div', { class: 'capture' });
  const saved = h('p', { class: 'utrecht-paragraph capture__saved', 'aria-live': 'polite' });
  addPanel('panel-signaal', 'Nieuw signaal', 'Nieuw signaal', categoryNote, formBox, saved);
  // "Signaal opgeslagen (Ens)." is about the last one: it goes once the next is being filled in.
  for (const type of ['input', 'change']) formBox.addEventListener(type, () => { saved.textContent = ''; });
  let formFor = null;
  function renderForm(list) {
    if (!onCapture || formFor === list) return;
    formFor = list;
    renderCaptureForm(formBox, {
      categories: list || [],
      locate,
      mountMap,
      preparePhoto: downscale,
      async onSave(fields, photo) {
        const local = await onCapture(fields, photo);
        saved.textContent = local?.kern
          ? `Signaal opgeslagen (${local.kern.name}).`
          : 'Signaal opgeslagen.';
        refreshStatus();
      },
    });
  }

  if (onOpenAlerts) {
    const alertsPanel = addPanel('panel-waarschuwingen', 'Waarschuwingen', 'Waarschuwingen', h('div', { class: 'alerts' }));
    alertsPanel.button.classList.replace('utrecht-button--primary-action', 'utrecht-button--secondary-action');
    alertsPanel.button.addEventListener('click', () => {
      if (!alertsPanel.panel.hidden) onOpenAlerts(alertsPanel.panel.querySelector('.alerts'), currentRole, formFor || categories || []);
    });
  }

  /** A panel only some roles see: added when the role allows it, removed when not.
   *  onOpen(box) runs when the panel opens: every time, or only the first time (`once`). */
  function rolePanel(id, label, box, onOpen, { once = false } = {}) {
    let added = null;
    return (role) => {
      const allowed = MAP_ROLES.has(role);
      if (allowed && !added) {
        const panel = addPanel(id, label, label, h('div', { class: box }));
        added = panel;
        panel.button.classList.replace('utrecht-button--primary-action', 'utrecht-button--secondary-action');
        let opened = false;
        panel.button.addEventListener('click', () => {
          if (panel.panel.hidden || (once && opened)) return;
          opened = true;
          onOpen(panel.panel.querySelector(`.${box}`));
        });
      } else if (!allowed && added) {
        added.button.remove();
        added.panel.remove();
        toggles.splice(toggles.indexOf(added), 1);
        added = null;
      }
    };
  }

  // The heatmap is drawn once (Leaflet keeps its state); the kwesties are fetched on every opening.
  const syncMapButton = rolePanel('panel-kaart', 'Kaart', 'heatmap',
    (el) => onOpenMap?.(el, formFor || categories || []), { once: true });
  const syncKwestiesButton = onOpenKwesties
    ? rolePanel('panel-kwesties', 'Kwesties', 'kwesties', (el) => onOpenKwesties(el, formFor || categories || []))
    : () => {};

  let currentRole = me?.role ?? null;
  function setMe(next, fallbackName) {
    currentRole = next?.role ?? currentRole;
    userName.textContent = next?.username || fallbackName || 'Ingelogd';
    userRole.textContent = next?.role ? roleLabel(next.role) : '';
    userRole.hidden = !next?.role;
    syncMapButton(next?.role);
    syncKwestiesButton(next?.role);
  }

  function setCategories(list) {
    renderForm(Array.isArray(list) && list.length ? list : formFor);
    if (Array.isArray(list) && list.length) {
      categoryNote.textContent = 'Melden kan ook zonder internet: de app verstuurt het signaal zodra er verbinding is.';
      categoryNote.hidden = false;
    } else {
      categoryNote.textContent = '';
      categoryNote.hidden = true;
    }
  }

  const heading = h('h1', { class: 'utrecht-heading-1', tabindex: '-1' }, 'Signalen');
  const update = h('div', { class: 'update-offer', hidden: true });
  const listBox = h('section', { class: 'signals', 'aria-label': 'Signalen op dit apparaat' });
  const syncButton = onSyncNow ? h('button', {
    type: 'button', class: 'utrecht-button utrecht-button--secondary-action sync-now',
    async onclick() {
      syncButton.disabled = true;
      try { await onSyncNow(); } finally { syncButton.disabled = false; }
    },
  }, 'Nu verzenden') : null;
  const main = h('main', { id: 'main', class: 'app-main' }, heading, status, syncButton, update, actions, panelsBox, listBox);

  const signalList = createSignalList(listBox, { onEdit, onDelete, onDismiss });
  /** Redraw the list of signals on this device (after every sync and change). */
  function showSignals(data) {
    signalList.update({ ...data, categories: formFor || categories || [], me: me?.username || username });
  }

  /** A new app version waits while signals wait to be sent: let the user choose. */
  let installUpdate = null;
  function offerUpdate(install) {
    installUpdate = install; // asked again after every sync: keep the same button
    if (!update.hidden) return;
    update.replaceChildren(
      h('p', { class: 'utrecht-paragraph' }, 'Er is een nieuwe versie van de app. Je signalen blijven bewaard.'),
      h('button', { type: 'button', class: 'utrecht-button utrecht-button--secondary-action',
        onclick: () => installUpdate?.() }, 'Nieuwe versie installeren'),
    );
    update.hidden = false;
  }

  setMe(me, username);
  setCategories(categories);
  root.replaceChildren(header, main);

  return {
    setMe: (next) => setMe(next, username),
    setCategories,
    refreshStatus,
    offerUpdate,
    showSignals,
    focus: () => heading.focus(),
    destroy: () => cleanups.splice(0).forEach((fn) => fn()),
  };
}
