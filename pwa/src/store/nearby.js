// Signals near a new one: the same category, within 250 m, observed in the last 12 weeks.
// From the phone's own copy (fast, offline) and, online, from the server
// (GET /signals/nearby), merged by id. The capture form shows them under "In de buurt".
import { all as allSignals } from './signals.js';
import { getToken, openDb, sessionUser } from './db.js';
import { fetchKwestie, fetchKwesties, request } from '../api.js';

export const RADIUS_M = 250;
export const WEEKS = 12;
const EARTH_M = 6_371_008.8;
const WEEK_MS = 7 * 86_400_000;

/** Great-circle distance in metres between two WGS84 points. */
export function haversineM(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The signals of `category` within `radiusM` of (lat, lon), observed in the last `weeks`
 * weeks before `now`, nearest first: [{signal, distance_m}].
 * A cheap box test comes first, so thousands of signals take a few milliseconds.
 */
export function nearbyIn(signals, { lat, lon, category, radiusM = RADIUS_M, weeks = WEEKS, now = Date.now(), exclude = null }) {
  if (lat == null || lon == null || !category) return [];
  const since = now - weeks * WEEK_MS;
  const dLat = radiusM / 111_000;
  const dLon = radiusM / (111_000 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  const found = [];
  for (const signal of signals) {
    const at = signal?.location;
    if (!at || signal.category !== category || signal.id === exclude) continue;
    if (Math.abs(at.lat - lat) > dLat * 1.01 || Math.abs(at.lon - lon) > dLon * 1.01) continue;
    const observed = Date.parse(signal.observed_at ?? signal.created_at ?? '');
    if (!(observed >= since)) continue;
    const distance = haversineM(lat, lon, at.lat, at.lon);
    if (distance <= radiusM) found.push({ signal, distance_m: distance });
  }
  return found.sort((a, b) => a.distance_m - b.distance_m);
}

/** The phone's own and the server's items together, one per signal id (the phone's copy wins), nearest first. */
export function mergeNearby(local, server) {
  const byId = new Map();
  for (const item of [...(local ?? []), ...(server ?? [])]) {
    const id = item?.signal?.id;
    if (id && !byId.has(id)) byId.set(id, item);
  }
  return [...byId.values()].sort((a, b) => a.distance_m - b.distance_m);
}

/**
 * Nearby signals for the capture form: at once from the phone (`onLocal`), then, if
 * `fetchServer` answers, merged with the server's (the returned promise).
 * @param {{lat:number, lon:number, category:string}} query
 * @param {{signals?: () => Promise<object[]>, fetchServer?: (q: object) => Promise<{items: object[]}>|null,
 *          onLocal?: (items: object[]) => void, now?: number}} [options]
 */
export async function findNearby(query, { signals = allSignals, fetchServer = null, onLocal, now = Date.now() } = {}) {
  const local = nearbyIn(await signals().catch(() => []), { ...query, now });
  onLocal?.(local);
  if (!fetchServer || (typeof navigator !== 'undefined' && navigator.onLine === false)) return local;
  try {
    const answer = await fetchServer({ ...query, radius_m: RADIUS_M, weeks: WEEKS });
    return mergeNearby(local, answer?.items ?? []);
  } catch {
    return local; // offline or the server does not know the route: the phone's own data
  }
}

// ---- online: the server's nearby signals and the kwesties they are part of ------------

const token = () => getToken();

/** GET /signals/nearby (helper B's route): {items: [{signal, distance_m}]}. */
export async function fetchNearbyFromServer({ lat, lon, category, radius_m = RADIUS_M, weeks = WEEKS, exclude = null }) {
  const params = new URLSearchParams({ lat: String(lat), lon: String(lon), category, radius_m: String(radius_m), weeks: String(weeks) });
  if (exclude) params.set('exclude', exclude);
  return request(`/signals/nearby?${params}`, { token: await token() });
}

/** The capture form's default: the phone's own signals at once, then the server's merged in. */
export function findNearbyOnline(query, onLocal) {
  return findNearby(query, { fetchServer: fetchNearbyFromServer, onLocal });
}

const KWESTIE_CACHE_MS = 5 * 60_000;
const MAX_KWESTIES = 30;
let kwestieCache = null; // {at, token, bySignal: Map<signalId, [{id, title}]>}

/**
 * Online: which open kwesties each of `signalIds` is part of, as Map<signalId, [{id, title}]>.
 * The open kwesties the user may see are read once every few minutes; offline or without
 * access an empty map.
 */
export async function kwestiesOfSignals(signalIds, { now = Date.now() } = {}) {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return new Map();
  const t = await token();
  // Read anew after a few minutes, and for another user (never show one user's kwesties to the next).
  if (!kwestieCache || kwestieCache.token !== t || now - kwestieCache.at > KWESTIE_CACHE_MS) {
    const bySignal = new Map();
    try {
      const list = await fetchKwesties(t);
      const open = (Array.isArray(list) ? list : list?.items ?? []).filter((k) => k.status !== 'gesloten').slice(0, MAX_KWESTIES);
      const details = await Promise.all(open.map((k) => fetchKwestie(t, k.id).catch(() => null)));
      for (const detail of details.filter(Boolean)) {
        for (const signal of detail.timeline ?? []) {
          const known = bySignal.get(signal.id) ?? [];
          known.push({ id: detail.id, title: detail.title });
          bySignal.set(signal.id, known);
        }
      }
    } catch {
      return new Map(); // offline, or a role that may not see kwesties
    }
    kwestieCache = { at: now, token: t, bySignal };
  }
  const wanted = new Set(signalIds);
  return new Map([...kwestieCache.bySignal].filter(([id]) => wanted.has(id)));
}

// Kwestie additions that wait for a sync are remembered on the phone (ids only), so an
// app closed before the signal was sent still does them at the next start.
const PENDING_KEY = 'gebiedsradar-kwestie-toevoegen';
const KEEP_MS = 14 * 86_400_000;
const running = new Set();

function readPending() {
  try {
    const list = JSON.parse(globalThis.localStorage?.getItem(PENDING_KEY) ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function writePending(list) {
  try {
    globalThis.localStorage?.setItem(PENDING_KEY, JSON.stringify(list));
  } catch {
    /* private mode: only while the app stays open */
  }
}

function setPending(signalId, entry) {
  writePending([...readPending().filter((p) => p.signal_id !== signalId), ...(entry ? [entry] : [])]);
}

/**
 * Add a new signal to kwesties once the server has it: the phone keeps its copy pending
 * (version null) until the sync is through. Tries every few seconds while the app is open;
 * remembered for the next start (resumeKwestieAdds) for up to two weeks.
 */
export async function addToKwestiesWhenSynced(signalId, kwestieIds, { every = 3000, user = undefined, now = Date.now() } = {}) {
  const owner = user === undefined ? await sessionUser().catch(() => null) : user;
  setPending(signalId, { signal_id: signalId, kwestie_ids: [...kwestieIds], user: owner, at: now });
  run(signalId, every);
}

/** At the start of a session: carry on with this user's remembered kwestie additions. */
export async function resumeKwestieAdds({ every = 3000, user = undefined, now = Date.now() } = {}) {
  const owner = user === undefined ? await sessionUser().catch(() => null) : user;
  const fresh = readPending().filter((p) => now - (p.at ?? 0) < KEEP_MS);
  writePending(fresh);
  for (const p of fresh) if (p.user === owner) run(p.signal_id, every);
}

function run(signalId, every) {
  if (running.has(signalId)) return;
  running.add(signalId);
  const stop = (forget = true) => {
    running.delete(signalId);
    if (forget) setPending(signalId, null);
  };
  let missing = 0;
  const attempt = async () => {
    const entry = readPending().find((p) => p.signal_id === signalId);
    if (!entry) return stop(false);
    try {
      // Logged out, or another user on this phone: never with their log-in. The choice stays
      // remembered for its user (resumeKwestieAdds when they log in again).
      if ((await sessionUser().catch(() => null)) !== entry.user) return stop(false);
      const local = await (await openDb()).get('signals', signalId);
      if (!local) {
        missing += 1;
        if (missing > 2) return stop(); // deleted, or no longer on this phone
      } else if (local.version != null && !local._pending) {
        const t = await token();
        for (const id of entry.kwestie_ids) {
          await request(`/kwesties/${encodeURIComponent(id)}/signals`, { method: 'POST', body: { signal_ids: [signalId] }, token: t });
          const left = entry.kwestie_ids.filter((k) => k !== id);
          entry.kwestie_ids = left;
          setPending(signalId, left.length ? entry : null);
        }
        kwestieCache = null;
        return stop();
      }
    } catch (err) {
      if (err?.status > 0) return stop(); // the server refused (no access, kwestie closed): trying again will not help
    }
    setTimeout(attempt, every);
    return undefined;
  };
  setTimeout(attempt, every);
}
