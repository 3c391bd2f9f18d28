// Customer.io's Track API as Herald uses it: hosts per region and the documented limits.
import type { CustomerioRegion } from "@/db/schema/customerio";
import { positiveNumberEnv } from "@/lib/env";

export const TRACK_HOSTS: Record<CustomerioRegion, string> = {
  us: "track.customer.io",
  eu: "track-eu.customer.io",
};

export const LIMITS = {
  /** A v2 batch request body. */
  batchBytes: 500 * 1024,
  /** One operation inside a batch (and a single v2 entity request). */
  operationBytes: 32 * 1024,
  /** A person id / object id. */
  idBytes: 150,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
} as const;

/** Entities claimed per pass of a sync run. */
export const CLAIM_BATCH = 1000;

/**
 * Tunables read from the environment (defaults fit the real API): the per-integration request
 * rate (fair use is about 100 requests/s), the backoff base between retries, the attempts an
 * entity gets before it is dead-lettered, and the retries inside one run before its rows are
 * handed back with a delay.
 */
export function syncSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    ratePerSecond: positiveNumberEnv("HERALD_CUSTOMERIO_RATE_PER_SECOND", 90, env),
    backoffBaseMs: positiveNumberEnv("HERALD_CUSTOMERIO_BACKOFF_MS", 1000, env),
    backoffMaxMs: positiveNumberEnv("HERALD_CUSTOMERIO_BACKOFF_MAX_MS", 300_000, env),
    maxAttempts: positiveNumberEnv("HERALD_CUSTOMERIO_MAX_ATTEMPTS", 12, env),
    inRunRetries: positiveNumberEnv("HERALD_CUSTOMERIO_RUN_RETRIES", 4, env),
    requestTimeoutMs: positiveNumberEnv("HERALD_CUSTOMERIO_TIMEOUT_MS", 20_000, env),
    runBudgetMs: positiveNumberEnv("HERALD_CUSTOMERIO_RUN_BUDGET_MS", 240_000, env),
  };
}
export type SyncSettings = ReturnType<typeof syncSettings>;

/** Exponential backoff with full jitter's upper half: base·2^attempt, capped, never below Retry-After. */
export function backoffMs(s: Pick<SyncSettings, "backoffBaseMs" | "backoffMaxMs">, attempt: number, retryAfterMs?: number): number {
  const exp = Math.min(s.backoffMaxMs, s.backoffBaseMs * 2 ** Math.min(attempt, 20));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(jittered));
}
