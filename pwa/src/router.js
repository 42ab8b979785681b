// Screens with their own URLs (history API). Links are real <a href>s: a click
// on a same-origin app link is handled here (no page load); back and forward
// come as popstate. Each history entry remembers its scroll position, so going
// back to the list lands where the user was.

/** The app's routes, most specific first. `:id` captures one path segment. */
export const ROUTES = [
  ['/', 'signalen'],
  ['/signalen', 'signalen'],
  ['/signalen/:id', 'signaal'],
  ['/nieuw', 'nieuw'],
  ['/opvolgen', 'opvolgen'],
  ['/kaart', 'kaart'],
  ['/waarschuwingen', 'waarschuwingen'],
  ['/kwesties', 'kwesties'],
  ['/kwesties/:id', 'kwestie'],
];

/** {name, params, path} for a path; name 'onbekend' when no route fits. */
export function match(pathname) {
  const path = (pathname || '/').replace(/\/+$/, '') || '/';
  const parts = path.split('/').slice(1);
  for (const [pattern, name] of ROUTES) {
    const want = pattern.split('/').slice(1);
    if (pattern === '/' ? path !== '/' : want.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < want.length && pattern !== '/'; i += 1) {
      if (want[i].startsWith(':')) {
        let value;
        try {
          value = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
          break;
        }
        if (!value) { ok = false; break; }
        params[want[i].slice(1)] = value;
      } else if (want[i] !== parts[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return { name, params, path };
  }
  return { name: 'onbekend', params: {}, path };
}

/** The path of a screen: pathFor('signaal', {id}) → "/signalen/<id>". */
export function pathFor(name, params = {}) {
  const found = ROUTES.find(([p, n]) => n === name && p !== '/');
  if (!found) return '/';
  const pattern = found[0];
  return pattern.replace(/:(\w+)/g, (_, key) => encodeURIComponent(params[key] ?? ''));
}

/**
 * Where a Terug link goes: the list the user came from (with its filters) if this screen was
 * opened from it, then `back` is true (history.back keeps the list's scroll position); else `fallback`.
 */
export function backTarget(name, fallback, win = window) {
  const from = win.history.state?.from;
  if (typeof from === 'string' && match(from.split('?')[0]).name === name) return { href: from, back: true };
  return { href: fallback, back: false };
}

/** Should a click on this link be handled by the app (not a new tab, not a download, not the API)? */
function appLink(event, win) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const a = event.target?.closest?.('a[href]');
  if (!a || a.hasAttribute('download') || (a.target && a.target !== '_self')) return null;
  if (a.dataset.router === 'off') return null;
  const url = new URL(a.href, win.location.href);
  if (url.origin !== win.location.origin || url.pathname.startsWith('/api/')) return null;
  if (match(url.pathname).name === 'onbekend') return null;
  return url;
}

/**
 * Start routing: `onRoute(route, {restore})` draws the screen for a route and
 * returns (or resolves) when it is drawn; `restore` is the scroll position to
 * go back to (back/forward), or null (a new screen: top).
 * @param {{onRoute: (route: object, how: {restore: number|null, initial: boolean}) => any, win?: Window}} options
 */
export function createRouter({ onRoute, win = window }) {
  if ('scrollRestoration' in win.history) win.history.scrollRestoration = 'manual';
  let current = match(win.location.pathname);
  let generation = 0;

  /** Remember where the user is on the current screen, in its history entry. */
  function rememberScroll() {
    const state = { ...(win.history.state || {}), scrollY: win.scrollY || 0 };
    try {
      win.history.replaceState(state, '', win.location.href);
    } catch {
      /* a history entry that cannot be replaced: nothing to remember */
    }
  }

  async function show(route, how) {
    const gen = ++generation;
    current = route;
    await onRoute(route, how);
    if (gen !== generation) return; // a newer navigation took over
    const y = how.restore;
    if (y != null) {
      // Content may still be growing (a list drawn after the screen): try again for up to two
      // seconds, unless the user scrolls or navigates meanwhile.
      win.scrollTo(0, y);
      let tries = 120;
      let userMoved = false;
      const stop = () => { userMoved = true; };
      const events = ['wheel', 'touchstart', 'keydown'];
      for (const type of events) win.addEventListener(type, stop, { once: true, passive: true });
      const again = () => {
        if (gen !== generation || userMoved || Math.abs((win.scrollY || 0) - y) <= 1 || --tries <= 0) {
          for (const type of events) win.removeEventListener(type, stop);
          return;
        }
        win.scrollTo(0, y);
        win.requestAnimationFrame(again);
      };
      if (win.requestAnimationFrame) win.requestAnimationFrame(again);
    } else if (!how.initial) {
      win.scrollTo(0, 0);
    }
  }

  /** Go to `path` (a new history entry; `replace` rewrites the current one). */
  function navigate(path, { replace = false } = {}) {
    const url = new URL(path, win.location.href);
    const route = match(url.pathname);
    if (replace) {
      win.history.replaceState({}, '', url.pathname + url.search + url.hash);
    } else {
      rememberScroll();
      // The new entry knows where the user came from: a Terug link can go back to it (same scroll).
      const from = win.location.pathname + win.location.search;
      win.history.pushState({ from }, '', url.pathname + url.search + url.hash);
    }
    return show(route, { restore: null, initial: false });
  }

  function onClick(event) {
    const url = appLink(event, win);
    if (!url) return;
    event.preventDefault();
    if (url.pathname === win.location.pathname && url.search === win.location.search) {
      // The screen the user is on: draw it again (e.g. a link to the list from the list).
      show(match(url.pathname), { restore: null, initial: false });
      return;
    }
    navigate(url.pathname + url.search + url.hash);
  }

  function onPop(event) {
    const y = event.state?.scrollY;
    show(match(win.location.pathname), { restore: typeof y === 'number' ? y : null, initial: false });
  }

  win.document.addEventListener('click', onClick);
  win.addEventListener('popstate', onPop);

  return {
    navigate,
    /** Draw the screen of the current URL (after log-in, or a reload on a deep URL). */
    start() {
      const route = match(win.location.pathname);
      // "/" is the list: its URL says so.
      if (route.path === '/') win.history.replaceState(win.history.state, '', `/signalen${win.location.search}${win.location.hash}`);
      return show(match(win.location.pathname), { restore: win.history.state?.scrollY ?? null, initial: true });
    },
    get current() {
      return current;
    },
    stop() {
      win.document.removeEventListener('click', onClick);
      win.removeEventListener('popstate', onPop);
    },
  };
}
