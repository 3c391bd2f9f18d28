import { getDb } from "@/db";
import { listAuditEntries } from "@/db/queries/audit-log";
import type { TenantContext } from "@/lib/tenancy/context";

/** Newest first, keyset-paginated by id (`before` = the last id of the previous page). */
export async function listAudit(ctx: TenantContext, opts: { before?: number; limit: number }) {
  const rows = await listAuditEntries(getDb(), { tenantId: ctx.tenantId, before: opts.before, limit: opts.limit + 1 });
  const page = rows.slice(0, opts.limit);
  return {
    data: page.map((r) => ({
      id: r.id,
      action: r.action,
      actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
      target: { type: r.targetType, id: r.targetId },
      details: r.details,
      request_id: r.requestId,
      created_at: r.createdAt.toISOString(),
    })),
    next_before: rows.length > opts.limit ? page.at(-1)!.id : null,
  };
}
