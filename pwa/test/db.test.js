import { describe, it, expect } from 'vitest';
import {
  DB_NAME,
  DB_VERSION,
  openDb,
  saveToken,
  getToken,
  saveMe,
  getMe,
  saveCategories,
  getCategories,
  closeDb,
  EXPIRY_MARGIN_MS,
} from '../src/store/db.js';

const NOW = Date.parse('2026-11-28T10:00:00+01:00');

describe('IndexedDB store', () => {
  it('creates the database with its stores', async () => {
    const db = await openDb();
    expect(db.name).toBe(DB_NAME);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['acked', 'cache', 'notices', 'outbox', 'photos', 'session', 'signals', 'sync']);
  });

  it('starts without a token', async () => {
    expect(await getToken(NOW)).toBeNull();
  });

  it('saves a token and reads it back, also after reopening', async () => {
    const record = await saveToken({ access_token: 'abc', token_type: 'bearer', expires_in: 3600 }, NOW);
    expect(record).toEqual({ token: 'abc', expiresAt: NOW + 3600 * 1000, username: null });
    expect(await getToken(NOW)).toBe('abc');
    await closeDb();
    expect(await getToken(NOW + 60_000)).toBe('abc');
  });

  it('does not return an expired token', async () => {
    await saveToken({ access_token: 'abc', expires_in: 60 }, NOW);
    expect(await getToken(NOW + 61_000)).toBeNull();
    // nearly expired counts as expired
    expect(await getToken(NOW + 60_000 - EXPIRY_MARGIN_MS)).toBeNull();
    expect(await getToken(NOW + 60_000 - EXPIRY_MARGIN_MS - 1)).toBe('abc');
  });

  it('refuses a response without a token', async () => {
    await expect(saveToken({ token_type: 'bearer' }, NOW)).rejects.toThrow(TypeError);
  });

  it('keeps the user and the categories for offline use', async () => {
    const me = { username: 'anna', role: 'teamleider', areas: ['GM0171'] };
    const categories = [{ code: 'overlast', name: 'Overlast', description: '', subcategories: [] }];
    await saveMe(me);
    await saveCategories(categories);
    await closeDb();
    expect(await getMe()).toEqual(me);
    expect(await getCategories()).toEqual(categories);
  });

  it('gets a fresh database per test', async () => {
    expect(await getMe()).toBeNull();
  });
});
