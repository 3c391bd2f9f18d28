import type { DbOrTx } from "@/db";
import { insertAuditEntry } from "@/db/queries/audit-log";
import { actorLabel, type TenantContext } from "@/lib/tenancy/context";

/** Writes one audit entry; call it inside the transaction of the change it describes. */
export async function recordAudit(
  db: DbOrTx,
  ctx: TenantContext,
  entry: { action: string; targetType: string; targetId?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  const actorId =
    ctx.actor.type === "user" ? ctx.actor.userId : ctx.actor.type === "api_key" ? ctx.actor.keyId : null;
  await insertAuditEntry(db, {
    tenantId: ctx.tenantId,
    actorType: ctx.actor.type,
    actorId,
    actorLabel: actorLabel(ctx.actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    details: entry.details ?? {},
    requestId: ctx.requestId,
  });
}
