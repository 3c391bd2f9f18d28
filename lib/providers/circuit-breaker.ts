// Health-aware circuit breaker per provider config: closed → open (degraded) → half-open (one
// probe) → closed or open again. State lives in Postgres so every worker process agrees.
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import {
  configCallWindow,
  findConfigHealth,
  listBreakerEvents,
  recordHealthFailure,
  recordHealthSuccess,
  transitionBreaker,
} from "@/db/queries/circuit-breakers";
import type { BreakerState, ProviderConfigHealth } from "@/db/schema/circuit-breakers";
import { LocalCache } from "@/lib/cache/local-cache";
import { logger } from "@/lib/logger";
import { alertBreakerClosed, alertBreakerOpened } from "@/lib/alerts/ops-alerts";
import { DEFAULT_PROVIDER_TIMEOUT_MS } from "@/lib/providers/adapter";

export interface BreakerPolicy {
  /** Consecutive provider-level failures that open the breaker. */
  consecutiveFailures: number;
  /** Error rate (percent) over the window that opens it, once the window holds minCalls calls. */
  errorRatePercent: number;
  windowSeconds: number;
  minCalls: number;
  /** How long an open breaker waits before letting one probe through. */
  cooldownSeconds: number;
  /** A probe that hasn't reported back after this long is presumed dead; another may probe. */
  probeTimeoutSeconds: number;
  /** The error rate counts calls started at least this long ago: all of them have an outcome (the provider timeout). */
  settleSeconds: number;
}

interface BreakerConfig {
  id: string;
  tenantId: string;
  provider?: string;
  displayName?: string;
  settings: unknown;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * The config's `breaker_*` settings, else HERALD_BREAKER_* env, else: 10 consecutive failures, or
 * > 50 % over 60 s with ≥ 20 calls; 30 s cool-down. Ten, not five: with dozens of calls in flight
 * a flaky-but-working provider (30 % errors) produces runs of five by chance, and opening then
 * would cost messages their retries on it.
 */
export function breakerPolicyFor(config: { settings: unknown }, env: NodeJS.ProcessEnv = process.env): BreakerPolicy {
  const s = (config.settings ?? {}) as Record<string, unknown>;
  const pick = (key: string, envName: string, fallback: number) =>
    typeof s[key] === "number" && (s[key] as number) > 0 ? (s[key] as number) : envNumber(env, envName, fallback);
  return {
    consecutiveFailures: pick("breaker_consecutive_failures", "HERALD_BREAKER_CONSECUTIVE_FAILURES", 10),
    errorRatePercent: pick("breaker_error_rate_percent", "HERALD_BREAKER_ERROR_RATE_PERCENT", 50),
    windowSeconds: pick("breaker_window_seconds", "HERALD_BREAKER_WINDOW_SECONDS", 60),
    minCalls: pick("breaker_min_calls", "HERALD_BREAKER_MIN_CALLS", 20),
    cooldownSeconds: pick("breaker_cooldown_seconds", "HERALD_BREAKER_COOLDOWN_SECONDS", 30),
    probeTimeoutSeconds: envNumber(env, "HERALD_BREAKER_PROBE_TIMEOUT_SECONDS", 60),
    settleSeconds: Math.min(30, envNumber(env, "HERALD_PROVIDER_TIMEOUT_MS", DEFAULT_PROVIDER_TIMEOUT_MS) / 1000),
  };
}

// A closed breaker is read at most every 250 ms per process: a hot config doesn't read its row
// per message. An opening anywhere also reaches every process at once (a state change NOTIFYs
// the cache bus); the TTL bounds the failure count, which changes without notifying.
const CLOSED_TTL_MS = 250;
const cache = new LocalCache<ProviderConfigHealth | null>({ max: 5000, ttlMs: CLOSED_TTL_MS, unheardTtlMs: CLOSED_TTL_MS });
const tagsOf = (configId: string) => [`provider_config_health:${configId}`, `provider_configs:${configId}`];

async function healthOf(config: BreakerConfig, fresh = false): Promise<ProviderConfigHealth | undefined> {
  const hit = fresh ? undefined : cache.get(config.id);
  if (hit !== undefined && (!hit || hit.state === "closed")) return hit ?? undefined;
  const row = await cache.refresh(
    config.id,
    async () => (await findConfigHealth(getDb(), { tenantId: config.tenantId, configId: config.id })) ?? null,
    () => tagsOf(config.id),
  );
  return row ?? undefined;
}

function remember(row: ProviderConfigHealth | undefined, configId: string) {
  if (row) cache.set(configId, row, tagsOf(configId));
  else cache.delete(configId);
}

export type BreakerGate =
  | { allow: true; probe: boolean }
  | { allow: false; retryAt: Date; reason: string };

/** How soon a message turned away by a probe in flight looks again. */
const PROBE_WAIT_MS = 1_000;

/**
 * May `messageId` call this config now? Closed: yes. Open: no until the cool-down has passed;
 * then the first message to claim the half-open slot (one conditional update) is the probe and
 * every other waits for its verdict.
 */
export async function checkBreaker(config: BreakerConfig, messageId: string, policy = breakerPolicyFor(config)): Promise<BreakerGate> {
  let row = await healthOf(config);
  if (!row || row.state === "closed") return { allow: true, probe: false };
  const now = Date.now();
  if (row.state === "open") {
    if (row.openUntil && row.openUntil.getTime() > now) {
      return { allow: false, retryAt: row.openUntil, reason: row.reason ?? "circuit open" };
    }
    const claimed = await transitionBreaker(getDb(), {
      tenantId: config.tenantId,
      configId: config.id,
      from: ["open"],
      to: "half_open",
      when: sql`open_until <= now()`,
      set: { probeMessageId: messageId, probeClaimedAt: new Date() },
      event: { reason: `cool-down of ${policy.cooldownSeconds} s elapsed; probing with message ${messageId}`, messageId },
    });
    remember(claimed, config.id);
    if (claimed) return { allow: true, probe: true };
    row = await healthOf(config, true);
    if (!row || row.state === "closed") return { allow: true, probe: false };
    if (row.state === "open") return { allow: false, retryAt: row.openUntil ?? new Date(now + PROBE_WAIT_MS), reason: row.reason ?? "circuit open" };
  }
  // half-open
  if (row.probeMessageId === messageId) return { allow: true, probe: true };
  const stale = !row.probeClaimedAt || row.probeClaimedAt.getTime() < now - policy.probeTimeoutSeconds * 1000;
  if (stale) {
    const reclaimed = await transitionBreaker(getDb(), {
      tenantId: config.tenantId,
      configId: config.id,
      from: ["half_open"],
      to: "half_open",
      when: sql`(probe_claimed_at is null or probe_claimed_at < now() - make_interval(secs => ${policy.probeTimeoutSeconds}))`,
      set: { probeMessageId: messageId, probeClaimedAt: new Date() },
      event: { reason: "previous probe timed out", messageId },
    });
    remember(reclaimed, config.id);
    if (reclaimed) return { allow: true, probe: true };
  }
  return { allow: false, retryAt: new Date(now + PROBE_WAIT_MS), reason: "circuit half-open: a probe message is deciding" };
}

export type CallOutcome = { ok: true } | { ok: false; providerLevel: boolean; error: string };

/**
 * Feeds one provider call's outcome to the breaker. A provider answer that refuses the message
 * (invalid recipient, rejected content) proves the provider is up: it counts as a success.
 */
export async function recordBreakerOutcome(config: BreakerConfig, messageId: string, outcome: CallOutcome, policy = breakerPolicyFor(config)): Promise<void> {
  try {
    if (outcome.ok || !outcome.providerLevel) await onSuccess(config, messageId);
    else await onFailure(config, messageId, outcome.error, policy);
  } catch (err) {
    // The breaker is advisory: never fail a delivery because its bookkeeping failed.
    logger.error({ err, configId: config.id }, "circuit breaker bookkeeping failed");
  }
}

async function onSuccess(config: BreakerConfig, messageId: string) {
  const row = await healthOf(config);
  if (!row) return;
  if (row.state === "half_open" || row.state === "open") {
    const closed = await transitionBreaker(getDb(), {
      tenantId: config.tenantId,
      configId: config.id,
      from: ["half_open", "open"],
      to: "closed",
      set: { consecutiveFailures: 0, openUntil: null, probeMessageId: null, probeClaimedAt: null },
      event: { reason: row.probeMessageId === messageId ? `probe message ${messageId} succeeded` : `message ${messageId} succeeded`, messageId },
    });
    remember(closed, config.id);
    if (closed) {
      logger.info({ configId: config.id }, "circuit breaker closed");
      alertBreakerClosed(config, row.probeMessageId === messageId ? "its probe message succeeded" : "a message succeeded");
    }
    return;
  }
  if (row.consecutiveFailures > 0) {
    await recordHealthSuccess(getDb(), { tenantId: config.tenantId, configId: config.id });
    remember({ ...row, consecutiveFailures: 0, lastSuccessAt: new Date() }, config.id);
  }
}

async function onFailure(config: BreakerConfig, messageId: string, error: string, policy: BreakerPolicy) {
  const db = getDb();
  const row = await recordHealthFailure(db, { tenantId: config.tenantId, configId: config.id });
  remember(row, config.id);
  const openFor = () => ({
    openedAt: new Date(),
    openUntil: new Date(Date.now() + policy.cooldownSeconds * 1000),
    probeMessageId: null,
    probeClaimedAt: null,
  });
  if (row.state === "half_open") {
    const reopened = await transitionBreaker(db, {
      tenantId: config.tenantId,
      configId: config.id,
      from: ["half_open"],
      to: "open",
      set: openFor(),
      event: { reason: `probe message ${messageId} failed: ${error}`, consecutiveFailures: row.consecutiveFailures, messageId },
    });
    remember(reopened, config.id);
    if (reopened) alertBreakerOpened(config, `its probe message failed again: ${error}`);
    return;
  }
  if (row.state !== "closed") return;
  let reason: string | undefined;
  let stats: { calls: number; failures: number } | undefined;
  if (row.consecutiveFailures >= policy.consecutiveFailures) {
    reason = `${row.consecutiveFailures} consecutive provider failures (last: ${error})`;
  } else {
    stats = await configCallWindow(db, { tenantId: config.tenantId, configId: config.id, windowSeconds: policy.windowSeconds, settleSeconds: policy.settleSeconds });
    const rate = stats.calls > 0 ? (stats.failures / stats.calls) * 100 : 0;
    if (stats.calls >= policy.minCalls && rate > policy.errorRatePercent) {
      reason = `error rate ${rate.toFixed(1)} % over ${policy.windowSeconds} s (${stats.failures} of ${stats.calls} calls; last: ${error})`;
    }
  }
  if (!reason) return;
  stats ??= await configCallWindow(db, { tenantId: config.tenantId, configId: config.id, windowSeconds: policy.windowSeconds, settleSeconds: policy.settleSeconds });
  const opened = await transitionBreaker(db, {
    tenantId: config.tenantId,
    configId: config.id,
    from: ["closed"],
    to: "open",
    set: openFor(),
    event: {
      reason,
      errorRate: stats.calls > 0 ? stats.failures / stats.calls : null,
      calls: stats.calls,
      consecutiveFailures: row.consecutiveFailures,
      messageId,
    },
  });
  remember(opened, config.id);
  if (opened) {
    logger.warn({ configId: config.id, reason }, "circuit breaker opened: config degraded");
    alertBreakerOpened(config, reason);
  }
}

export interface BreakerView {
  state: BreakerState;
  degraded: boolean;
  reason: string | null;
  error_rate: number | null;
  calls_in_window: number;
  failures_in_window: number;
  consecutive_failures: number;
  open_until: string | null;
  state_changed_at: string | null;
  policy: {
    consecutive_failures: number;
    error_rate_percent: number;
    window_seconds: number;
    min_calls: number;
    cooldown_seconds: number;
  };
  transitions: { from: BreakerState; to: BreakerState; reason: string; error_rate: number | null; calls: number | null; at: string }[];
}

/** The breaker as the config API and card show it: state, current error rate, recent transitions. */
export async function describeBreaker(config: BreakerConfig): Promise<BreakerView> {
  const db = getDb();
  const policy = breakerPolicyFor(config);
  const [row, stats, events] = await Promise.all([
    findConfigHealth(db, { tenantId: config.tenantId, configId: config.id }),
    configCallWindow(db, { tenantId: config.tenantId, configId: config.id, windowSeconds: policy.windowSeconds }),
    listBreakerEvents(db, { tenantId: config.tenantId, configId: config.id, limit: 20 }),
  ]);
  const state = row?.state ?? "closed";
  return {
    state,
    degraded: state !== "closed",
    reason: state === "closed" ? null : (row?.reason ?? null),
    error_rate: stats.calls > 0 ? Math.round((stats.failures / stats.calls) * 10_000) / 10_000 : null,
    calls_in_window: stats.calls,
    failures_in_window: stats.failures,
    consecutive_failures: row?.consecutiveFailures ?? 0,
    open_until: row?.state === "open" && row.openUntil ? row.openUntil.toISOString() : null,
    state_changed_at: row ? row.stateChangedAt.toISOString() : null,
    policy: {
      consecutive_failures: policy.consecutiveFailures,
      error_rate_percent: policy.errorRatePercent,
      window_seconds: policy.windowSeconds,
      min_calls: policy.minCalls,
      cooldown_seconds: policy.cooldownSeconds,
    },
    transitions: events.map((e) => ({ from: e.fromState, to: e.toState, reason: e.reason, error_rate: e.errorRate, calls: e.calls, at: e.at.toISOString() })),
  };
}

/** For tests: forget cached states. */
export function resetBreakerCache() {
  cache.clear();
}
