import { and, asc, desc, eq, gte, lte, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
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

type InsertedRow = { id: string; idempotency_key: string | null; created_at: Date | string };

const messageColumns = sql.raw(`id, tenant_id, channel, status, route, provider, config_id, recipient, payload, template_id,
  template_version, idempotency_key, request_hash, action_id, context, trace_id, provider_reference, segments, cost_amount, cost_currency, contact_id,
  send_at, reminder_run_id`);

function messageRecordset(json: string) {
  return sql`jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, channel message_channel, status message_status,
    route jsonb, provider provider_kind, config_id uuid, recipient text, payload jsonb, template_id text,
    template_version integer, idempotency_key text, request_hash text, action_id text, context jsonb, trace_id text, provider_reference text,
    segments integer, cost_amount numeric, cost_currency text, contact_id uuid, send_at timestamptz, reminder_run_id uuid)`;
}

function insertedRows(result: Iterable<InsertedRow>) {
  return [...result].map((r) => ({
    id: r.id,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
  }));
}

function messageRowsJson(rows: (NewMessage & { id: string })[]) {
  return JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      tenant_id: r.tenantId,
      channel: r.channel,
      status: r.status ?? "queued",
      route: r.route ?? [],
      provider: r.provider ?? null,
      config_id: r.configId ?? null,
      recipient: r.recipient,
      contact_id: r.contactId ?? null,
      payload: r.payload,
      template_id: r.templateId ?? null,
      template_version: r.templateVersion ?? null,
      idempotency_key: r.idempotencyKey ?? null,
      request_hash: r.requestHash ?? null,
      action_id: r.actionId ?? null,
      context: r.context ?? null,
      trace_id: r.traceId,
      provider_reference: r.providerReference,
      segments: r.segments ?? null,
      cost_amount: r.costAmount ?? null,
      cost_currency: r.costCurrency ?? null,
      send_at: r.sendAt ? r.sendAt.toISOString() : null,
      reminder_run_id: r.reminderRunId ?? null,
    })),
  );
}

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
  const json = messageRowsJson(rows);
  try {
    const result = await db.execute<InsertedRow>(sql`
      insert into messages (${messageColumns}) select ${messageColumns} from ${messageRecordset(json)}
      on conflict do nothing
      returning id, idempotency_key, created_at`);
    return insertedRows(result);
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

/**
 * Accepts messages in ONE statement, atomic without BEGIN/COMMIT: data-modifying CTEs insert
 * the messages (a row whose idempotency key is taken is skipped, as in insertMessages), then —
 * for the rows actually inserted only — their first status-history row (to the row's own status:
 * queued, or scheduled for a send_at ahead) and their outbox event, held until the message's
 * send_at when it has one. Each event's `id` is the id of the message it announces (the delivery workflow relies on it);
 * the event of a skipped message is not written. Payloads must be validated by the caller.
 *
 * `lockTimeoutMs` bounds the wait on another request's uncommitted row with the same key:
 * set_config(…, true) is local to this statement's implicit transaction, and as an uncorrelated
 * scalar subquery in the WHERE it runs once before the first row is inserted. Postgres raises
 * 55P03 when the wait runs out, and nothing is written.
 * Returns the messages that were inserted.
 */
export async function insertAcceptedMessages(
  db: DbOrTx,
  {
    rows,
    history,
    events,
    lockTimeoutMs,
  }: {
    rows: (NewMessage & { id: string })[];
    /** The first history row; its status is each message's own (queued, or scheduled). */
    history: { fromStatus: MessageStatus | null; reason: string | null };
    events: { id: string; tenantId: string | null; name: string; payload: Record<string, unknown> }[];
    lockTimeoutMs?: number;
  },
) {
  if (rows.length === 0) return [];
  const json = messageRowsJson(rows);
  const eventsJson = JSON.stringify(events.map((e) => ({ id: e.id, tenant_id: e.tenantId, name: e.name, payload: e.payload })));
  const waitBound =
    lockTimeoutMs === undefined
      ? sql``
      : sql`where (select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, true)) is not null`;
  try {
    const result = await db.execute<InsertedRow>(sql`
      with inserted as (
        insert into messages (${messageColumns}) select ${messageColumns} from ${messageRecordset(json)}
        ${waitBound}
        on conflict do nothing
        returning id, tenant_id, idempotency_key, created_at, status, send_at
      ), history as (
        insert into message_status_history (message_id, tenant_id, from_status, to_status, reason)
        select i.id, i.tenant_id, ${history.fromStatus}::message_status, i.status, ${history.reason}::text
        from inserted i
      ), outbox as (
        insert into outbox_events (id, tenant_id, name, payload, start_after)
        select e.id, e.tenant_id, e.name, e.payload, case when i.status = 'scheduled' then i.send_at end
        from jsonb_to_recordset(${eventsJson}::jsonb) as e(id uuid, tenant_id uuid, name text, payload jsonb)
        join inserted i on i.id = e.id
        on conflict (id) do nothing
      )
      select id, idempotency_key, created_at from inserted`);
    return insertedRows(result);
  } catch (err) {
    throw new Error("inserting messages failed", { cause: err });
  }
}

const messagesByIdempotencyKeys = preparedQuery((db) =>
  db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, sql.placeholder("tenantId")), sql`${messages.idempotencyKey} = any(${sql.placeholder("keys")}::text[])`))
    .prepare("find_messages_by_idempotency_keys"),
);

/** The messages of a tenant holding these idempotency keys (prepared: every keyed send asks). */
export async function findMessagesByIdempotencyKeys(db: DbOrTx, { tenantId, keys }: { tenantId: string; keys: string[] }) {
  if (keys.length === 0) return [];
  return messagesByIdempotencyKeys(db).execute({ tenantId, keys });
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
export interface MessageFilter {
  tenantId: string;
  status?: MessageStatus;
  channel?: Channel;
  provider?: ProviderKind;
  configId?: string;
  /** A contact's message history. */
  contactId?: string;
  /** The messages of one reminder run. */
  reminderRunId?: string;
  since?: Date;
  until?: Date;
  /** Recipient substring, or exactly a message id, provider message id or idempotency key. */
  q?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function messageConditions(f: MessageFilter): (SQL | undefined)[] {
  return [
    eq(messages.tenantId, f.tenantId),
    f.status ? eq(messages.status, f.status) : undefined,
    f.channel ? eq(messages.channel, f.channel) : undefined,
    f.provider ? eq(messages.provider, f.provider) : undefined,
    f.configId ? eq(messages.configId, f.configId) : undefined,
    f.contactId ? eq(messages.contactId, f.contactId) : undefined,
    f.reminderRunId ? eq(messages.reminderRunId, f.reminderRunId) : undefined,
    f.since ? gte(messages.createdAt, f.since) : undefined,
    f.until ? lte(messages.createdAt, f.until) : undefined,
    f.q
      ? or(
          sql`${messages.recipient} ilike ${likePattern(f.q)}`,
          UUID.test(f.q) ? eq(messages.id, f.q) : undefined,
          eq(messages.providerMessageId, f.q),
          eq(messages.idempotencyKey, f.q),
        )
      : undefined,
  ];
}

export async function listMessages(
  db: DbOrTx,
  f: MessageFilter & {
    /** Id of the last row of the previous page. */
    beforeId?: string;
    limit: number;
  },
) {
  const conditions: (SQL | undefined)[] = [
    ...messageConditions(f),
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

/** Matches of a filter, counted up to `cap + 1` (so "more than cap" is known without counting all). */
export async function countMessages(db: DbOrTx, f: MessageFilter & { cap: number }): Promise<number> {
  const inner = db
    .select({ one: sql`1` })
    .from(messages)
    .where(and(...messageConditions(f)))
    .limit(f.cap + 1)
    .as("m");
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(inner);
  return row?.n ?? 0;
}
