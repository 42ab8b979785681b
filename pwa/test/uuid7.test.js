// uuid7(): the time-ordered ids for signals and mutations (RFC 9562).
// Each test loads a fresh copy of the module, so no clock state carries over.
import { describe, it, expect, vi, afterEach } from 'vitest';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function freshUuid7() {
  vi.resetModules();
  return (await import('../src/store/outbox.js')).uuid7;
}

/** The 48-bit Unix milliseconds at the front of a v7 id. */
const millis = (id) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('uuid7', () => {
  it('has the v7 format: version 7, variant 10, 36 lowercase hex characters with dashes', async () => {
    const uuid7 = await freshUuid7();
    for (let i = 0; i < 200; i++) {
      const id = uuid7();
      expect(id).toHaveLength(36);
      expect(id).toMatch(V7);
    }
  });

  it('starts with the current Unix time in milliseconds, big-endian', async () => {
    const uuid7 = await freshUuid7();
    const before = Date.now();
    const id = uuid7();
    const after = Date.now();
    expect(millis(id)).toBeGreaterThanOrEqual(before);
    expect(millis(id)).toBeLessThanOrEqual(after + 2);
  });

  it('puts the timestamp where RFC 9562 (appendix A.6) does', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(0x017f22e279b0); // 2022-02-22 19:22:22 UTC
    const uuid7 = await freshUuid7();
    expect(uuid7()).toMatch(/^017f22e2-79b0-7[0-9a-f]{3}-[89ab]/);
  });

  it('makes 1000 ids in a tight loop that are unique and strictly increasing as strings', async () => {
    const uuid7 = await freshUuid7();
    const ids = Array.from({ length: 1000 }, () => uuid7());
    expect(new Set(ids).size).toBe(1000);
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
  });

  it('keeps increasing within one millisecond, past the 12-bit counter', async () => {
    const t = Date.UTC(2026, 10, 28, 9, 15);
    vi.spyOn(Date, 'now').mockReturnValue(t);
    const uuid7 = await freshUuid7();
    const ids = Array.from({ length: 5000 }, () => uuid7());
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    // The counter starts below 2048 and holds up to 4095: at least 2048 ids per millisecond.
    expect(millis(ids[0])).toBe(t);
    expect(millis(ids.at(-1))).toBeGreaterThan(t);
    expect(millis(ids.at(-1))).toBeLessThanOrEqual(t + 3);
  });

  it('keeps increasing when the clock goes back', async () => {
    const t = Date.UTC(2026, 10, 28, 9, 15);
    const now = vi.spyOn(Date, 'now').mockReturnValue(t);
    const uuid7 = await freshUuid7();
    const first = uuid7();
    now.mockReturnValue(t - 60_000); // e.g. the device corrected its clock
    const second = uuid7();
    expect(second > first).toBe(true);
    expect(millis(second)).toBe(t);
    now.mockReturnValue(t + 5);
    const third = uuid7();
    expect(millis(third)).toBe(t + 5);
    expect(third > second).toBe(true);
  });
});
