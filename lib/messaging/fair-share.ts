// Fair share and back-pressure: the per-tenant send quota at the API, per-tenant delivery
// concurrency and per-config send rate in the delivery workflow, all shared by every process
// (the buckets in the rate-limit store, Postgres or Redis; the slots in Postgres).
import { getDb } from "@/db";
import { acquireSlot, findTenantLimits, releaseSlot, upsertTenantLimits } from "@/db/queries/send-limits";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { LocalCache } from "@/lib/cache/local-cache";
import { emitEvent } from "@/lib/jobs/emit";
import { engineKind } from "@/lib/jobs/engine-kind";
import { deterministicUuid } from "@/lib/jobs/run-id";
import type { SendLimits } from "@/lib/providers/limiter";
import { limiterStore } from "@/lib/rate-limit/store";
import type { TenantContext } from "@/lib/tenancy/context";

export interface EffectiveTenantLimits {
  /** Messages accepted per second at the API; null = no quota. */
  sendsPerSecond: number | null;
  /** Deliveries in flight at once; null = no cap beyond the worker pool. */
  maxConcurrentDeliveries: number | null;
}

function envLimit(env: NodeJS.ProcessEnv, name: string): number | null {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : null;
}

// A change made by any process NOTIFYs the cache bus and drops the entry everywhere; without
// the bus (starting, reconnecting) an entry lives a second.
const limitsCache = new LocalCache<EffectiveTenantLimits>({ max: 10_000, ttlMs: 60_000, unheardTtlMs: 1_000 });

/** The tenant's row in tenant_limits, else HERALD_TENANT_SENDS_PER_SECOND / HERALD_TENANT_MAX_CONCURRENCY. */
export async function tenantLimitsFor(tenantId: string, env: NodeJS.ProcessEnv = process.env): Promise<EffectiveTenantLimits> {
  return limitsCache.getOrLoad(
    tenantId,
    async () => {
      const row = await findTenantLimits(getDb(), { tenantId });
      return {
        sendsPerSecond: row?.sendsPerSecond ?? envLimit(env, "HERALD_TENANT_SENDS_PER_SECOND"),
        maxConcurrentDeliveries: row?.maxConcurrentDeliveries ?? envLimit(env, "HERALD_TENANT_MAX_CONCURRENCY"),
      };
    },
    () => [`tenant_limits:${tenantId}`],
  );
}

/** Sets (or clears, with null) the tenant's overrides; audited. */
export async function setTenantLimits(ctx: TenantContext, input: { sendsPerSecond: number | null; maxConcurrentDeliveries: number | null }) {
  const row = await getDb().transaction(async (tx) => {
    const saved = await upsertTenantLimits(tx, { tenantId: ctx.tenantId, ...input });
    await recordAudit(tx, ctx, {
      action: "tenant_limits.updated",
      targetType: "tenant",
      targetId: ctx.tenantId,
      details: { sends_per_second: input.sendsPerSecond, max_concurrent_deliveries: input.maxConcurrentDeliveries },
    });
    return saved;
  });
  limitsCache.delete(ctx.tenantId);
  return row;
}

// ---------------------------------------------------------------------------------------------
// API: the tenant's send quota

function quotaExceeded(retryAfterMs: number, quota: number) {
  const err = ApiError.rateLimited(retryAfterMs / 1000, `This tenant's send quota of ${quota} messages per second is used up; retry after the Retry-After delay`);
  return new ApiError({ code: "tenant_send_quota_exceeded", message: err.message, status: 429, details: err.details, headers: err.headers });
}

/**
 * Takes `want` sends from the tenant's quota (token bucket, burst = one second's worth).
 * `partial` (batches): grants what is left and says how long until the rest; none left → 429.
 */
export async function takeSendQuota(
  ctx: TenantContext,
  want: number,
  opts: { partial?: boolean } = {},
): Promise<{ granted: number; retryAfterSeconds: number | null }> {
  const { sendsPerSecond } = await tenantLimitsFor(ctx.tenantId);
  if (!sendsPerSecond || want <= 0) return { granted: want, retryAfterSeconds: null };
  const take = await (await limiterStore()).takeTokens({
    key: `tenant-sends:${ctx.tenantId}`,
    rate: sendsPerSecond,
    burst: sendsPerSecond,
    want,
  });
  if (take.granted === 0 || (!opts.partial && take.granted < want)) throw quotaExceeded(take.waitMs, sendsPerSecond);
  return { granted: take.granted, retryAfterSeconds: take.granted < want ? Math.max(1, Math.ceil(take.waitMs / 1000)) : null };
}

export function quotaItemError(retryAfterSeconds: number) {
  return {
    status: 429,
    error: {
      code: "tenant_send_quota_exceeded",
      message: "Not accepted: this tenant's send quota per second is used up; resend this message after Retry-After",
      details: { retry_after_seconds: retryAfterSeconds },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery: per-tenant concurrency, per-config rate

/** How long a delivery holds its tenant slot at most if its worker dies (the lease plus slack). */
const SLOT_TTL_SECONDS = 90;

const slotKey = (tenantId: string) => `tenant-deliveries:${tenantId}`;

export type Admission = { kind: "admitted"; slot: boolean } | { kind: "defer"; waitMs: number; reason: string };

/** A short, jittered delay so deferred deliveries don't come back in lockstep. */
export function deferDelayMs(baseMs: number, random = Math.random): number {
  return Math.round(baseMs * (0.75 + random() / 2));
}

/**
 * Takes one of the tenant's delivery slots on the pg-boss engine for a tenant whose
 * `tenant_limits.max_concurrent_deliveries` overrides the default. Over the limit: defer instead
 * of holding a worker. (Inngest's concurrency key is static: it enforces the environment
 * default, HERALD_TENANT_MAX_CONCURRENCY, not per-tenant overrides — see the README.)
 */
export async function admitDelivery(input: { tenantId: string; messageId: string; lane?: "priority" }): Promise<Admission> {
  if (engineKind() !== "pg-boss") return { kind: "admitted", slot: false };
  // OTPs do not queue behind the tenant's own campaign for a slot (they are few, and throttled at the API).
  if (input.lane === "priority") return { kind: "admitted", slot: false };
  const { maxConcurrentDeliveries } = await tenantLimitsFor(input.tenantId);
  // The environment default is the workflow's `tenantConcurrency`, which the engine itself
  // enforces (before the run starts); only a tenant's own override is admitted here.
  if (!maxConcurrentDeliveries || maxConcurrentDeliveries === envLimit(process.env, "HERALD_TENANT_MAX_CONCURRENCY")) return { kind: "admitted", slot: false };
  const r = await acquireSlot(getDb(), { key: slotKey(input.tenantId), holder: input.messageId, limit: maxConcurrentDeliveries, ttlSeconds: SLOT_TTL_SECONDS });
  if (r.granted) return { kind: "admitted", slot: true };
  return { kind: "defer", waitMs: deferDelayMs(250), reason: `tenant has ${r.held} deliveries in flight (limit ${maxConcurrentDeliveries})` };
}

export async function releaseDelivery(input: { tenantId: string; messageId: string }): Promise<void> {
  await releaseSlot(getDb(), { key: slotKey(input.tenantId), holder: input.messageId });
}

/** A reservation up to this far ahead is waited for in the worker; beyond, the message is deferred. */
const MAX_INLINE_RATE_WAIT_SECONDS = 1;

/**
 * One send token of the config's rate (shared by every process). Returns how long to wait
 * before calling (a reservation), or that the message should be deferred.
 */
export async function takeConfigSendToken(configId: string, limits: SendLimits): Promise<{ kind: "go"; waitMs: number } | { kind: "defer"; waitMs: number }> {
  if (!limits.ratePerSecond) return { kind: "go", waitMs: 0 };
  const r = await (await limiterStore()).takeTokens({
    key: `config-sends:${configId}`,
    rate: limits.ratePerSecond,
    burst: Math.max(1, limits.ratePerSecond),
    want: 1,
    debtSeconds: MAX_INLINE_RATE_WAIT_SECONDS,
  });
  return r.granted > 0 ? { kind: "go", waitMs: r.waitMs } : { kind: "defer", waitMs: deferDelayMs(Math.max(r.waitMs, 100)) };
}

/**
 * Re-schedules the message's delivery as a new run `waitMs` from now (pg-boss `startAfter`,
 * Inngest `ts`). The id derives from the deferring run, so a re-run of that step emits nothing new.
 */
export async function deferDelivery(input: {
  tenantId: string;
  messageId: string;
  runId: string;
  step: string;
  waitMs: number;
  deferredSince?: string;
  lane?: "priority";
}) {
  const startAfter = new Date(Date.now() + Math.max(0, input.waitMs));
  await emitEvent(
    input.lane === "priority" ? "herald/message.priority-queued" : "herald/message.queued",
    {
      tenantId: input.tenantId,
      messageId: input.messageId,
      deferredSince: input.deferredSince ?? new Date().toISOString(),
      ...(input.lane ? { lane: input.lane } : {}),
    },
    { tenantId: input.tenantId, id: deterministicUuid(input.runId, input.step), startAfter },
  );
  return { deferredUntil: startAfter.toISOString() };
}
