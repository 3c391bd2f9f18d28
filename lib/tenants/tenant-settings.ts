import { getDb } from "@/db";
import { findTenantById, updateTenantTimezone } from "@/db/queries/tenants";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import type { TenantContext } from "@/lib/tenancy/context";
import { tenantSettingsOut, type TenantSettingsBody, type TenantSettingsOut } from "@/lib/validations/preferences";

export async function getTenantSettings(ctx: TenantContext): Promise<TenantSettingsOut> {
  const t = await findTenantById(getDb(), { tenantId: ctx.tenantId });
  if (!t) throw ApiError.notFound("Tenant");
  return tenantSettingsOut.parse(t);
}

/** The zone "today" and "this month" start in for usage and call counters (UTC until set). */
export async function tenantTimeZone(tenantId: string): Promise<string> {
  return (await findTenantById(getDb(), { tenantId }))?.timezone ?? "UTC";
}

export async function updateTenantSettings(ctx: TenantContext, body: TenantSettingsBody): Promise<TenantSettingsOut> {
  if (body.timezone === undefined) return getTenantSettings(ctx);
  const timezone = body.timezone;
  return getDb().transaction(async (tx) => {
    const current = await findTenantById(tx, { tenantId: ctx.tenantId });
    if (!current) throw ApiError.notFound("Tenant");
    if (current.timezone === timezone) return tenantSettingsOut.parse(current);
    const row = await updateTenantTimezone(tx, { tenantId: ctx.tenantId, timezone });
    await recordAudit(tx, ctx, {
      action: "tenant.settings_updated",
      targetType: "tenant",
      targetId: ctx.tenantId,
      details: { timezone: { from: current.timezone, to: timezone } },
    });
    return tenantSettingsOut.parse(row);
  });
}
