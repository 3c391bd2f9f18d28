import { getDb } from "@/db";
import { auditFacets, listAuditEntries } from "@/db/queries/audit-log";
import type { TenantContext } from "@/lib/tenancy/context";
import type { AuditLogOut, AuditLogQuery } from "@/lib/validations/audit-log";

// What an entry's details recorded about its target, for targets that no longer exist.
const recordedName = (details: Record<string, unknown>) => {
  for (const k of ["email", "name", "display_name", "key", "url", "number"]) {
    const v = details[k];
    if (typeof v === "string" && v) return v;
  }
  return null;
};

/** Newest first, keyset-paginated by id (`before` = the last id of the previous page), filtered by actor, action and time. */
export async function listAudit(ctx: TenantContext, q: AuditLogQuery): Promise<AuditLogOut> {
  const filter = {
    tenantId: ctx.tenantId,
    actor: q.actor,
    action: q.action,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
  };
  const [rows, facets] = await Promise.all([
    listAuditEntries(getDb(), { ...filter, before: q.before, limit: q.limit + 1 }),
    q.before ? undefined : auditFacets(getDb(), { tenantId: ctx.tenantId }),
  ]);
  const page = rows.slice(0, q.limit);
  return {
    data: page.map((r) => ({
      id: r.id,
      action: r.action,
      actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
      target: { type: r.targetType, id: r.targetId, label: r.targetLabel ?? recordedName(r.details) },
      details: r.details,
      request_id: r.requestId,
      created_at: r.createdAt.toISOString(),
    })),
    next_before: rows.length > q.limit ? page.at(-1)!.id : null,
    ...(facets ? { facets } : {}),
  };
}
