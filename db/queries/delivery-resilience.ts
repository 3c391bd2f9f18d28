// Queries of delivery resilience: breaker state and transitions, shared token buckets and
// concurrency slots, tenant limits.
import { and, desc, eq, gt, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  deliverySlots,
  providerConfigBreakerEvents,
  providerConfigHealth,
  sendRateBuckets,
  tenantLimits,
  type BreakerState,
  type ProviderConfigHealth,
} from "../schema";

// ---------------------------------------------------------------------------------------------
// Breaker

export async function findConfigHealth(db: DbOrTx, { tenantId, configId }: { tenantId: string; configId: string }) {
  const [row] = await db
    .select()
    .from(providerConfigHealth)
    .where(and(eq(providerConfigHealth.tenantId, tenantId), eq(providerConfigHealth.configId, configId)));
  return row;
}

/** Counts one provider-level failure; creates the row (closed) on the first one. */
export async function recordHealthFailure(db: DbOrTx, { tenantId, configId }: { tenantId: string; configId: string }) {
  const [row] = await db
    .insert(providerConfigHealth)
    .values({ tenantId, configId, consecutiveFailures: 1, lastFailureAt: new Date() })
    .onConflictDoUpdate({
      target: providerConfigHealth.configId,
      set: { consecutiveFailures: sql`${providerConfigHealth.consecutiveFailures} + 1`, lastFailureAt: new Date() },
    })
    .returning();
  return row!;
}

/** Resets the failure run after a success (a no-op write is skipped by the caller when already 0). */
export async function recordHealthSuccess(db: DbOrTx, { tenantId, configId }: { tenantId: string; configId: string }) {
  await db
    .update(providerConfigHealth)
    .set({ consecutiveFailures: 0, lastSuccessAt: new Date() })
    .where(and(eq(providerConfigHealth.tenantId, tenantId), eq(providerConfigHealth.configId, configId)));
}

/**
 * Moves the breaker from one of `from` to `to` (plus `when`) and records the transition, in one
 * transaction. Conditional, so of several workers racing only one moves it (and records it).
 */
export async function transitionBreaker(
  db: DbOrTx,
  input: {
    tenantId: string;
    configId: string;
    from: BreakerState[];
    to: BreakerState;
    when?: SQL;
    set?: Partial<Pick<ProviderConfigHealth, "openUntil" | "openedAt" | "probeMessageId" | "probeClaimedAt" | "consecutiveFailures" | "reason">>;
    event: { reason: string; errorRate?: number | null; calls?: number | null; consecutiveFailures?: number | null; messageId?: string | null };
  },
): Promise<ProviderConfigHealth | undefined> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ state: providerConfigHealth.state })
      .from(providerConfigHealth)
      .where(and(eq(providerConfigHealth.tenantId, input.tenantId), eq(providerConfigHealth.configId, input.configId)))
      .for("update");
    if (!before || !input.from.includes(before.state)) return undefined;
    const now = new Date();
    const [row] = await tx
      .update(providerConfigHealth)
      .set({ ...input.set, state: input.to, stateChangedAt: now, reason: input.set?.reason ?? input.event.reason })
      .where(and(eq(providerConfigHealth.configId, input.configId), inArray(providerConfigHealth.state, input.from), input.when))
      .returning();
    if (!row) return undefined;
    if (before.state !== input.to) {
      await tx.insert(providerConfigBreakerEvents).values({
        tenantId: input.tenantId,
        configId: input.configId,
        fromState: before.state,
        toState: input.to,
        reason: input.event.reason.slice(0, 1000),
        errorRate: input.event.errorRate ?? null,
        calls: input.event.calls ?? null,
        consecutiveFailures: input.event.consecutiveFailures ?? null,
        messageId: input.event.messageId ?? null,
        at: now,
      });
    }
    return row;
  });
}

/**
 * Provider calls of a config in the window and how many failed at provider level: 5xx,
 * timeouts and network errors, 429, auth (retryable, or a 401/403). A refused recipient or a
 * rejected request says nothing about the provider's health. `settleSeconds` leaves out the
 * calls that may still be in flight (failures return faster than successes, so a window that
 * includes them over-counts errors at the start of a burst).
 */
export async function configCallWindow(
  db: DbOrTx,
  { configId, windowSeconds, settleSeconds = 0 }: { configId: string; windowSeconds: number; settleSeconds?: number },
) {
  const rows = await db.execute<{ calls: number; failures: number }>(sql`
    select count(*)::int as calls,
           count(*) filter (where outcome in ('retry', 'fallback', 'failed')
                            and (retryable is true or response_code in (401, 403)))::int as failures
    from message_attempts
    where config_id = ${configId} and outcome <> 'skipped'
      and started_at > now() - make_interval(secs => ${windowSeconds})
      and started_at <= now() - make_interval(secs => ${settleSeconds})`);
  const r = rows[0];
  return { calls: Number(r?.calls ?? 0), failures: Number(r?.failures ?? 0) };
}

export async function listBreakerEvents(db: DbOrTx, { tenantId, configId, limit }: { tenantId: string; configId: string; limit: number }) {
  return db
    .select()
    .from(providerConfigBreakerEvents)
    .where(and(eq(providerConfigBreakerEvents.tenantId, tenantId), eq(providerConfigBreakerEvents.configId, configId)))
    .orderBy(desc(providerConfigBreakerEvents.at), desc(providerConfigBreakerEvents.id))
    .limit(limit);
}

// ---------------------------------------------------------------------------------------------
// Token buckets

/**
 * Takes tokens from a bucket refilled at `rate`/s up to `burst`. `partial`: grant as many of
 * `want` as are available (0 = none). `debtSeconds` > 0: a single token may be reserved ahead
 * (the bucket goes negative) as long as the caller waits at most that long for it.
 * Returns how many were granted and, when short, how long until the next token.
 */
export async function takeBucketTokens(
  db: DbOrTx,
  input: { key: string; rate: number; burst: number; want: number; debtSeconds?: number },
): Promise<{ granted: number; waitMs: number }> {
  return db.transaction(async (tx) => {
    const now = new Date();
    await tx.insert(sendRateBuckets).values({ key: input.key, tokens: input.burst, refilledAt: now }).onConflictDoNothing();
    const [b] = await tx.select().from(sendRateBuckets).where(eq(sendRateBuckets.key, input.key)).for("update");
    const elapsed = Math.max(0, (now.getTime() - b!.refilledAt.getTime()) / 1000);
    const avail = Math.min(input.burst, b!.tokens + elapsed * input.rate);
    let granted = Math.max(0, Math.min(input.want, Math.floor(avail)));
    // Until the next token after what was granted (0 when the whole want was granted).
    let waitMs = granted === input.want ? 0 : Math.max(1, Math.ceil(((1 - (avail - granted)) / input.rate) * 1000));
    const debt = input.debtSeconds ?? 0;
    if (granted === 0 && debt > 0 && avail - 1 >= -input.rate * debt) {
      // A reservation: the caller waits this long, then calls.
      granted = 1;
      waitMs = Math.max(0, Math.ceil(((1 - avail) / input.rate) * 1000));
    }
    await tx
      .update(sendRateBuckets)
      .set({ tokens: avail - granted, refilledAt: now })
      .where(eq(sendRateBuckets.key, input.key));
    return { granted, waitMs };
  });
}

// ---------------------------------------------------------------------------------------------
// Concurrency slots

/**
 * Takes (or renews) `holder`'s slot of `key` if fewer than `limit` live slots are held. An
 * advisory lock per key serialises the count-then-insert across processes.
 */
export async function acquireSlot(
  db: DbOrTx,
  input: { key: string; holder: string; limit: number; ttlSeconds: number },
): Promise<{ granted: boolean; held: number; nextExpiry: Date | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`slot:${input.key}`}, 0))`);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
    await tx.delete(deliverySlots).where(and(eq(deliverySlots.key, input.key), lte(deliverySlots.expiresAt, now)));
    const renewed = await tx
      .update(deliverySlots)
      .set({ expiresAt })
      .where(and(eq(deliverySlots.key, input.key), eq(deliverySlots.holder, input.holder)))
      .returning({ holder: deliverySlots.holder });
    const [count] = await tx
      .select({ n: sql<number>`count(*)::int`, next: sql<Date | null>`min(${deliverySlots.expiresAt})` })
      .from(deliverySlots)
      .where(and(eq(deliverySlots.key, input.key), gt(deliverySlots.expiresAt, now)));
    const held = Number(count?.n ?? 0);
    const next = count?.next ? new Date(count.next) : null;
    if (renewed.length > 0) return { granted: true, held, nextExpiry: next };
    if (held >= input.limit) return { granted: false, held, nextExpiry: next };
    await tx.insert(deliverySlots).values({ key: input.key, holder: input.holder, expiresAt });
    return { granted: true, held: held + 1, nextExpiry: next };
  });
}

export async function releaseSlot(db: DbOrTx, { key, holder }: { key: string; holder: string }) {
  await db.delete(deliverySlots).where(and(eq(deliverySlots.key, key), eq(deliverySlots.holder, holder)));
}

export async function countLiveSlots(db: DbOrTx, { key }: { key: string }) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(deliverySlots)
    .where(and(eq(deliverySlots.key, key), gt(deliverySlots.expiresAt, new Date())));
  return Number(row?.n ?? 0);
}

/** Lapsed slots of dead holders (housekeeping; acquire also drops them per key). */
export async function deleteExpiredSlots(db: DbOrTx) {
  await db.delete(deliverySlots).where(lt(deliverySlots.expiresAt, new Date()));
}

// ---------------------------------------------------------------------------------------------
// Tenant limits

export async function findTenantLimits(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db.select().from(tenantLimits).where(eq(tenantLimits.tenantId, tenantId));
  return row;
}

export async function upsertTenantLimits(
  db: DbOrTx,
  input: { tenantId: string; sendsPerSecond: number | null; maxConcurrentDeliveries: number | null },
) {
  const [row] = await db
    .insert(tenantLimits)
    .values(input)
    .onConflictDoUpdate({
      target: tenantLimits.tenantId,
      set: { sendsPerSecond: input.sendsPerSecond, maxConcurrentDeliveries: input.maxConcurrentDeliveries, updatedAt: new Date() },
    })
    .returning();
  return row!;
}
