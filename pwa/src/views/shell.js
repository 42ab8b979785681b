// The app shell after log-in: header with the user, the Hoofdmenu (one link per
// screen), the screen's h1, the one role="status" element that always tells the
// sync state in words, and one section per screen (router.js picks which shows:
// show(route); only the shown section is in the document).
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
  onEdit, onDelete, onDismiss, onSyncNow, onOpenMap, onOpenAlerts, onOpenKwesties, onOpenSignal, onOpenFollowUp,
  navigate }) {
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

  // --- navigation: one link per screen (Kaart for team leads) -------------
  const links = new Map(); // screen name → <a>
  const navList = h('ul', { class: 'app-nav__list' });
  const nav = h('nav', { class: 'app-nav', 'aria-label': 'Hoofdmenu' }, navList);
  const NAV = [
    ['signalen', '/signalen', 'Signalen'], ['opvolgen', '/opvolgen', 'Opvolgen'], ['kaart', '/kaart', 'Kaart'],
    ['waarschuwingen', '/waarschuwingen', 'Waarschuwingen'], ['kwesties', '/kwesties', 'Kwesties'],
  ];
  function drawNav() {
    navList.replaceChildren(...NAV.filter(([name]) => name !== 'kaart' || MAP_ROLES.has(currentRole))
      .map(([name, href, text]) => {
        const a = links.get(name) ?? h('a', { href, class: 'app-nav__link' }, text);
        links.set(name, a);
        return h('li', {}, a);
      }));
    markCurrent();
  }
  // Which link is "here": the detail belongs to Signalen, a kwestie to Kwesties.
  const NAV_OF = { signaal: 'signalen', kwestie: 'kwesties' };
  function markCurrent() {
    const here = NAV_OF[screen] ?? screen;
    for (const [name, a] of links) {
      if (name === here) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  // --- screens: one section each, shown one at a time ---------------------
  const screensBox = h('div', { class: 'screens' });
  const sections = new Map();
  function section(name, ...content) {
    const el = h('section', { class: `screen screen--${name}`, hidden: true, 'data-screen': name }, ...content);
    sections.set(name, el);
    return el;
  }

  const categoryNote = h('p', { class: 'utrecht-paragraph panel__note' });
  const formBox = h('div', { class: 'capture' });
  const saved = h('p', { class: 'utrecht-paragraph capture__saved', 'aria-live': 'polite', tabindex: '-1' });
  const savedLink = h('a', { class: 'capture__saved-link' }, 'Bekijk het opgeslagen signaal');
  const savedBox = h('div', { class: 'capture__saved-box', hidden: true }, saved, savedLink);
  const clearSaved = () => { saved.textContent = ''; savedBox.hidden = true; };
  section('nieuw', savedBox, categoryNote, formBox);
  // "Signaal opgeslagen (Ens)." is about the last one: it goes once the next is being filled in.
  for (const type of ['input', 'change']) formBox.addEventListener(type, clearSaved);
  let formFor = null;
  let form = null;
  // The form's map (Leaflet) starts only when /nieuw is first shown: the other screens load without it.
  const mapStarts = [];
  function lazyMap(el, onTap) {
    let real = null;
    let pending = null;
    const start = () => {
      real = mountMap(el, onTap);
      if (pending) real?.setPoint(...pending);
    };
    if (screen === 'nieuw') start();
    else mapStarts.push(start);
    return {
      setPoint: (...args) => (real ? real.setPoint(...args) : (pending = args)),
      clearPoint: () => (real ? real.clearPoint?.() : (pending = null)),
    };
  }
  function renderForm(list) {
    if (!onCapture || formFor === list) return;
    formFor = list;
    form = renderCaptureForm(formBox, {
      categories: list || [],
      locate,
      mountMap: mountMap && lazyMap,
      preparePhoto: downscale,
      async onSave(fields, photo) {
        const local = await onCapture(fields, photo);
        saved.textContent = local?.kern
          ? `Signaal opgeslagen (${local.kern.name}).`
          : 'Signaal opgeslagen.';
        savedLink.hidden = !local?.id;
        if (local?.id) savedLink.href = `/signalen/${encodeURIComponent(local.id)}`;
        savedBox.hidden = false;
        refreshStatus();
        // The form is empty again (the capture view resets it after this): say so where the user looks.
        setTimeout(() => {
          if (saved.textContent) {
            saved.focus();
            saved.scrollIntoView?.({ block: 'nearest' });
          }
        }, 0);
      },
    });
  }

  const listBox = h('div', { class: 'signals' });
  section('signalen', listBox);
  const detailBox = h('div', { class: 'signal-screens' }); // holds the signal on display (one .signal-screen)
  section('signaal', detailBox);
  const followBox = h('div', { class: 'follow-up' });
  section('opvolgen', followBox);
  const mapBox = h('div', { class: 'heatmap' });
  section('kaart', mapBox);
  const alertsBox = h('div', { class: 'alerts' });
  section('waarschuwingen', alertsBox);
  const kwestiesBox = h('div', { class: 'kwesties' });
  section('kwesties', kwestiesBox);
  section('onbekend', h('p', { class: 'utrecht-paragraph' }, 'Deze pagina bestaat niet. ',
    h('a', { href: '/signalen' }, 'Naar de signalen')));

  const cats = () => formFor || categories || [];
  let mapDrawn = false; // the heatmap is drawn once (Leaflet keeps its state)
  let detail = null; // the signal screen on display: {refresh}

  /** Each screen: its heading and how it is drawn. A heading may come from the drawing (a signal's). */
  const SCREENS = {
    // The list shows the filters of its URL (the menu's /signalen: none; back to /signalen?q=x: those).
    signalen: { title: 'Signalen', draw: () => signalList.setQuery?.(location.search) },
    signaal: {
      title: 'Signaal',
      async draw({ id }) {
        if (!onOpenSignal) return null;
        // A box of its own per signal: a signal that answers late (from the server) draws into its
        // own box, no longer on screen, never over the one the user went to since.
        const mine = showing;
        const box = h('div', { class: 'signal-screen' });
        detailBox.replaceChildren(box);
        const view = await onOpenSignal(box, id, cats());
        if (mine !== showing) return null;
        detail = view;
        return detail?.title ?? null;
      },
    },
    nieuw: { title: 'Nieuw signaal' },
    opvolgen: { title: 'Opvolgen', draw: () => onOpenFollowUp?.(followBox, cats()) },
    kaart: {
      title: 'Kaart',
      draw() {
        if (!MAP_ROLES.has(currentRole)) {
          mapBox.replaceChildren(h('p', { class: 'utrecht-paragraph' }, 'De kaart is er voor teamleiders en beheerders.'));
          mapDrawn = false;
          return;
        }
        if (mapDrawn) return;
        mapDrawn = true;
        mapBox.replaceChildren();
        onOpenMap?.(mapBox, cats());
      },
    },
    waarschuwingen: { title: 'Waarschuwingen', draw: () => onOpenAlerts?.(alertsBox, currentRole, cats()) },
    kwesties: { title: 'Kwesties', draw: () => onOpenKwesties?.(kwestiesBox, cats(), {}) },
    kwestie: { title: 'Kwestie', section: 'kwesties', draw: ({ id }) => onOpenKwesties?.(kwestiesBox, cats(), { id }) },
    onbekend: { title: 'Pagina niet gevonden' },
  };

  let screen = null;
  let showing = 0;
  /**
   * Show the screen of a route ({name, params}); `focus`: move the focus to its heading
   * (every navigation; not the first screen after a reload).
   */
  async function show(route, { focus = true } = {}) {
    const id = ++showing;
    const def = SCREENS[route.name] ?? SCREENS.onbekend;
    const name = SCREENS[route.name] ? route.name : 'onbekend';
    screen = name;
    detail = name === 'signaal' ? detail : null;
    // Only the screen on display is in the document (the others keep their state, e.g. the
    // list its page, the form what is typed): no hidden field shares a name with a shown one.
    const here = sections.get(def.section ?? name);
    for (const el of sections.values()) el.hidden = el !== here;
    if (screensBox.firstChild !== here || screensBox.childNodes.length !== 1) screensBox.replaceChildren(here);
    if (name === 'nieuw') for (const start of mapStarts.splice(0)) start();
    markCurrent();
    heading.textContent = def.title;
    document.title = `${def.title} · Gebiedsradar`;
    if (focus) heading.focus();
    let title = null;
    try {
      title = await def.draw?.(route.params ?? {});
    } catch {
      title = null;
    }
    if (id !== showing) return;
    if (title) {
      heading.textContent = title;
      document.title = `${name === 'signaal' && !title.startsWith('Signaal') ? 'Signaal: ' : ''}${title} · Gebiedsradar`;
    }
  }

  function goNew() {
    if (screen === 'nieuw') {
      // Already here: keep what is filled in, and go to the form's first field.
      if (form?.focus) form.focus();
      else (formBox.querySelector('select, input, textarea') ?? heading).focus();
      return;
    }
    if (navigate) navigate('/nieuw');
    else show({ name: 'nieuw', params: {} });
  }
  const newButton = h('button', { type: 'button', class: 'utrecht-button utrecht-button--primary-action new-signal',
    onclick: goNew }, 'Nieuw signaal');

  let currentRole = me?.role ?? null;
  function setMe(next, fallbackName) {
    const before = currentRole;
    currentRole = next?.role ?? currentRole;
    userName.textContent = next?.username || fallbackName || 'Ingelogd';
    userRole.textContent = next?.role ? roleLabel(next.role) : '';
    userRole.hidden = !next?.role;
    drawNav();
    // The map screen waited for the role (or the role changed): draw it again.
    if (screen === 'kaart' && MAP_ROLES.has(before) !== MAP_ROLES.has(currentRole)) SCREENS.kaart.draw();
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
  const syncButton = onSyncNow ? h('button', {
    type: 'button', class: 'utrecht-button utrecht-button--secondary-action sync-now',
    async onclick() {
      syncButton.disabled = true;
      try { await onSyncNow(); } finally { syncButton.disabled = false; }
    },
  }, 'Nu verzenden') : null;
  const actions = h('div', { class: 'utrecht-button-group actions' }, newButton, syncButton);
  const main = h('main', { id: 'main', class: 'app-main' }, heading, status, actions, update, screensBox);

  const signalList = createSignalList(listBox, { onEdit, onDelete, onDismiss });
  cleanups.push(() => signalList.destroy?.()); // its listeners and a server search in flight end with the session
  /** Redraw the list of signals on this device (after every sync and change), and the signal on screen. */
  function showSignals(data) {
    signalList.update({ ...data, categories: cats(), me: me?.username || username });
    if (screen === 'signaal' && detail) {
      const shown = detail;
      Promise.resolve(shown.refresh?.(data)).then(() => {
        // Drawn again (it reached the phone): its heading may have changed.
        if (screen === 'signaal' && detail === shown && shown.title && heading.textContent !== shown.title) {
          heading.textContent = shown.title;
          document.title = `Signaal: ${shown.title} · Gebiedsradar`;
        }
      }).catch(() => {});
    }
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
  root.replaceChildren(header, nav, main);

  return {
    setMe: (next) => setMe(next, username),
    setCategories,
    refreshStatus,
    offerUpdate,
    showSignals,
    show,
    get screen() {
      return screen;
    },
    focus: () => heading.focus(),
    destroy: () => cleanups.splice(0).forEach((fn) => fn()),
  };
}
