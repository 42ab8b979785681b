import './styles.css';
import { fetchMe, fetchCategories, onUnauthorized } from './api.js';
import { getToken, getMe, saveMe, getCategories, saveCategories, clearSession } from './store/db.js';
import { renderLogin } from './views/login.js';
import { renderShell } from './views/shell.js';

const root = document.getElementById('app');
let shell = null;
let sessionId = 0; // bumps on every log-in/log-out so stale responses are ignored

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

async function logout(message) {
  try {
    await clearSession();
  } finally {
    showLogin({ message, focus: true });
  }
}

async function startSession(token, { username, focus = false } = {}) {
  const id = ++sessionId;
  const [me, categories] = await Promise.all([getMe().catch(() => null), getCategories().catch(() => null)]);
  if (id !== sessionId) return;
  shell?.destroy();
  shell = renderShell(root, {
    me: me && (!username || me.username === username) ? me : null,
    username,
    categories,
    onLogout: () => logout(),
  });
  if (focus) shell.focus();
  refreshFromServer(token, id);
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
  ];
  // Offline or a server error: keep working with what is cached. A 401 is
  // handled by onUnauthorized (back to the log-in screen).
  await Promise.allSettled(tasks);
}

onUnauthorized(() => {
  if (shell) logout('Je bent niet meer ingelogd. Log opnieuw in.');
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

function registerServiceWorker() {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      /* the app works without it, only not offline */
    });
  });
}

registerServiceWorker();
boot();
