// Queries of the provider config circuit breakers: state, transitions, the call window.
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { providerConfigBreakerEvents, providerConfigHealth, type BreakerState, type ProviderConfigHealth } from "../schema";

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
      .where(
        and(
          eq(providerConfigHealth.tenantId, input.tenantId),
          eq(providerConfigHealth.configId, input.configId),
          inArray(providerConfigHealth.state, input.from),
          input.when,
        ),
      )
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
  { tenantId, configId, windowSeconds, settleSeconds = 0 }: { tenantId: string; configId: string; windowSeconds: number; settleSeconds?: number },
) {
  const rows = await db.execute<{ calls: number; failures: number }>(sql`
    select count(*)::int as calls,
           count(*) filter (where outcome in ('retry', 'fallback', 'failed')
                            and (retryable is true or response_code in (401, 403)))::int as failures
    from message_attempts
    where tenant_id = ${tenantId} and config_id = ${configId} and outcome <> 'skipped'
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
