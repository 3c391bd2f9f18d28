// Nonces of accepted webhook signatures (replay protection) and the counts of refused replays.
import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { webhookNonces, webhookRejections, type ProviderKind, type WebhookRejectionReason } from "../schema";

/**
 * Claims a nonce for a config. "new": first use; "same_body": the provider retrying the very
 * request it sent before; "other_body": the nonce was already used on different bytes — a replay.
 * Rows older than `expiredBefore` (they can no longer pass the freshness check) are pruned first.
 */
export async function claimWebhookNonce(
  db: DbOrTx,
  f: { configId: string; nonce: string; bodySha256: string; signedAt: Date; expiredBefore: Date },
): Promise<"new" | "same_body" | "other_body"> {
  await db.delete(webhookNonces).where(and(eq(webhookNonces.configId, f.configId), lt(webhookNonces.signedAt, f.expiredBefore)));
  const inserted = await db
    .insert(webhookNonces)
    .values({ configId: f.configId, nonce: f.nonce, bodySha256: f.bodySha256, signedAt: f.signedAt })
    .onConflictDoNothing()
    .returning({ nonce: webhookNonces.nonce });
  if (inserted.length > 0) return "new";
  const [held] = await db
    .select({ bodySha256: webhookNonces.bodySha256 })
    .from(webhookNonces)
    .where(and(eq(webhookNonces.configId, f.configId), eq(webhookNonces.nonce, f.nonce)));
  // Pruned between the insert and the read: it was too old to verify, so treat it as a replay.
  return held?.bodySha256 === f.bodySha256 ? "same_body" : "other_body";
}

export async function recordWebhookRejection(
  db: DbOrTx,
  f: { tenantId: string; configId: string; provider: ProviderKind; reason: WebhookRejectionReason; at: Date },
): Promise<void> {
  const hour = new Date(Math.floor(f.at.getTime() / 3_600_000) * 3_600_000);
  await db
    .insert(webhookRejections)
    .values({ tenantId: f.tenantId, configId: f.configId, provider: f.provider, reason: f.reason, hour, count: 1, lastAt: f.at })
    .onConflictDoUpdate({
      target: [webhookRejections.configId, webhookRejections.reason, webhookRejections.hour],
      set: { count: sql`${webhookRejections.count} + 1`, lastAt: sql`greatest(${webhookRejections.lastAt}, excluded.last_at)` },
    });
}

/** A tenant's refused requests per config and reason since `since`, summed over the hours. */
export async function listWebhookRejections(db: DbOrTx, f: { tenantId: string; since: Date }) {
  return db
    .select({
      configId: webhookRejections.configId,
      provider: webhookRejections.provider,
      reason: webhookRejections.reason,
      count: sql<number>`sum(${webhookRejections.count})::int`,
      lastAt: sql<Date>`max(${webhookRejections.lastAt})`.mapWith(webhookRejections.lastAt),
    })
    .from(webhookRejections)
    .where(and(eq(webhookRejections.tenantId, f.tenantId), gte(webhookRejections.hour, f.since)))
    .groupBy(webhookRejections.configId, webhookRejections.provider, webhookRejections.reason)
    .orderBy(sql`max(${webhookRejections.lastAt}) desc`)
    .limit(500);
}
