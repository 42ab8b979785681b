// Background Sync (Chromium): when the connection returns, wake the open app so its
// sync engine pushes the outbox. Imported by the generated service worker.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'gebiedsradar-sync') return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      .then((clients) => clients.forEach((client) => client.postMessage({ type: 'gebiedsradar-sync' }))),
  );
});
