import { timingSafeEqual } from "node:crypto";

/** Constant-time comparison of two strings (length leaks, content doesn't). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Timestamps more than this far from now (either way) are refused: a captured request can't be replayed later. */
export const MAX_WEBHOOK_AGE_SECONDS = 300;

export function isFreshTimestamp(seconds: string | number | null | undefined, now = Date.now()): boolean {
  const t = typeof seconds === "number" ? seconds : Number(seconds);
  if (seconds === null || seconds === undefined || seconds === "" || !Number.isFinite(t)) return false;
  return Math.abs(now / 1000 - t) <= MAX_WEBHOOK_AGE_SECONDS;
}
