// Queries of the shared send limits: concurrency slots, tenant limits (token buckets: rate-limits.ts).
import { and, eq, gt, lt, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { deliverySlots, tenantLimits } from "../schema";

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
