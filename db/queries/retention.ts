// Batched purges of expired rows, one small statement per batch (no long locks), and the per-tenant retention setting.
import { eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { tenantRetention } from "../schema";

export const retentionKinds = ["outbox", "job_steps", "message_audit", "webhook_events", "webhook_deliveries", "bus_dead_letters", "media", "rate_limits", "integration_requests"] as const;
export type RetentionKind = (typeof retentionKinds)[number];
/** Kinds purged by a plain delete here; media also deletes stored objects (lib/media/purge.ts). */
export type RowRetentionKind = Exclude<RetentionKind, "media">;

const days = (n: number) => sql`now() - ${n} * interval '1 day'`;

/**
 * Older than its tenant's audit period (its own setting, else the default). The shortest period
 * any tenant has bounds the scan first, so the BRIN index still narrows it to the old end.
 */
const pastAudit = (col: SQL, defaultDays: number) =>
  sql`${col} < now() - (select least(${defaultDays}, coalesce(min(r.message_audit_days), ${defaultDays})) from ${tenantRetention} r) * interval '1 day'
    and ${col} < now() - coalesce((select r.message_audit_days from ${tenantRetention} r where r.tenant_id = t.tenant_id), ${defaultDays}) * interval '1 day'`;

/**
 * The `ctid`s of at most `limit` expired rows of one table. Every query leads with a time bound
 * a BRIN index answers, so a batch reads only the old end of the table.
 */
function expired(table: string, limit: number, where: SQL): SQL {
  return sql`delete from ${sql.identifier(table)} where ctid = any(array(select ctid from ${sql.identifier(table)} t where ${where} limit ${limit}))`;
}

/**
 * Deletes one batch of expired rows of `kind`: how many, and whether any table filled its batch
 * (more may remain). Each call is its own short
 * statement: row locks are held only on the batch for the milliseconds it takes, and nothing
 * else waits on it (SKIP LOCKED is not needed: these rows are finished, nobody updates them).
 */
export async function purgeExpiredBatch(
  db: DbOrTx,
  input: { kind: RowRetentionKind; days: number; limit: number },
): Promise<{ deleted: number; full: boolean }> {
  const { kind, limit } = input;
  const statements: SQL[] = [];
  switch (kind) {
    case "outbox":
      // Relayed rows only: an undispatched row is work still to do.
      statements.push(expired("outbox_events", limit, sql`t.created_at < ${days(input.days)} and t.dispatched_at is not null`));
      break;
    case "job_steps":
      statements.push(expired("job_steps", limit, sql`t.created_at < ${days(input.days)}`));
      break;
    case "message_audit":
      // The message row stays (status, provider id, error); its audit trail goes. Unpublished events stay.
      statements.push(
        expired("message_attempts", limit, pastAudit(sql`t.started_at`, input.days)),
        expired("message_status_history", limit, pastAudit(sql`t.at`, input.days)),
        expired("communication_events", limit, sql`${pastAudit(sql`t.created_at`, input.days)} and t.status = 'published'`),
      );
      break;
    case "webhook_events":
      // Processed ones: a pending event is still to be applied.
      statements.push(expired("webhook_events", limit, sql`t.received_at < ${days(input.days)} and t.status <> 'pending'`));
      // The Rejected log is also bounded per tenant on insert; this ages out what a quiet tenant keeps.
      statements.push(expired("webhook_rejected_requests", limit, sql`t.received_at < ${days(input.days)}`));
      break;
    case "webhook_deliveries":
      // Finished deliveries (their attempts go with them); a live retry schedule is kept.
      statements.push(
        expired("webhook_deliveries", limit, sql`t.created_at < ${days(input.days)} and t.status in ('succeeded', 'exhausted') and t.updated_at < ${days(input.days)}`),
      );
      break;
    case "bus_dead_letters":
      // Refused bus actions, once nothing has redelivered them for the period either.
      statements.push(expired("bus_dead_letters", limit, sql`t.created_at < ${days(input.days)} and t.last_seen_at < ${days(input.days)}`));
      break;
    case "integration_requests":
      // The Kommo/Unisender request log, and webhook deliveries already applied (or failed).
      statements.push(
        expired("kommo_request_log", limit, sql`t.created_at < ${days(input.days)}`),
        expired("kommo_webhook_deliveries", limit, sql`t.received_at < ${days(input.days)} and t.status <> 'pending'`),
      );
      break;
    case "rate_limits":
      // A token bucket idle this long is full again, a sign-in window long over: no row means the same.
      statements.push(
        expired("send_rate_buckets", limit, sql`t.refilled_at < ${days(input.days)}`),
        expired("rate_limit_buckets", limit, sql`t.window_start < ${days(input.days)}`),
      );
      break;
  }
  let deleted = 0;
  let full = false;
  for (const s of statements) {
    const n = (await db.execute(s)).count ?? 0;
    deleted += n;
    full ||= n >= limit;
  }
  return { deleted, full };
}

export async function findTenantRetention(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const [row] = await db.select().from(tenantRetention).where(eq(tenantRetention.tenantId, tenantId));
  return row;
}

export async function upsertTenantRetention(db: DbOrTx, { tenantId, messageAuditDays }: { tenantId: string; messageAuditDays: number }) {
  const [row] = await db
    .insert(tenantRetention)
    .values({ tenantId, messageAuditDays })
    .onConflictDoUpdate({ target: tenantRetention.tenantId, set: { messageAuditDays, updatedAt: new Date() } })
    .returning();
  return row!;
}
