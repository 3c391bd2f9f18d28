import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  communicationEvents,
  messageAttempts,
  messages,
  messageStatusHistory,
  type Channel,
  type MessageStatus,
  type NewMessage,
  type ProviderKind,
} from "../schema";

/**
 * Inserts accepted messages in one statement. A row whose idempotency key is already taken in
 * its tenant is skipped (the partial unique index): if the other row's transaction is still open
 * Postgres waits for it, so the caller re-reads a committed original, never a phantom.
 * Returns the rows that were inserted.
 *
 * The rows travel as one JSON parameter expanded by jsonb_to_recordset: building a 1,000-row
 * VALUES list with the query builder costs more CPU than Postgres spends inserting it.
 */
export async function insertMessages(db: DbOrTx, rows: (NewMessage & { id: string })[]) {
  if (rows.length === 0) return [];
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      tenant_id: r.tenantId,
      channel: r.channel,
      status: r.status ?? "queued",
      route: r.route ?? [],
      provider: r.provider ?? null,
      config_id: r.configId ?? null,
      recipient: r.recipient,
      payload: r.payload,
      template_id: r.templateId ?? null,
      idempotency_key: r.idempotencyKey ?? null,
      request_hash: r.requestHash ?? null,
      action_id: r.actionId ?? null,
      context: r.context ?? null,
      trace_id: r.traceId,
      provider_reference: r.providerReference,
      segments: r.segments ?? null,
      cost_amount: r.costAmount ?? null,
      cost_currency: r.costCurrency ?? null,
    })),
  );
  try {
    const result = await db.execute<{ id: string; idempotency_key: string | null; created_at: Date | string }>(sql`
      insert into messages (id, tenant_id, channel, status, route, provider, config_id, recipient, payload, template_id,
        idempotency_key, request_hash, action_id, context, trace_id, provider_reference, segments, cost_amount, cost_currency)
      select id, tenant_id, channel, status, route, provider, config_id, recipient, payload, template_id,
        idempotency_key, request_hash, action_id, context, trace_id, provider_reference, segments, cost_amount, cost_currency
      from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, channel message_channel, status message_status,
        route jsonb, provider provider_kind, config_id uuid, recipient text, payload jsonb, template_id text,
        idempotency_key text, request_hash text, action_id text, context jsonb, trace_id text, provider_reference text,
        segments integer, cost_amount numeric, cost_currency text)
      on conflict do nothing
      returning id, idempotency_key, created_at`);
    return [...result].map((r) => ({
      id: r.id,
      idempotencyKey: r.idempotency_key,
      createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
    }));
  } catch (err) {
    throw new Error("inserting messages failed", { cause: err });
  }
}

export async function insertStatusHistory(
  db: DbOrTx,
  rows: { messageId: string; tenantId: string; fromStatus: MessageStatus | null; toStatus: MessageStatus; reason?: string | null }[],
) {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ message_id: r.messageId, tenant_id: r.tenantId, from_status: r.fromStatus, to_status: r.toStatus, reason: r.reason ?? null })));
  await db.execute(sql`
    insert into message_status_history (message_id, tenant_id, from_status, to_status, reason)
    select message_id, tenant_id, from_status, to_status, reason
    from jsonb_to_recordset(${json}::jsonb) as x(message_id uuid, tenant_id uuid, from_status message_status, to_status message_status, reason text)`);
}

/** The messages of a tenant holding these idempotency keys. */
export async function findMessagesByIdempotencyKeys(db: DbOrTx, { tenantId, keys }: { tenantId: string; keys: string[] }) {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), inArray(messages.idempotencyKey, keys)));
}

export async function findMessage(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
  return row;
}

export async function listMessageAttempts(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  return db
    .select()
    .from(messageAttempts)
    .where(and(eq(messageAttempts.tenantId, tenantId), eq(messageAttempts.messageId, messageId)))
    .orderBy(asc(messageAttempts.attemptNo));
}

export async function listMessageStatusHistory(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  return db
    .select()
    .from(messageStatusHistory)
    .where(and(eq(messageStatusHistory.tenantId, tenantId), eq(messageStatusHistory.messageId, messageId)))
    .orderBy(asc(messageStatusHistory.at), asc(messageStatusHistory.id));
}

/** The communication.* events emitted for a message (written by the delivery workflow). */
export async function listMessageEvents(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  return db
    .select()
    .from(communicationEvents)
    .where(and(eq(communicationEvents.tenantId, tenantId), eq(communicationEvents.messageId, messageId)))
    .orderBy(asc(communicationEvents.createdAt));
}

function likePattern(q: string) {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Keyset page, newest first, ordered by (created_at, id) descending. */
export async function listMessages(
  db: DbOrTx,
  f: {
    tenantId: string;
    status?: MessageStatus;
    channel?: Channel;
    provider?: ProviderKind;
    configId?: string;
    since?: Date;
    until?: Date;
    q?: string;
    /** Id of the last row of the previous page. */
    beforeId?: string;
    limit: number;
  },
) {
  const conditions: (SQL | undefined)[] = [
    eq(messages.tenantId, f.tenantId),
    f.status ? eq(messages.status, f.status) : undefined,
    f.channel ? eq(messages.channel, f.channel) : undefined,
    f.provider ? eq(messages.provider, f.provider) : undefined,
    f.configId ? eq(messages.configId, f.configId) : undefined,
    f.since ? gte(messages.createdAt, f.since) : undefined,
    f.until ? lte(messages.createdAt, f.until) : undefined,
    f.q ? sql`${messages.recipient} ilike ${likePattern(f.q)}` : undefined,
    // Compared with the cursor row itself: created_at has microseconds a JS Date would lose.
    f.beforeId
      ? sql`(${messages.createdAt}, ${messages.id}) < (select m.created_at, m.id from messages m where m.id = ${f.beforeId} and m.tenant_id = ${f.tenantId})`
      : undefined,
  ];
  return db
    .select()
    .from(messages)
    .where(and(...conditions))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(f.limit);
}

/**
 * Bounds how long this transaction waits on a row lock — here, on another request's uncommitted
 * insert of the same idempotency key. Postgres raises 55P03 when the wait runs out.
 */
export async function setLocalLockTimeout(db: DbOrTx, { ms }: { ms: number }) {
  await db.execute(sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(ms))}ms`}, true)`);
}
