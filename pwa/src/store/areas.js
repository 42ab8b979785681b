// The simplified areas for offline lookup (GET /api/v1/areas/offline), cached with their ETag.
import { openDb } from './db.js';
import { buildIndex, locate } from '../geo/locate.js';

let index = null;

export async function cachedAreas() {
  return (await openDb()).get('cache', 'areas');
}

/** Fetch the areas when they changed (If-None-Match), keep them, and rebuild the index. */
export async function refreshAreas(token, fetchImpl = globalThis.fetch) {
  const cached = await cachedAreas();
  const headers = { Authorization: `Bearer ${token}` };
  if (cached?.etag) headers['If-None-Match'] = cached.etag;
  const res = await fetchImpl('/api/v1/areas/offline', { headers, cache: 'no-store' });
  if (res.status === 304 || !res.ok) return cached?.collection ?? null;
  const collection = await res.json();
  await (await openDb()).put('cache', { etag: res.headers.get('ETag'), collection }, 'areas');
  index = buildIndex(collection);
  return collection;
}

/** kern / wijk / buurt of a point from the on-device areas (null fields when unknown). */
export async function loadIndex() {
  if (!index) {
    const cached = await cachedAreas();
    if (cached?.collection) index = buildIndex(cached.collection);
  }
  return index;
}

export function locateOffline(lat, lon, accuracy = 0) {
  return index ? locate(index, lat, lon, accuracy) : null;
}
