import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
import { deviceTokens, routingRules, type Channel, type NewRoutingRule, type ProviderKind, type RoutingRule } from "../schema";

const tenantRoutingRules = preparedQuery((db) =>
  db
    .select()
    .from(routingRules)
    .where(eq(routingRules.tenantId, sql.placeholder("tenantId")))
    .orderBy(asc(routingRules.channel), asc(routingRules.position), asc(routingRules.createdAt))
    .prepare("list_routing_rules"),
);

export async function listRoutingRules(db: DbOrTx, { tenantId, channel }: { tenantId: string; channel?: Channel }) {
  // All of a tenant's rules: every unified send reads them (prepared).
  if (!channel) return tenantRoutingRules(db).execute({ tenantId });
  return db
    .select()
    .from(routingRules)
    .where(and(eq(routingRules.tenantId, tenantId), channel ? eq(routingRules.channel, channel) : undefined))
    .orderBy(asc(routingRules.channel), asc(routingRules.position), asc(routingRules.createdAt));
}

export async function findRoutingRule(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(routingRules)
    .where(and(eq(routingRules.tenantId, tenantId), eq(routingRules.id, id)));
  return row;
}

/**
 * Serialises rule edits of one tenant+channel (positions are rewritten as a whole), without
 * holding any row a send reads.
 */
export async function lockRoutingChannel(db: DbOrTx, { tenantId, channel }: { tenantId: string; channel: Channel }) {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`routing:${tenantId}:${channel}`}))`);
}

export async function insertRoutingRule(db: DbOrTx, row: NewRoutingRule) {
  const [inserted] = await db.insert(routingRules).values(row).returning();
  return inserted!;
}

export async function updateRoutingRule(
  db: DbOrTx,
  { tenantId, id, values }: { tenantId: string; id: string; values: Partial<Omit<RoutingRule, "id" | "tenantId" | "channel">> },
) {
  const [row] = await db
    .update(routingRules)
    .set(values)
    .where(and(eq(routingRules.tenantId, tenantId), eq(routingRules.id, id)))
    .returning();
  return row;
}

export async function deleteRoutingRule(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .delete(routingRules)
    .where(and(eq(routingRules.tenantId, tenantId), eq(routingRules.id, id)))
    .returning();
  return row;
}

/** Rewrites the positions of a channel's rules to 0..n-1 in the given order. */
export async function setRoutingPositions(db: DbOrTx, { tenantId, orderedIds }: { tenantId: string; orderedIds: string[] }) {
  for (const [position, id] of orderedIds.entries()) {
    await db
      .update(routingRules)
      .set({ position })
      .where(and(eq(routingRules.tenantId, tenantId), eq(routingRules.id, id), sql`${routingRules.position} <> ${position}`));
  }
}

/** Of these tokens, the ones a provider reported dead. */
export async function findInactiveDeviceTokens(db: DbOrTx, { tenantId, tokens }: { tenantId: string; tokens: string[] }) {
  if (tokens.length === 0) return [];
  return db
    .select()
    .from(deviceTokens)
    .where(and(eq(deviceTokens.tenantId, tenantId), inArray(deviceTokens.token, tokens), eq(deviceTokens.active, false)));
}

/** Marks a token dead (insert or update); returns whether it was active before. */
export async function deactivateDeviceToken(
  db: DbOrTx,
  row: { tenantId: string; token: string; platform?: string | null; provider?: ProviderKind | null; reason: string; messageId?: string | null },
) {
  const [out] = await db
    .insert(deviceTokens)
    .values({
      tenantId: row.tenantId,
      token: row.token,
      platform: row.platform ?? null,
      provider: row.provider ?? null,
      active: false,
      reason: row.reason,
      deactivatedAt: new Date(),
      lastMessageId: row.messageId ?? null,
    })
    .onConflictDoUpdate({
      target: [deviceTokens.tenantId, deviceTokens.token],
      set: { active: false, reason: row.reason, deactivatedAt: sql`coalesce(${deviceTokens.deactivatedAt}, now())`, lastMessageId: row.messageId ?? null },
    })
    .returning();
  return out!;
}

export async function reactivateDeviceToken(db: DbOrTx, { tenantId, token }: { tenantId: string; token: string }) {
  const [row] = await db
    .update(deviceTokens)
    .set({ active: true, reason: null, deactivatedAt: null })
    .where(and(eq(deviceTokens.tenantId, tenantId), eq(deviceTokens.token, token)))
    .returning();
  return row;
}

export async function listDeviceTokens(db: DbOrTx, { tenantId, active, limit }: { tenantId: string; active?: boolean; limit: number }) {
  return db
    .select()
    .from(deviceTokens)
    .where(and(eq(deviceTokens.tenantId, tenantId), active === undefined ? undefined : eq(deviceTokens.active, active)))
    .orderBy(sql`${deviceTokens.deactivatedAt} desc nulls last`)
    .limit(limit);
}
