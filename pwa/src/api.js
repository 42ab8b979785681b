// Small fetch wrapper for the Gebiedsradar API (base /api/v1).
// Errors from the server come as application/problem+json (RFC 9457) and are
// thrown as ApiError with .status and .detail (a Dutch sentence for the user).

const API_BASE = '/api/v1';

export const NETWORK_ERROR_DETAIL = 'Geen verbinding met de server. Probeer het opnieuw.';

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string} detail text to show to the user
   * @param {object|null} problem the parsed problem document, if any
   */
  constructor(status, detail, problem = null) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.problem = problem;
    this.type = problem?.type ?? null;
    this.title = problem?.title ?? null;
    this.errors = problem?.errors ?? null;
  }

  get offline() {
    return this.status === 0;
  }
}

let unauthorizedHandler = null;

/** Called (once per failing request) when a request with a token gets 401. */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

function fallbackDetail(status) {
  if (status === 401) return 'Je bent niet (meer) ingelogd. Log opnieuw in.';
  if (status === 403) return 'Je hebt geen toegang tot deze gegevens.';
  if (status === 404) return 'Dit is niet gevonden.';
  if (status >= 500) return 'Er ging iets mis op de server. Probeer het later opnieuw.';
  return `Er ging iets mis (fout ${status}).`;
}

async function readProblem(res) {
  const type = res.headers.get('content-type') || '';
  if (!/json/i.test(type)) return null;
  try {
    const body = await res.json();
    return body && typeof body === 'object' ? body : null;
  } catch {
    return null;
  }
}

/**
 * Do one API request.
 * @param {string} path e.g. "/me" (relative to /api/v1)
 * @param {{method?: string, body?: any, token?: string|null, signal?: AbortSignal}} [options]
 * @returns {Promise<any>} the parsed JSON body (null for 204 or an empty body)
 */
export async function request(path, { method = 'GET', body, token, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let res;
  try {
    res = await fetch(API_BASE + path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, NETWORK_ERROR_DETAIL);
  }

  if (!res.ok) {
    const problem = await readProblem(res);
    const detail =
      (problem && typeof problem.detail === 'string' && problem.detail) ||
      (problem && typeof problem.title === 'string' && problem.title) ||
      fallbackDetail(res.status);
    const error = new ApiError(res.status, detail, problem);
    if (res.status === 401 && token && unauthorizedHandler) {
      try {
        unauthorizedHandler(error);
      } catch {
        /* the handler must not hide the error */
      }
    }
    throw error;
  }

  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'Het antwoord van de server is niet te lezen.');
  }
}

// ---- endpoints ---------------------------------------------------------------

/** POST /auth/token → {access_token, token_type, expires_in} */
export function login(username, password) {
  return request('/auth/token', { method: 'POST', body: { username, password } });
}

/**
 * POST /auth/logout: ask the server to end this token. Best effort: the device
 * forgets the token either way, so no answer (404 from an older server,
 * offline, 401) stops a log-out, and none reaches onUnauthorized.
 */
export async function logoutOnServer(token) {
  try {
    await fetch(API_BASE + '/auth/logout', {
      method: 'POST', headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', keepalive: true,
    });
  } catch {
    /* offline: the token still expires on its own */
  }
}

/** GET /me → {username, role, areas} */
export function fetchMe(token) {
  return request('/me', { token });
}

/** GET /categories → [{code, name, description, subcategories}] */
export function fetchCategories(token) {
  return request('/categories', { token });
}

/** GET /kwesties → [{id, title, status, signal_count, first_observed, last_observed, …}] (team leads) */
export function fetchKwesties(token) {
  return request('/kwesties', { token });
}

/** GET /kwesties/{id} → the kwestie with `timeline`: its signals in the order they were observed */
export function fetchKwestie(token, id) {
  return request(`/kwesties/${encodeURIComponent(id)}`, { token });
}

/** GET /alerts → [{id, method, title, observed, expected, extent, window_start, window_end, status, reason, …}] */
export function fetchAlerts(token) {
  return request('/alerts', { token });
}

/** GET /alerts/{id} → the alert with `signals`: its evidence, in the order they were observed */
export function fetchAlert(token, id) {
  return request(`/alerts/${encodeURIComponent(id)}`, { token });
}

/** POST /alerts/{id}/acknowledge with {status: 'bekeken'} or {status: 'afgewezen', reason} (team leads) */
export function acknowledgeAlert(token, id, body = { status: 'bekeken' }) {
  return request(`/alerts/${encodeURIComponent(id)}/acknowledge`, { method: 'POST', body, token });
}

/**
 * GET a file (an export) with the token, as a Blob. Errors as in request(): ApiError with the
 * server's Dutch detail, status 0 offline.
 */
export async function requestBlob(path, { token, signal } = {}) {
  const headers = { Accept: '*/*' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(API_BASE + path, { headers, credentials: 'same-origin', cache: 'no-store', signal });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, NETWORK_ERROR_DETAIL);
  }
  if (!res.ok) {
    const problem = await readProblem(res);
    const detail = (typeof problem?.detail === 'string' && problem.detail) || (typeof problem?.title === 'string' && problem.title)
      || fallbackDetail(res.status);
    const error = new ApiError(res.status, detail, problem);
    if (res.status === 401 && token && unauthorizedHandler) {
      try { unauthorizedHandler(error); } catch { /* the handler must not hide the error */ }
    }
    throw error;
  }
  return res.blob();
}

/** Which query names a signal or a kwestie in the hand-off's preview and POST. */
const zaakOwner = (kind, id) => (kind === 'kwestie'
  ? { path: `/kwesties/${encodeURIComponent(id)}`, query: `kwestieId=${encodeURIComponent(id)}` }
  : { path: `/signals/${encodeURIComponent(id)}`, query: `signalId=${encodeURIComponent(id)}` });

/** GET /export/zgw/preview?signalId= | ?kwestieId= → {configured, allowed, zaaktype_omschrijving, sends_description, reason, …} */
export function fetchZaakPreview(token, kind, id) {
  return request(`/export/zgw/preview?${zaakOwner(kind, id).query}`, { token });
}

/** POST /signals/{id}/zaak or /kwesties/{id}/zaak with {note?} → 202 and the ZaakRef (the same zaak when asked again). */
export function requestZaak(token, kind, id, body = {}) {
  return request(`${zaakOwner(kind, id).path}/zaak`, { method: 'POST', body, token });
}

/** The zaak of a signal or kwestie as the server has it now (null: none yet). */
export async function fetchZaak(token, kind, id) {
  return (await request(zaakOwner(kind, id).path, { token }))?.zaak ?? null;
}
