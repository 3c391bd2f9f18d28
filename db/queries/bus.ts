// Queries of event-bus ingress: tenants' bindings and the bus messages refused as poison.
import { and, asc, desc, eq, gte, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { UNPAGED_LIST_LIMIT } from "./list-limits";
import { busBindings, busDeadLetters, tenants, type BusBinding } from "../schema";

// ---------------------------------------------------------------------------------------------
// bindings

export async function listBusBindings(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db.select().from(busBindings).where(eq(busBindings.tenantId, tenantId)).orderBy(asc(busBindings.createdAt)).limit(UNPAGED_LIST_LIMIT);
}

export async function countBusBindings(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(busBindings).where(eq(busBindings.tenantId, tenantId));
  return row?.n ?? 0;
}

export async function findBusBinding(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(busBindings).where(and(eq(busBindings.tenantId, tenantId), eq(busBindings.id, id)));
  return row;
}

/**
 * Every enabled binding of the deployment with its tenant: what the consumer listens to. The one
 * query here that spans tenants, because the consumer serves them all; each row carries the
 * tenant it acts for.
 */
export async function listEnabledBusBindings(db: DbOrTx) {
  return db
    .select({ binding: busBindings, tenantSlug: tenants.slug })
    .from(busBindings)
    .innerJoin(tenants, eq(tenants.id, busBindings.tenantId))
    .where(eq(busBindings.enabled, true))
    .orderBy(asc(busBindings.createdAt));
}

/** Inserts a binding; undefined when the key is taken (by any tenant). */
export async function insertBusBinding(db: DbOrTx, row: { tenantId: string; key: string; description: string; enabled: boolean }) {
  const [inserted] = await db.insert(busBindings).values(row).onConflictDoNothing({ target: busBindings.key }).returning();
  return inserted;
}

export async function updateBusBinding(
  db: DbOrTx,
  { tenantId, id, patch }: { tenantId: string; id: string; patch: Partial<Pick<BusBinding, "description" | "enabled">> },
) {
  const [row] = await db
    .update(busBindings)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(busBindings.tenantId, tenantId), eq(busBindings.id, id)))
    .returning();
  return row;
}

export async function deleteBusBinding(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .delete(busBindings)
    .where(and(eq(busBindings.tenantId, tenantId), eq(busBindings.id, id)))
    .returning();
  return row;
}

// ---------------------------------------------------------------------------------------------
// dead letters

export interface NewBusDeadLetter {
  tenantId: string;
  bindingId: string;
  dedupeKey: string;
  reasonCode: string;
  reason: string;
  eventName: string | null;
  actionId: string | null;
  amqpMessageId: string | null;
  queue: string;
  routingKey: string;
  body: string;
  bodyTruncated: boolean;
}

/**
 * Records refused bus messages in one statement; a message refused before (a redelivery, a
 * duplicate) counts one more occurrence on its row instead of adding one.
 */
export async function upsertBusDeadLetters(db: DbOrTx, rows: NewBusDeadLetter[]) {
  if (rows.length === 0) return;
  // One row per key in the statement: ON CONFLICT cannot touch one row twice.
  const unique = [...new Map(rows.map((r) => [`${r.tenantId}:${r.dedupeKey}`, r])).values()];
  await db
    .insert(busDeadLetters)
    .values(unique)
    .onConflictDoUpdate({
      target: [busDeadLetters.tenantId, busDeadLetters.dedupeKey],
      set: { occurrences: sql`${busDeadLetters.occurrences} + 1`, lastSeenAt: sql`now()` },
    });
}

export interface BusDeadLetterFilter {
  tenantId: string;
  since?: Date;
  before?: { at: Date; id: string };
  ids?: string[];
  limit: number;
}

export async function listBusDeadLetters(db: DbOrTx, f: BusDeadLetterFilter) {
  const before: SQL | undefined = f.before
    ? sql`(${busDeadLetters.createdAt}, ${busDeadLetters.id}) < (${f.before.at.toISOString()}::timestamptz, ${f.before.id}::uuid)`
    : undefined;
  return db
    .select()
    .from(busDeadLetters)
    .where(
      and(
        eq(busDeadLetters.tenantId, f.tenantId),
        f.since ? gte(busDeadLetters.createdAt, f.since) : undefined,
        f.ids ? inArray(busDeadLetters.id, f.ids) : undefined,
        before,
      ),
    )
    .orderBy(desc(busDeadLetters.createdAt), desc(busDeadLetters.id))
    .limit(f.limit);
}
