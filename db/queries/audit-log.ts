import { and, desc, eq, getTableColumns, gte, isNull, like, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  apiKeys,
  auditLog,
  contactLists,
  contacts,
  inboundNumbers,
  memberInvitations,
  providerConfigs,
  routingRules,
  schools,
  templates,
  tenants,
  users,
  webhookEndpoints,
} from "../schema";

export type AuditInsert = typeof auditLog.$inferInsert;

export async function insertAuditEntry(db: DbOrTx, entry: AuditInsert) {
  await db.insert(auditLog).values(entry);
}

export interface AuditFilter {
  tenantId: string;
  /** An actor id (user or API key), or the label of an actor without one (system). */
  actor?: string;
  /** An exact action, or a prefix ending in `*` (`member.*`). */
  action?: string;
  since?: Date;
  until?: Date;
}

function auditConditions(f: AuditFilter): (SQL | undefined)[] {
  return [
    eq(auditLog.tenantId, f.tenantId),
    f.actor ? or(eq(auditLog.actorId, f.actor), and(isNull(auditLog.actorId), eq(auditLog.actorLabel, f.actor))) : undefined,
    f.action
      ? f.action.endsWith("*")
        ? like(auditLog.action, `${f.action.slice(0, -1).replace(/[\\%_]/g, "\\$&")}%`)
        : eq(auditLog.action, f.action)
      : undefined,
    f.since ? gte(auditLog.createdAt, f.since) : undefined,
    f.until ? lte(auditLog.createdAt, f.until) : undefined,
  ];
}

// The target's current name, read where the entry is shown (so a renamed list shows its name
// today); a deleted target has none and the reader falls back to what the details recorded.
const byId = (table: { id: unknown }, column: SQL | unknown, tenantScoped: boolean) =>
  sql`(select ${column} from ${table} t where t.id::text = ${auditLog.targetId}${tenantScoped ? sql` and t.tenant_id = ${auditLog.tenantId}` : sql``} limit 1)`;
const targetLabel = sql<string | null>`case ${auditLog.targetType}
  when 'user' then ${byId(users, sql.raw("t.email"), false)}
  when 'invitation' then ${byId(memberInvitations, sql.raw("t.email"), true)}
  when 'provider_config' then ${byId(providerConfigs, sql.raw("t.display_name"), true)}
  when 'api_key' then ${byId(apiKeys, sql.raw("t.name"), true)}
  when 'template' then ${byId(templates, sql.raw("t.key"), true)}
  when 'list' then ${byId(contactLists, sql.raw("t.name"), true)}
  when 'school' then ${byId(schools, sql.raw("t.name"), true)}
  when 'contact' then ${byId(contacts, sql.raw("coalesce(t.name, t.email, t.external_id)"), true)}
  when 'webhook_endpoint' then ${byId(webhookEndpoints, sql.raw("t.url"), true)}
  when 'routing_rule' then ${byId(routingRules, sql.raw("t.name"), true)}
  when 'inbound_number' then ${byId(inboundNumbers, sql.raw("t.number"), true)}
  when 'tenant' then ${byId(tenants, sql.raw("t.name"), false)}
end`;

export async function listAuditEntries(db: DbOrTx, f: AuditFilter & { before?: number; limit: number }) {
  return db
    .select({ ...getTableColumns(auditLog), targetLabel })
    .from(auditLog)
    .where(and(...auditConditions(f), f.before ? lt(auditLog.id, f.before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(f.limit);
}

/** What the filters can choose from: the tenant's actions and actors (most recent first, bounded). */
export async function auditFacets(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [actions, actors] = await Promise.all([
    db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.tenantId, tenantId))
      .groupBy(auditLog.action)
      .orderBy(auditLog.action)
      .limit(200),
    db
      .select({ id: auditLog.actorId, label: sql<string>`(array_agg(${auditLog.actorLabel} order by ${auditLog.id} desc))[1]`, type: sql<string>`min(${auditLog.actorType})` })
      .from(auditLog)
      .where(eq(auditLog.tenantId, tenantId))
      .groupBy(auditLog.actorId, sql`case when ${auditLog.actorId} is null then ${auditLog.actorLabel} end`)
      .orderBy(sql`max(${auditLog.id}) desc`)
      .limit(200),
  ]);
  return { actions: actions.map((a) => a.action), actors };
}
