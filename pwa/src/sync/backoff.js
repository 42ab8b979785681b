// Exponential backoff with full jitter: the delay before retry number
// `attempt` (0 for the first retry) is uniform in [0, min(cap, base · 2^attempt)).
// Pure: pass `random` (a function returning [0, 1)) to make it predictable.

export const BASE_MS = 1000;
export const CAP_MS = 5 * 60 * 1000;

/**
 * @param {number} attempt 0, 1, 2, … (how many retries failed before this one)
 * @param {{base?: number, cap?: number, random?: () => number}} [options]
 * @returns {number} milliseconds, an integer in [0, cap)
 */
export function backoffDelay(attempt, { base = BASE_MS, cap = CAP_MS, random = Math.random } = {}) {
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  const ceiling = Math.min(cap, base * 2 ** Math.min(n, 52));
  const r = Math.min(Math.max(Number(random()) || 0, 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

/**
 * A small counter around backoffDelay: next() gives the next delay and
 * counts the attempt; reset() after a success.
 */
export function createBackoff(options = {}) {
  let attempt = 0;
  return {
    next() {
      return backoffDelay(attempt++, options);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}
