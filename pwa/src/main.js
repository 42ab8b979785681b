import './styles.css';
import {
  acknowledgeAlert, fetchAlert, fetchAlerts, fetchMe, fetchCategories, fetchKwestie, fetchKwesties, logoutOnServer,
  onUnauthorized, request,
} from './api.js';
import { getToken, getMe, saveMe, getCategories, saveCategories, sessionUser } from './store/db.js';
import { forgetUser } from './store/logout.js';
import { adoptOrphans } from './store/outbox.js';
import { askBeforeLogout } from './views/logout-warning.js';
import { renderLogin } from './views/login.js';
import { renderShell } from './views/shell.js';
import { all as allSignals, createSignal, deleteSignal, dismissNotice, editSignal, getNotices } from './store/signals.js';
import { keepPhoto, uploadWaitingPhotos } from './store/photos.js';
import { cachedAreas, loadIndex, locateOffline, refreshAreas } from './store/areas.js';
import { createSyncEngine } from './sync/engine.js';
import { sha256Hex } from './photo.js';
import { dropCachedApiResponses, maybeActivateUpdate, registerServiceWorker } from './sw-update.js';
import { pendingCount } from './sync/status.js';

const engine = createSyncEngine({
  getToken: () => getToken().catch(() => null),
  beforePush: ({ call, user }) => uploadWaitingPhotos(call, user),
  backgroundSync: true, // where the browser has it (Chromium): see public/sw-sync.js
  onChange: () => {
    shell?.refreshStatus();
    refreshList();
    maybeActivateUpdate();
  },
});

const root = document.getElementById('app');
let shell = null;
let sessionId = 0; // bumps on every log-in/log-out so stale responses are ignored
let areasReady = Promise.resolve(); // the area shapes being fetched after log-in

function showLogin({ message, focus = false } = {}) {
  shell?.destroy();
  shell = null;
  sessionId += 1;
  const view = renderLogin(root, {
    message,
    onLoggedIn: (token, username) => startSession(token, { username, focus: true }),
  });
  if (focus) view.focus();
}

let loggingOut = false;

/** The user asks to log out: first ask while signals still wait to be sent. */
async function requestLogout() {
  const waiting = await pendingCount().catch(() => 0);
  if (waiting > 0 && (await askBeforeLogout(waiting)) === 'stay') {
    sync();
    return;
  }
  await logout();
}

/**
 * Log out: end the token on the server (best effort) and forget this user's
 * data on the device, except what they have not sent (store/logout.js).
 */
async function logout(message) {
  if (loggingOut) return;
  loggingOut = true;
  try {
    const token = await getToken().catch(() => null);
    if (token) logoutOnServer(token); // not awaited: an unreachable server must not hold up the log-out
    await engine.exclusive(() => forgetUser());
    await dropCachedApiResponses().catch(() => {});
  } finally {
    loggingOut = false;
    showLogin({ message, focus: true });
  }
}

async function startSession(token, { username, focus = false } = {}) {
  const id = ++sessionId;
  const [me, categories] = await Promise.all([getMe().catch(() => null), getCategories().catch(() => null)]);
  await adoptOrphans(username || (await sessionUser().catch(() => null))).catch(() => 0);
  if (id !== sessionId) return;
  shell?.destroy();
  await loadIndex().catch(() => null);
  shell = renderShell(root, {
    me: me && (!username || me.username === username) ? me : null,
    username,
    categories,
    onLogout: () => requestLogout(),
    onCapture: capture,
    locate: locateOffline,
    mountMap: (el, onTap) => mountMapLazily(el, onTap),
    onEdit: async (sid, fields) => { await editSignal(sid, fields); await refreshList(); sync(); },
    onDelete: async (sid) => { await deleteSignal(sid); await refreshList(); sync(); },
    onDismiss: async (sid) => { await dismissNotice(sid); await refreshList(); },
    onSyncNow: () => sync(),
    onOpenMap: (el, list) => openHeatmap(el, list),
    onOpenAlerts: (el, role, categories) => openAlerts(el, role, categories),
    onOpenKwesties: (el, categories) => openKwesties(el, categories),
  });
  refreshList();
  if (focus) shell.focus();
  engine.start();
  refreshFromServer(token, id).then(() => sync());
}

/** Save a signal on the device at once (and its photo), then try to send it. */
async function capture(fields, photo) {
  const local = { ...fields, attachments: [] };
  const area = fields.location ? locateOffline(fields.location.lat, fields.location.lon) : null;
  let hash = null;
  if (photo) {
    hash = await sha256Hex(photo);
    local.attachments = [hash];
  }
  const saved = await createSignal(local, area ?? {});
  if (photo) await keepPhoto(hash, saved.id, photo);
  refreshList();
  sync();
  return saved;
}

// The team lead's heatmap (Leaflet loads only when the map is first opened).
async function openHeatmap(el, categories) {
  const { renderHeatmap } = await import('./views/heatmap.js');
  const token = await getToken();
  const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null));
  await renderHeatmap(el, {
    categories,
    fetchStats: (params) => request(`/stats/areas?${query(params)}`, { token }),
    fetchTrend: (level, code) => request(`/stats/areas/${encodeURIComponent(code)}?${query({ level, weeks: 26 })}`, { token }),
    fetchSignals: (params) => request(`/signals?${query(params)}`, { token }),
  });
}

// A lazily loaded view that needs the server: its module and a token, or `offline` on screen.
async function loadOnlineView(el, load, offline) {
  try {
    return [await load(), await getToken()];
  } catch {
    el.textContent = offline;
    return null;
  }
}

// Alerts with their evidence; the map of an alert's signals loads Leaflet when first opened.
async function openAlerts(el, role, categories) {
  const loaded = await loadOnlineView(el, () => import('./views/alerts.js'), 'De waarschuwingen werken alleen met internet.');
  if (!loaded) return;
  const [{ renderAlerts }, token] = loaded;
  const lead = role === 'teamleider' || role === 'beheerder';
  await renderAlerts(el, {
    categories,
    fetchAlerts: () => fetchAlerts(token),
    fetchAlert: (id) => fetchAlert(token, id),
    acknowledge: lead ? (id, body) => acknowledgeAlert(token, id, body) : null,
    makeKwestie: lead ? (id) => request(`/alerts/${encodeURIComponent(id)}/kwestie`, { method: 'POST', body: {}, token }) : null,
  });
}

// Team leads' kwesties with their timelines (fetched anew every time the panel opens).
async function openKwesties(el, categories) {
  const loaded = await loadOnlineView(el, () => import('./views/kwesties.js'), 'De kwesties werken alleen met internet.');
  if (!loaded) return;
  const [{ renderKwesties }, token] = loaded;
  await renderKwesties(el, {
    categories,
    fetchKwesties: () => fetchKwesties(token),
    fetchKwestie: (id) => fetchKwestie(token, id),
  });
}

async function refreshList() {
  const [signals, notices] = await Promise.all([allSignals(), getNotices()]).catch(() => [[], []]);
  shell?.showSignals({ signals, notices });
}

async function sync() {
  if (!shell || loggingOut) return;
  const result = await engine.syncNow();
  shell?.refreshStatus();
  maybeActivateUpdate(); // a new version waits for an empty outbox
  if (result?.needsLogin && shell && !loggingOut) logout('Je bent niet meer ingelogd. Log opnieuw in.');
}

// Leaflet is loaded only when the form's map is first shown: a smaller first load.
function mountMapLazily(el, onTap) {
  let real = null;
  let pending = null;
  const shapes = Promise.race([areasReady, new Promise((r) => setTimeout(r, 5000))])
    .then(() => cachedAreas()).catch(() => null);
  Promise.all([import('./views/map.js'), shapes]).then(([{ mountCaptureMap }, areas]) => {
    real = mountCaptureMap(el, onTap, areas?.collection);
    if (pending) real.setPoint(...pending);
  }).catch(() => { el.hidden = true; });
  return {
    setPoint: (...args) => (real ? real.setPoint(...args) : (pending = args)),
    clearPoint: () => (real ? real.clearPoint() : (pending = null)),
  };
}

/** Refresh the user and the categories; offline, the cached copies stay. */
async function refreshFromServer(token, id) {
  const tasks = [
    fetchMe(token).then(async (me) => {
      await saveMe(me);
      if (id === sessionId) shell?.setMe(me);
    }),
    fetchCategories(token).then(async (list) => {
      await saveCategories(list);
      if (id === sessionId) shell?.setCategories(list);
    }),
    (areasReady = refreshAreas(token).catch(() => null)),
  ];
  // Offline or a server error: keep working with what is cached. A 401 is
  // handled by onUnauthorized (back to the log-in screen).
  await Promise.allSettled(tasks);
}

onUnauthorized(() => {
  if (shell && !loggingOut) logout('Je bent niet meer ingelogd. Log opnieuw in.');
});

async function boot() {
  let token = null;
  try {
    token = await getToken();
  } catch {
    token = null; // IndexedDB not available (e.g. private mode): log in each time
  }
  if (token) await startSession(token);
  else showLogin();
}

if (import.meta.env.PROD) {
  window.addEventListener('load', () => {
    registerServiceWorker({
      isEmpty: async () => (await pendingCount()) === 0,
      onUpdateWaiting: (install) => shell?.offerUpdate(install),
    });
  });
}
// Background Sync: the service worker says the connection is back.
navigator.serviceWorker?.addEventListener('message', (event) => {
  if (event.data?.type === 'gebiedsradar-sync' && shell) sync();
});
// Ask the browser not to clear our storage under pressure (Safari clears unused sites).
navigator.storage?.persist?.().catch(() => {});

boot();
