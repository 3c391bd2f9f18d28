// Queries of outbound webhooks: endpoints, deliveries and their attempt log.
import { and, arrayOverlaps, desc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { UNPAGED_LIST_LIMIT } from "./list-limits";
import {
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookEndpoints,
  type NewWebhookEndpoint,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
} from "../schema";

// ---------------------------------------------------------------------------------------------
// endpoints

export async function insertWebhookEndpoint(db: DbOrTx, row: NewWebhookEndpoint & { id: string; tenantId: string }) {
  const [inserted] = await db.insert(webhookEndpoints).values(row).returning();
  return inserted!;
}

export async function listWebhookEndpoints(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId)).orderBy(desc(webhookEndpoints.createdAt)).limit(UNPAGED_LIST_LIMIT);
}

/**
 * `forUpdate` takes FOR NO KEY UPDATE, not FOR UPDATE: inserting an attempt row takes FOR KEY
 * SHARE on its endpoint through the foreign key, which FOR UPDATE conflicts with — two attempts
 * to one endpoint each holding the share lock and asking for FOR UPDATE deadlock. NO KEY UPDATE
 * (what an UPDATE of non-key columns takes anyway) does not conflict with KEY SHARE.
 */
export async function findWebhookEndpoint(db: DbOrTx, { tenantId, id, forUpdate }: { tenantId: string; id: string; forUpdate?: boolean }) {
  const q = db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)));
  const [row] = forUpdate ? await q.for("no key update") : await q;
  return row;
}

/**
 * A success clears the failure clock. Written only when it changes something (failing, or the
 * last success is older than a second), so a burst of successes to one endpoint does not queue
 * every attempt's transaction on this one row.
 */
export async function recordEndpointSuccess(db: DbOrTx, { tenantId, id, at }: { tenantId: string; id: string; at: Date }) {
  await db
    .update(webhookEndpoints)
    .set({ failingSince: null, lastSuccessAt: sql`greatest(${webhookEndpoints.lastSuccessAt}, ${at.toISOString()}::timestamptz)` })
    .where(
      and(
        eq(webhookEndpoints.tenantId, tenantId),
        eq(webhookEndpoints.id, id),
        sql`(${webhookEndpoints.failingSince} is not null or ${webhookEndpoints.lastSuccessAt} is null
          or ${webhookEndpoints.lastSuccessAt} < ${at.toISOString()}::timestamptz - interval '1 second')`,
      ),
    );
}

export async function updateWebhookEndpoint(
  db: DbOrTx,
  { tenantId, id, values }: { tenantId: string; id: string; values: Partial<Omit<WebhookEndpoint, "id" | "tenantId" | "createdAt">> },
) {
  const [row] = await db
    .update(webhookEndpoints)
    .set(values)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
    .returning();
  return row;
}

export async function deleteWebhookEndpoint(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
    .returning();
  return row;
}

/** Enabled endpoints of a tenant subscribed to an event type. */
export async function listSubscribedEndpoints(db: DbOrTx, { tenantId, eventTypes }: { tenantId: string; eventTypes: string[] }) {
  if (eventTypes.length === 0) return [];
  return db
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.tenantId, tenantId),
        eq(webhookEndpoints.status, "enabled"),
        arrayOverlaps(webhookEndpoints.eventTypes, eventTypes),
      ),
    );
}

// ---------------------------------------------------------------------------------------------
// deliveries

export async function insertWebhookDeliveries(
  db: DbOrTx,
  rows: { tenantId: string; endpointId: string; eventId: string; eventType: string; payload: Record<string, unknown>; nextAttemptAt: Date }[],
) {
  if (rows.length === 0) return [];
  return db
    .insert(webhookDeliveries)
    .values(rows)
    .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.eventId] })
    .returning({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId, attemptCount: webhookDeliveries.attemptCount });
}

export async function findWebhookDelivery(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id)));
  return row;
}

export async function listWebhookDeliveries(
  db: DbOrTx,
  f: { tenantId: string; endpointId: string; status?: WebhookDeliveryStatus; limit: number; beforeId?: string },
) {
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.tenantId, f.tenantId),
        eq(webhookDeliveries.endpointId, f.endpointId),
        f.status ? eq(webhookDeliveries.status, f.status) : undefined,
        f.beforeId
          ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (select d.created_at, d.id from webhook_deliveries d where d.id = ${f.beforeId} and d.tenant_id = ${f.tenantId})`
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(f.limit);
}

export async function listDeliveryAttempts(db: DbOrTx, { tenantId, deliveryIds }: { tenantId: string; deliveryIds: string[] }) {
  if (deliveryIds.length === 0) return [];
  return db
    .select()
    .from(webhookDeliveryAttempts)
    .where(and(eq(webhookDeliveryAttempts.tenantId, tenantId), inArray(webhookDeliveryAttempts.deliveryId, deliveryIds)))
    .orderBy(webhookDeliveryAttempts.deliveryId, desc(webhookDeliveryAttempts.attemptNumber));
}

/**
 * Takes attempt `expectedAttempt + 1` of a delivery: only while it is waiting at that count, or
 * when an attempt at that count has been in flight longer than the lease (its worker died).
 * Whoever loses the race gets undefined and sends nothing.
 */
export async function claimWebhookDelivery(
  db: DbOrTx,
  { tenantId, id, expectedAttempt, now, leaseMs }: { tenantId: string; id: string; expectedAttempt: number; now: Date; leaseMs: number },
): Promise<WebhookDelivery | undefined> {
  const staleBefore = new Date(now.getTime() - leaseMs);
  const [row] = await db
    .update(webhookDeliveries)
    .set({
      status: "delivering",
      attemptCount: sql`case when ${webhookDeliveries.status} = 'delivering' then ${webhookDeliveries.attemptCount} else ${webhookDeliveries.attemptCount} + 1 end`,
      roundAttempts: sql`case when ${webhookDeliveries.status} = 'delivering' then ${webhookDeliveries.roundAttempts} else ${webhookDeliveries.roundAttempts} + 1 end`,
      lastAttemptAt: now,
      nextAttemptAt: null,
    })
    .where(
      and(
        eq(webhookDeliveries.tenantId, tenantId),
        eq(webhookDeliveries.id, id),
        sql`((${webhookDeliveries.status} in ('pending', 'failed') and ${webhookDeliveries.attemptCount} = ${expectedAttempt})
          or (${webhookDeliveries.status} = 'delivering' and ${webhookDeliveries.attemptCount} = ${expectedAttempt + 1} and ${webhookDeliveries.lastAttemptAt} < ${staleBefore.toISOString()}::timestamptz))`,
      ),
    )
    .returning();
  return row;
}

export async function insertDeliveryAttempt(db: DbOrTx, row: typeof webhookDeliveryAttempts.$inferInsert) {
  await db.insert(webhookDeliveryAttempts).values(row).onConflictDoNothing();
}

/** Records the outcome of the attempt in flight at `attemptCount`; a no-op if someone else did. */
export async function finishDeliveryAttempt(
  db: DbOrTx,
  input: {
    tenantId: string;
    id: string;
    attemptCount: number;
    values: Pick<WebhookDelivery, "status" | "nextAttemptAt" | "lastResponseCode" | "lastResponseBody" | "lastLatencyMs" | "lastError"> & {
      succeededAt?: Date | null;
    };
  },
) {
  const [row] = await db
    .update(webhookDeliveries)
    .set(input.values)
    .where(
      and(
        eq(webhookDeliveries.tenantId, input.tenantId),
        eq(webhookDeliveries.id, input.id),
        eq(webhookDeliveries.status, "delivering"),
        eq(webhookDeliveries.attemptCount, input.attemptCount),
      ),
    )
    .returning();
  return row;
}

/** Ends the open deliveries of an endpoint that stopped receiving (disabled). */
export async function exhaustOpenDeliveries(db: DbOrTx, { tenantId, endpointId, reason }: { tenantId: string; endpointId: string; reason: string }) {
  await db
    .update(webhookDeliveries)
    .set({ status: "exhausted", nextAttemptAt: null, lastError: reason })
    .where(
      and(
        eq(webhookDeliveries.tenantId, tenantId),
        eq(webhookDeliveries.endpointId, endpointId),
        inArray(webhookDeliveries.status, ["pending", "failed"]),
      ),
    );
}

/** Starts a fresh round of the schedule for a delivery that is not in flight. */
export async function restartDelivery(db: DbOrTx, { tenantId, id, now }: { tenantId: string; id: string; now: Date }) {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", roundAttempts: 0, nextAttemptAt: now, succeededAt: null })
    .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id), sql`${webhookDeliveries.status} <> 'delivering'`))
    .returning();
  return row;
}
