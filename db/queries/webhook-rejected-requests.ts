// The Rejected log of provider webhooks: bounded inserts and a tenant's keyset pages.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { webhookRejectedRequests, type NewWebhookRejectedRequest, type WebhookRefusalReason } from "../schema";

/**
 * Records one refused request and, in the same statement, deletes the tenant's rows beyond the
 * newest `keep` (rows without a tenant are bounded together), so the log can't grow however
 * many arrive. Concurrent inserts may leave a few extra rows until the next insert.
 */
export async function insertWebhookRejectedRequest(db: DbOrTx, f: { row: NewWebhookRejectedRequest; keep: number }): Promise<void> {
  const r = f.row;
  const t = webhookRejectedRequests;
  await db.execute(sql`
    with inserted as (
      insert into ${t} (tenant_id, config_id, provider, path_config_id, reason, detail, status, source_address, headers, query, payload_excerpt, payload_bytes, received_at)
      values (${r.tenantId ?? null}, ${r.configId ?? null}, ${r.provider}, ${r.pathConfigId}, ${r.reason}, ${r.detail}, ${r.status}, ${r.sourceAddress ?? null},
              ${JSON.stringify(r.headers)}::jsonb, ${r.query ?? ""}, ${r.payloadExcerpt ?? ""}, ${r.payloadBytes ?? null}, ${(r.receivedAt ?? new Date()).toISOString()})
      returning id
    )
    delete from ${t} where id in (
      select id from ${t}
      where tenant_id is not distinct from ${r.tenantId ?? null}
      order by received_at desc, id desc
      offset ${Math.max(f.keep - 1, 0)}
    )`);
}

/** A tenant's refused requests, newest first, after the (received_at, id) cursor. */
export async function listWebhookRejectedRequests(
  db: DbOrTx,
  f: { tenantId: string; provider?: string; configId?: string; reason?: WebhookRefusalReason; before?: { at: Date; id: string }; limit: number },
) {
  const t = webhookRejectedRequests;
  return db
    .select()
    .from(t)
    .where(
      and(
        eq(t.tenantId, f.tenantId),
        f.provider ? eq(t.provider, f.provider) : undefined,
        f.configId ? eq(t.configId, f.configId) : undefined,
        f.reason ? eq(t.reason, f.reason) : undefined,
        f.before ? or(lt(t.receivedAt, f.before.at), and(eq(t.receivedAt, f.before.at), lt(t.id, f.before.id))) : undefined,
      ),
    )
    .orderBy(desc(t.receivedAt), desc(t.id))
    .limit(f.limit);
}

export async function findWebhookRejectedRequest(db: DbOrTx, f: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(webhookRejectedRequests)
    .where(and(eq(webhookRejectedRequests.tenantId, f.tenantId), eq(webhookRejectedRequests.id, f.id)));
  return row;
}
