// App updates: a new service worker waits until nothing is waiting to be sent,
// or until the user agrees. The outbox lives in IndexedDB and survives either way;
// waiting keeps a half-finished capture from being reloaded away.

let registration = null;
let askUser = () => {};
let outboxEmpty = async () => true;

let updating = false;

function activate(worker) {
  updating = true;
  worker.postMessage({ type: 'SKIP_WAITING' });
}

/** Activate a waiting version now if nothing waits to be sent; otherwise ask the user. */
export async function maybeActivateUpdate() {
  const waiting = registration?.waiting;
  if (!waiting || !navigator.serviceWorker.controller) return;
  if (await outboxEmpty()) activate(waiting);
  else askUser(() => activate(waiting));
}

/**
 * Register /sw.js and watch for new versions.
 * @param {{isEmpty: () => Promise<boolean>, onUpdateWaiting: (install: () => void) => void}} options
 */
export async function registerServiceWorker({ isEmpty, onUpdateWaiting }) {
  if (!('serviceWorker' in navigator)) return;
  outboxEmpty = isEmpty;
  askUser = onUpdateWaiting;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only for an update we started: the first install also claims the page.
    if (!updating || reloading) return;
    reloading = true;
    window.location.reload(); // the new version takes over with the same IndexedDB
  });
  try {
    registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return; // the app works without it, only not offline
  }
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed') maybeActivateUpdate();
    });
  });
  maybeActivateUpdate();
}

/**
 * Drop any API response from the Cache Storage. The service worker never caches
 * /api/ (vite.config.js: no runtime caching, API URLs denied); this keeps it so
 * on log-out even if a future change or a browser extension put one there.
 */
export async function dropCachedApiResponses() {
  if (!globalThis.caches) return;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (new URL(request.url).pathname.startsWith('/api/')) await cache.delete(request);
    }
  }
}
