import './styles.css';
import {
  acknowledgeAlert, fetchAlert, fetchAlerts, fetchMe, fetchCategories, fetchKwestie, fetchKwesties, fetchZaak,
  fetchZaakPreview, logoutOnServer, onUnauthorized, request, requestZaak,
} from './api.js';
import { getToken, getMe, saveMe, getCategories, saveCategories, sessionUser } from './store/db.js';
import { forgetUser } from './store/logout.js';
import { adoptOrphans } from './store/outbox.js';
import { askBeforeLogout } from './views/logout-warning.js';
import { renderLogin } from './views/login.js';
import { renderShell } from './views/shell.js';
import { renderDetail } from './views/detail.js';
import { createRouter } from './router.js';
import { openDb } from './store/db.js';
import {
  all as allSignals, allWithNotices, createSignal, deleteSignal, dismissNotice, editSignal, getNotices, newestWithNotices,
  one as oneSignal,
} from './store/signals.js';
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
  onChange: ({ reason, result }) => {
    shell?.refreshStatus();
    // A sync that starts changes nothing yet: read the signals again after a push or pull
    // page and when it ends (not once more when it starts: 5,000 signals take a while).
    if (reason !== 'state' || result) refreshList();
    maybeActivateUpdate();
  },
});

const root = document.getElementById('app');
let shell = null;
let sessionId = 0; // bumps on every log-in/log-out so stale responses are ignored
let areasReady = Promise.resolve(); // the area shapes being fetched after log-in
let areaIndex = Promise.resolve(); // the phone's area index (kern of a new signal), built after the list is drawn

let router = null; // screens with their own URLs (router.js), while logged in

function showLogin({ message, focus = false } = {}) {
  router?.stop();
  router = null;
  shell?.destroy();
  shell = null;
  followUp = null;
  latest = null;
  sessionId += 1;
  for (const url of detailUrls?.splice(0) ?? []) URL.revokeObjectURL(url);
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
    // The next user on this phone starts at the list: not on the last one's signal, search or filters.
    try {
      window.history.replaceState(null, '', '/');
    } catch {
      /* no history API: nothing to forget */
    }
    showLogin({ message, focus: true });
  }
}

async function startSession(token, { username, focus = false, firstRead = null } = {}) {
  const id = ++sessionId;
  const [me, categories] = await Promise.all([getMe().catch(() => null), getCategories().catch(() => null)]);
  await adoptOrphans(username || (await sessionUser().catch(() => null))).catch(() => 0);
  if (id !== sessionId) return;
  shell?.destroy();
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
    onOpenKwesties: (el, categories, opts) => openKwesties(el, categories, opts),
    onOpenSignal: (el, sid, categories) => openSignal(el, sid, categories),
    onOpenFollowUp: (el, categories) => openFollowUp(el, categories),
    navigate: (path) => router?.navigate(path),
  });
  refreshList(firstRead);
  router?.stop();
  const firstScreen = { focus };
  router = createRouter({
    onRoute: (route, how) => shell?.show(route, { focus: !how.initial || firstScreen.focus }),
  });
  router.start();
  // Not needed for the first screen: after it (locate() says nothing until then; capture waits for it).
  areaIndex = new Promise((r) => setTimeout(r, 0)).then(() => loadIndex()).catch(() => null);
  engine.start();
  refreshFromServer(token, id).then(() => sync());
}

/** Save a signal on the device at once (and its photos), then try to send it. */
async function capture(fields, photos = []) {
  const list = (Array.isArray(photos) ? photos : [photos]).filter(Boolean);
  await areaIndex;
  const area = fields.location ? locateOffline(fields.location.lat, fields.location.lon) : null;
  // Every photo, named by its hash (the same picture twice is one attachment).
  const byHash = new Map();
  for (const photo of list) byHash.set(await sha256Hex(photo), photo);
  const local = { ...fields, attachments: [...byHash.keys()] };
  const saved = await createSignal(local, area ?? {});
  for (const [hash, photo] of byHash) await keepPhoto(hash, saved.id, photo);
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
    fetchRegisseurs: () => request('/stats/regisseurs', { token }),
    getToken: () => getToken(),
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

// Team leads' kwesties with their timelines (fetched anew every time the screen opens);
// `opts.id`: the kwestie of the URL /kwesties/<id>.
async function openKwesties(el, categories, opts = {}) {
  const loaded = await loadOnlineView(el, () => import('./views/kwesties.js'), 'De kwesties werken alleen met internet.');
  if (!loaded) return;
  const [{ renderKwesties }, token] = loaded;
  await renderKwesties(el, {
    categories,
    fetchKwesties: () => fetchKwesties(token),
    fetchKwestie: (id) => fetchKwestie(token, id),
    id: opts?.id ?? null,
    navigate: (path) => router?.navigate(path),
    // Working on kwesties (views/kwesties.js); the server decides who may (problem+json otherwise).
    createKwestie: (body) => request('/kwesties', { method: 'POST', body, token }),
    updateKwestie: (id, body) => request(`/kwesties/${encodeURIComponent(id)}`, { method: 'PATCH', body, token }),
    addSignals: (id, ids) => request(`/kwesties/${encodeURIComponent(id)}/signals`, { method: 'POST', body: { signal_ids: ids }, token }),
    removeSignal: (id, sid) => request(`/kwesties/${encodeURIComponent(id)}/signals/${encodeURIComponent(sid)}`, { method: 'DELETE', token }),
    addUpdate: (id, text) => request(`/kwesties/${encodeURIComponent(id)}/updates`, { method: 'POST', body: { text }, token }),
    listSignals: () => allSignals(),
    mountHandoff: (box, kwestie) => mountHandoff(box, 'kwestie', kwestie.id, { zaak: kwestie.zaak, level: 3 }),
  });
}

/**
 * "Doorzetten naar zaaksysteem" on a signal or kwestie (views/handoff.js, loaded when first
 * needed): the server's preview says who may; afterwards the zaak's state, asked again while it is sent.
 */
async function mountHandoff(box, kind, id, { zaak, level = 2, loadFirst = false } = {}) {
  const [{ renderHandoff }, token, me] = await Promise.all([
    import('./views/handoff.js'), getToken().catch(() => null), getMe().catch(() => null)]);
  if (!token || !box.isConnected) return null;
  return renderHandoff(box, {
    kind, zaak, level, loadFirst, role: me?.role ?? null,
    preview: () => fetchZaakPreview(token, kind, id),
    loadZaak: () => fetchZaak(token, kind, id),
    send: (body) => requestZaak(token, kind, id, body),
    // A signal whose zaak is its kwestie's: "Doorgezet met kwestie …", and a retry acts on the kwestie.
    viaKwestie: kind === 'signaal' ? {
      preview: (kid) => fetchZaakPreview(token, 'kwestie', kid),
      send: (kid, body) => requestZaak(token, 'kwestie', kid, body),
      title: async (kid) => (await fetchKwestie(token, kid))?.title ?? null,
    } : null,
    onSent: () => sync(), // the signal(s) became "Doorgezet" on the server: the phone follows
  });
}

// --- a signal's own screen (/signalen/<id>) ----------------------------------
let detailUrls = null; // the object URLs of the last signal's photos, freed on the next

/** A photo as an object URL: from the phone while it waits to be sent, else from the server. */
async function photoUrl(sha256) {
  const kept = await (await openDb()).get('photos', sha256).catch(() => null);
  let blob = kept ? new Blob([kept.bytes], { type: kept.type || 'image/jpeg' }) : null;
  if (!blob) {
    const token = await getToken().catch(() => null);
    const res = await fetch(`/api/v1/attachments/${encodeURIComponent(sha256)}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store',
    }).catch(() => null);
    if (!res?.ok) return null;
    blob = await res.blob();
  }
  const url = URL.createObjectURL(blob);
  detailUrls?.push(url);
  return url;
}

/** The small map of a signal's place (Leaflet loads with it). */
async function mountDetailMap(el, lat, lon, accuracy) {
  const [{ mountCaptureMap }, areas] = await Promise.all([import('./views/map.js'), cachedAreas().catch(() => null)]);
  const map = mountCaptureMap(el, () => {}, areas?.collection);
  map.setPoint(lat, lon, accuracy ?? undefined);
}

async function openSignal(el, sid, categories) {
  for (const url of detailUrls ?? []) URL.revokeObjectURL(url);
  detailUrls = [];
  const signals = everySignal;
  return renderDetail(el, {
    id: sid,
    categories,
    // Not on the phone (a server search result, a "hoort bij" elsewhere): as the server has it, to read.
    getSignal: async (id, { localOnly = false } = {}) => (await oneSignal(id).catch(() => null))
      ?? (localOnly || navigator.onLine === false ? null : await request(`/signals/${encodeURIComponent(id)}`, { token: await getToken() })
        .then((s) => (s ? { ...s, _fromServer: true } : null)).catch(() => null)),
    getNotice: async (id) => (await getNotices().catch(() => [])).find((n) => n.signal_id === id) ?? null,
    // Colleagues' names the phone has seen (a regisseur may not list users); the server checks the name.
    knownUsers: async () => [...new Set((await signals()).flatMap((s) => [s.created_by, s.assignee]).filter(Boolean))].sort(),
    photoUrl,
    fetchHistory: async (id) => request(`/signals/${encodeURIComponent(id)}/history`, { token: await getToken() }),
    mountMap: mountDetailMap,
    // Not for a signal the server does not have yet (it waits to be sent): nothing to hand off.
    mountHandoff: (box, s) => (s.version == null ? null
      : mountHandoff(box, 'signaal', s.id, { zaak: s.zaak, loadFirst: navigator.onLine !== false })),
    onEdit: async (id, fields) => { await editSignal(id, fields); await refreshList(); sync(); },
    onDelete: async (id) => { await deleteSignal(id); await refreshList(); sync(); },
    onDismiss: async (id) => { await dismissNotice(id); await refreshList(); },
    navigate: (path) => router?.navigate(path),
  });
}

// "Opvolgen": helper F's view (views/follow-up.js) when it is there.
const FOLLOW_UP = import.meta.glob('./views/follow-up.js');
let followUp = null; // the Opvolgen screen last drawn: {el, view, key, shown}
async function openFollowUp(el, categories) {
  const load = FOLLOW_UP['./views/follow-up.js'];
  if (!load) {
    el.textContent = 'Hier zie je straks wat je moet opvolgen.';
    return;
  }
  const { renderFollowUp, followUpLists } = await load();
  const [signals, me] = await Promise.all([everySignal(), getMe().catch(() => null)]);
  const view = await renderFollowUp(el, { signals, categories, me, username: me?.username });
  // What it shows, so a sync that changes it (a hand-over, a pull that removes a signal) redraws it.
  const key = (list) => {
    const { due, assigned } = followUpLists(list, me?.username ?? '');
    return [...due, ...assigned].map((s) => `${s.id}:${s.version}:${s._pending ? 1 : 0}:${s.status}:${s.follow_up_date}`).join();
  };
  followUp = { el, view, key, shown: key(signals) };
}

/** After a sync or a change: the Opvolgen screen on display follows the phone's signals. */
function refreshFollowUp(signals) {
  if (!followUp || shell?.screen !== 'opvolgen' || !followUp.el.isConnected) return;
  const now = followUp.key(signals);
  if (now === followUp.shown) return;
  followUp.shown = now;
  followUp.view?.update?.({ signals });
}

// One read of the phone's signals at a time (5,000 take a while): calls while one runs get one
// more read after it, which they all wait for. A read of an earlier session is not shown.
let listRead = null;
let listAgain = false;
let latest = null; // every signal on the phone as last read for the list: shared with the screens that need them all
/** Every signal on the phone: the list's last read (kept fresh after every change and sync), else a read. */
const everySignal = async () => latest ?? allSignals().catch(() => []);
function refreshList(first = null) {
  if (listRead) {
    listAgain = true;
    return listRead;
  }
  let id = sessionId;
  listRead = (async () => {
    let read = first;
    do {
      listAgain = false;
      const data = await (read ?? allWithNotices()).catch(() => null);
      read = null;
      if (id !== sessionId) {
        // Read for an earlier session (logged out meanwhile): not shown; once more for this one.
        id = sessionId;
        listAgain = true;
        continue;
      }
      if (data) shell?.showSignals(data);
      if (data && !(data.total > data.signals.length)) {
        latest = data.signals;
        refreshFollowUp(data.signals);
      }
      if (data && data.total > data.signals.length) {
        // Only the first page (at start): all of them once it is on screen.
        listAgain = true;
        await new Promise((r) => {
          setTimeout(r, 100); // a hidden page gets no animation frames
          requestAnimationFrame(() => setTimeout(r, 0));
        });
      }
    } while (listAgain);
  })().finally(() => {
    listRead = null;
  });
  return listRead;
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
    // An answer for a session that has ended (logged out, another user) is not kept: the next
    // start would take the last user's name and role for the one signed in.
    fetchMe(token).then(async (me) => {
      if (id !== sessionId) return;
      await saveMe(me);
      if (id === sessionId) shell?.setMe(me);
    }),
    fetchCategories(token).then(async (list) => {
      if (id !== sessionId) return;
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
  // The list's read starts at once, while the token and the session are read. On the plain list
  // only its first page (the newest 100): drawn before the thousands of others are read.
  const plainList = /^\/(signalen\/?)?$/.test(window.location.pathname) && !window.location.search;
  const firstRead = plainList ? newestWithNotices(100) : allWithNotices();
  firstRead.catch(() => {});
  let token = null;
  try {
    token = await getToken();
  } catch {
    token = null; // IndexedDB not available (e.g. private mode): log in each time
  }
  if (token) await startSession(token, { firstRead });
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
