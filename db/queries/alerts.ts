import { eq, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { alertMarks, tenantAlertSettings } from "../schema";

export async function findTenantAlertSettings(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db.select().from(tenantAlertSettings).where(eq(tenantAlertSettings.tenantId, tenantId));
  return row;
}

/** Sets the Slack webhook ref (one row per tenant; concurrent writes: the last one wins). */
export async function upsertTenantSlackWebhook(
  db: DbOrTx,
  v: { tenantId: string; ref: string | null; host: string | null; updatedBy: string | null },
) {
  const values = { slackWebhookRef: v.ref, slackWebhookHost: v.host, updatedBy: v.updatedBy, lastError: null, lastErrorAt: null, updatedAt: new Date() };
  const [row] = await db
    .insert(tenantAlertSettings)
    .values({ tenantId: v.tenantId, ...values })
    .onConflictDoUpdate({ target: tenantAlertSettings.tenantId, set: values })
    .returning();
  return row!;
}

export async function recordTenantSlackOutcome(db: DbOrTx, v: { tenantId: string; ok: boolean; at: Date; error?: string }) {
  await db
    .update(tenantAlertSettings)
    .set(v.ok ? { lastDeliveredAt: v.at } : { lastErrorAt: v.at, lastError: (v.error ?? "failed").slice(0, 300) })
    .where(eq(tenantAlertSettings.tenantId, v.tenantId));
}

/** True for the first caller of a key; false when it was marked before (by anyone). */
export async function claimAlertMark(db: DbOrTx, { key, tenantId }: { key: string; tenantId: string | null }): Promise<boolean> {
  const rows = await db.insert(alertMarks).values({ key, tenantId }).onConflictDoNothing().returning({ key: alertMarks.key });
  return rows.length === 1;
}

export async function purgeAlertMarks(db: DbOrTx, { before }: { before: Date }) {
  await db.delete(alertMarks).where(lt(alertMarks.createdAt, before));
}

/** Configs with a monthly quota (not decommissioned), deployment-wide: the quota check's list. */
export async function listQuotaConfigs(db: DbOrTx) {
  const rows = await db.execute<{ id: string; tenant_id: string; tenant_slug: string; provider: string; display_name: string; monthly_quota: number }>(sql`
    select c.id, c.tenant_id, t.slug as tenant_slug, c.provider::text as provider, c.display_name, c.monthly_quota
    from provider_configs c join tenants t on t.id = c.tenant_id
    where c.monthly_quota is not null and c.status <> 'decommissioned'`);
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, tenantSlug: r.tenant_slug, provider: r.provider, displayName: r.display_name, monthlyQuota: Number(r.monthly_quota) }));
}

