import { z } from "zod";
import { getDb } from "@/db";
import { findTenantRetention, upsertTenantRetention } from "@/db/queries/retention";
import { recordAudit } from "@/lib/audit/record-audit";
import type { TenantContext } from "@/lib/tenancy/context";
import { retentionPolicy } from "./policy";

/** At least a day (idempotency keys live as long as the audit), at most ten years. */
export const messageAuditDaysSchema = z.coerce.number().int().min(1).max(3650);

/** How long this tenant's messages keep their audit: its own setting, else the deployment default. */
export async function getTenantRetention(ctx: TenantContext): Promise<{ message_audit_days: number; source: "tenant" | "default" }> {
  const row = await findTenantRetention(getDb(), { tenantId: ctx.tenantId });
  return row ? { message_audit_days: row.messageAuditDays, source: "tenant" } : { message_audit_days: retentionPolicy().days.message_audit, source: "default" };
}

export async function setTenantMessageAuditDays(ctx: TenantContext, days: number) {
  const messageAuditDays = messageAuditDaysSchema.parse(days);
  return getDb().transaction(async (tx) => {
    const row = await upsertTenantRetention(tx, { tenantId: ctx.tenantId, messageAuditDays });
    await recordAudit(tx, ctx, { action: "retention.updated", targetType: "tenant", targetId: ctx.tenantId, details: { message_audit_days: messageAuditDays } });
    return row;
  });
}
