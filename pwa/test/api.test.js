import { describe, it, expect, vi } from 'vitest';
import { request, login, fetchMe, onUnauthorized, ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';

function jsonResponse(body, status = 200, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

describe('api wrapper', () => {
  it('posts the log-in as JSON to /api/v1/auth/token', async () => {
    const fetch = vi.fn(async () => jsonResponse({ access_token: 't', token_type: 'bearer', expires_in: 3600 }));
    vi.stubGlobal('fetch', fetch);
    const result = await login('anna', 'geheim');
    expect(result.access_token).toBe('t');
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/v1/auth/token');
    expect(init.method).toBe('POST');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ username: 'anna', password: 'geheim' });
    expect(init.headers.Authorization).toBeUndefined();
  });

  it('sets the bearer header', async () => {
    const fetch = vi.fn(async () => jsonResponse({ username: 'anna', role: 'beheerder', areas: [] }));
    vi.stubGlobal('fetch', fetch);
    const me = await fetchMe('tok123');
    expect(me.username).toBe('anna');
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/v1/me');
    expect(init.method).toBe('GET');
    expect(init.headers.Authorization).toBe('Bearer tok123');
    expect(init.body).toBeUndefined();
  });

  it('turns problem+json into an ApiError with status and detail', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'Gebruikersnaam of wachtwoord klopt niet.',
    };
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(problem, 401, 'application/problem+json')));
    const error = await login('anna', 'fout').catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.detail).toBe('Gebruikersnaam of wachtwoord klopt niet.');
    expect(error.message).toBe(error.detail);
    expect(error.problem).toEqual(problem);
  });

  it('keeps field errors of a 422 problem', async () => {
    const problem = { title: 'Ongeldige invoer', status: 422, detail: 'Controleer de velden.', errors: [{ field: 'x' }] };
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(problem, 422, 'application/problem+json')));
    const error = await request('/signals', { method: 'POST', body: {}, token: 't' }).catch((e) => e);
    expect(error.status).toBe(422);
    expect(error.errors).toEqual([{ field: 'x' }]);
  });

  it('gives a Dutch detail when the error body is not JSON', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('Bad gateway', { status: 502, headers: { 'Content-Type': 'text/plain' } })));
    const error = await request('/health').catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.detail).toMatch(/server/);
  });

  it('reports a network failure as status 0 with a clear message', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }));
    const error = await login('anna', 'x').catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.offline).toBe(true);
    expect(error.detail).toBe(NETWORK_ERROR_DETAIL);
  });

  it('calls the unauthorized handler on a 401 with a token, not on a failed log-in', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    const problem = { title: 'Unauthorized', status: 401, detail: 'Token verlopen.' };
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(problem, 401, 'application/problem+json')));
    await expect(login('anna', 'fout')).rejects.toThrow();
    expect(handler).not.toHaveBeenCalled();
    await expect(fetchMe('old')).rejects.toMatchObject({ status: 401, detail: 'Token verlopen.' });
    expect(handler).toHaveBeenCalledTimes(1);
    onUnauthorized(null);
  });

  it('returns null for 204 No Content', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })));
    expect(await request('/signals/1', { method: 'DELETE', token: 't' })).toBeNull();
  });
});
