// When the next attempt of a failed delivery is due, and when a failing endpoint is given up on.

/**
 * The Standard Webhooks / Svix schedule: the first attempt goes at once, then these waits after
 * each failure — 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. Eight attempts in all, ~28 h.
 */
export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Per-attempt HTTP timeout (connect + response). */
export const ATTEMPT_TIMEOUT_MS = 15_000;

/** A Retry-After longer than this is capped: the schedule, not the receiver, bounds the wait. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * HERALD_WEBHOOK_DISABLE_AFTER_HOURS (default 120 = 5 days): an endpoint whose attempts have
 * all failed for this long is disabled with a visible reason.
 */
export function disableAfterMs(env: NodeJS.ProcessEnv = process.env): number {
  const hours = Number(env.HERALD_WEBHOOK_DISABLE_AFTER_HOURS ?? 120);
  return (Number.isFinite(hours) && hours > 0 ? hours : 120) * 3600_000;
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/**
 * The waits in force: HERALD_WEBHOOK_RETRY_DELAYS_MS (comma-separated milliseconds, e.g. a
 * scaled-down schedule for a test or a staging stack) or the Standard Webhooks schedule above.
 * Read per call so a process can be pointed at another schedule without a rebuild.
 */
export function retryDelaysMs(env: NodeJS.ProcessEnv = process.env): readonly number[] {
  const raw = env.HERALD_WEBHOOK_RETRY_DELAYS_MS?.trim();
  if (!raw) return RETRY_DELAYS_MS;
  const list = raw.split(",").map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`HERALD_WEBHOOK_RETRY_DELAYS_MS must be comma-separated non-negative milliseconds, got "${raw}"`);
  }
  return list;
}

/**
 * When the attempt after `roundAttempts` failed attempts is due, or null when the schedule is
 * spent. ±10 % jitter spreads retries of many deliveries that failed together; a Retry-After on
 * 429/503 is honoured when it asks for longer than the schedule.
 */
export function nextAttemptAt(input: {
  roundAttempts: number;
  now: number;
  retryAfterMs?: number;
  random?: () => number;
  delaysMs?: readonly number[];
}): Date | null {
  const base = (input.delaysMs ?? retryDelaysMs())[input.roundAttempts - 1];
  if (base === undefined) return null;
  const jitter = 1 + ((input.random ?? Math.random)() * 2 - 1) * 0.1;
  const delay = Math.max(Math.round(base * jitter), input.retryAfterMs ?? 0);
  return new Date(input.now + delay);
}
