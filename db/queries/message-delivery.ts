// Queries of the delivery workflow: attempts, status transitions, the communication event outbox.
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
import { appendUsage, usageRecord, type UsageDelta } from "./usage";
import {
  communicationEvents,
  messageAttempts,
  messages,
  messageStatusHistory,
  type CommunicationEvent,
  type CommunicationEventName,
  type CommunicationEventStatus,
  type MessageStatus,
  type ProviderKind,
} from "../schema";

/** Statuses from which the delivery workflow may still call a provider. */
export const DELIVERABLE_STATUSES: MessageStatus[] = ["queued", "sending"];

const messageForDelivery = preparedQuery((db) =>
  db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, sql.placeholder("tenantId")), eq(messages.id, sql.placeholder("id"))))
    .prepare("find_message_for_delivery"),
);

/** Every delivery attempt reads its message first (prepared: built once per pool). */
export async function findMessageForDelivery(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await messageForDelivery(db).execute({ tenantId, id });
  return row;
}

export interface AttemptRow {
  messageId: string;
  tenantId: string;
  provider: ProviderKind;
  configId: string | null;
  outcome: "sent" | "retry" | "fallback" | "failed" | "skipped";
  requestSummary: Record<string, unknown>;
  responseCode: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  retryable: boolean | null;
  providerReference: string | null;
  latencyMs: number | null;
  startedAt: Date;
  finishedAt: Date;
}

/** Appends an attempt with the next number for its message (numbering is per message). */
export async function insertAttempt(db: DbOrTx, row: AttemptRow) {
  const next = sql<number>`(select coalesce(max(${messageAttempts.attemptNo}), 0) + 1 from ${messageAttempts} where ${messageAttempts.messageId} = ${row.messageId})`;
  const [inserted] = await db
    .insert(messageAttempts)
    .values({ ...row, attemptNo: next })
    .returning({ id: messageAttempts.id, attemptNo: messageAttempts.attemptNo });
  return inserted!;
}

/** Counts a provider call that did not end the message (retry / fallback) on the message row. */
export async function recordIntermediateAttempt(
  db: DbOrTx,
  row: AttemptRow & {
    countsAsCall: boolean;
    /** The Herald-level error the message row keeps (the attempt row keeps the provider's code). */
    messageError?: { code: string; message: string; retryable: boolean };
  },
) {
  return db.transaction(async (tx) => {
    const { countsAsCall, messageError, ...attempt } = row;
    const [before] = await tx
      .select({ status: messages.status })
      .from(messages)
      .where(and(eq(messages.tenantId, row.tenantId), eq(messages.id, row.messageId)))
      .for("update");
    if (!before || !DELIVERABLE_STATUSES.includes(before.status)) return false;
    const calling = countsAsCall && before.status === "queued";
    const [msg] = await tx
      .update(messages)
      .set({
        updatedAt: new Date(),
        ...(calling ? { status: "sending" as const, provider: attempt.provider, configId: attempt.configId } : {}),
        ...(countsAsCall ? { attemptCount: sql`${messages.attemptCount} + 1` } : {}),
        ...(messageError ? { errorCode: messageError.code, errorMessage: messageError.message, retryable: messageError.retryable } : {}),
      })
      .where(and(eq(messages.tenantId, row.tenantId), eq(messages.id, row.messageId), inArray(messages.status, DELIVERABLE_STATUSES)))
      .returning({ id: messages.id });
    if (!msg) return false;
    await insertAttempt(tx, attempt);
    if (calling) {
      await tx.insert(messageStatusHistory).values({
        messageId: row.messageId,
        tenantId: row.tenantId,
        fromStatus: "queued",
        toStatus: "sending",
        reason: `calling ${attempt.provider}`,
        at: attempt.startedAt,
      });
    }
    return true;
  });
}

export interface TerminalInput {
  tenantId: string;
  messageId: string;
  fromStatus: MessageStatus;
  toStatus: "sent" | "failed";
  reason: string;
  attempt: AttemptRow | null;
  countsAsCall: boolean;
  message: {
    provider?: ProviderKind | null;
    configId?: string | null;
    providerMessageId?: string | null;
    segments?: number | null;
    costAmount?: string | null;
    costCurrency?: string | null;
    errorCode?: string | null;
    errorMessage?: string | null;
    retryable?: boolean | null;
  };
  at: Date;
  /** The usage this outcome adds (sent or failed), appended with it. */
  usage?: UsageDelta;
  /** Builds the envelope once the final attempt count is known. */
  event: (attemptCount: number) => { name: CommunicationEventName; payload: Record<string, unknown>; exchange: string; routingKey: string };
  /** Runs in the same transaction once the event row is written (e.g. outbound webhook deliveries). */
  afterEvent?: (tx: DbOrTx, row: CommunicationEvent) => Promise<void>;
  /**
   * The message's attempt count as the caller read it. Given (and on the pool), the transition is
   * first tried as ONE statement that also requires that count, and no webhook endpoint of the
   * tenant subscribed to the event (those need `afterEvent`): the common delivery outcome costs one
   * round trip instead of a seven-statement transaction. Any mismatch falls back to the transaction.
   */
  expectedAttemptCount?: number;
}

/**
 * The terminal transition, its attempt, history and the one communication event, in one
 * transaction. Conditional on the message still being deliverable:
 * a concurrent or repeated run that lost the race writes nothing and gets `undefined`.
 */
export async function finishMessage(db: DbOrTx, input: TerminalInput): Promise<{ event: Pick<CommunicationEvent, "id"> | null; attemptCount: number } | undefined> {
  if (input.expectedAttemptCount !== undefined && "$client" in db) {
    const fast = await finishMessageInOneStatement(db.$client, input, input.expectedAttemptCount);
    if (fast !== "fallback") return fast;
  }
  return db.transaction(async (tx) => {
    const [msg] = await tx
      .update(messages)
      .set({
        status: input.toStatus,
        ...(input.countsAsCall ? { attemptCount: sql`${messages.attemptCount} + 1` } : {}),
        ...input.message,
        ...(input.toStatus === "sent" ? { sentAt: input.at, errorCode: null, errorMessage: null, retryable: null } : { failedAt: input.at }),
      })
      .where(and(eq(messages.tenantId, input.tenantId), eq(messages.id, input.messageId), inArray(messages.status, DELIVERABLE_STATUSES)))
      .returning({
        attemptCount: messages.attemptCount,
        replayCount: messages.replayCount,
        channel: messages.channel,
        provider: messages.provider,
        configId: messages.configId,
      });
    if (!msg) return undefined;
    // Usage increments are appended (no shared row is locked), exactly once: only the
    // transition that made the message terminal gets here.
    // Counted against the config the message row names after this change, the same one a
    // replay takes the failure back from (requeueFailedMessages), so the two always net out.
    if (input.usage) await appendUsage(tx, [{ ...input.usage, configId: msg.configId, provider: msg.provider }]);
    if (input.attempt) await insertAttempt(tx, input.attempt);
    // A first call that ended the message at once: record the queued → sending step it went through.
    const viaSending = input.fromStatus === "queued" && input.countsAsCall && input.attempt !== null;
    await tx.insert(messageStatusHistory).values([
      ...(viaSending
        ? [{ messageId: input.messageId, tenantId: input.tenantId, fromStatus: "queued" as const, toStatus: "sending" as const, reason: `calling ${input.attempt!.provider}`, at: input.attempt!.startedAt }]
        : []),
      {
        messageId: input.messageId,
        tenantId: input.tenantId,
        fromStatus: viaSending ? ("sending" as const) : input.fromStatus,
        toStatus: input.toStatus,
        reason: input.reason.slice(0, 500),
        at: input.at,
      },
    ]);
    const event = input.event(msg.attemptCount);
    const [row] = await tx
      .insert(communicationEvents)
      .values({ tenantId: input.tenantId, messageId: input.messageId, deliveryRound: msg.replayCount, ...event })
      .onConflictDoNothing({ target: [communicationEvents.messageId, communicationEvents.deliveryRound] })
      .returning();
    if (row && input.afterEvent) await input.afterEvent(tx, row);
    return { event: row ?? null, attemptCount: msg.attemptCount };
  });
}

/**
 * `finishMessage` as one statement (data-modifying CTEs share one snapshot and commit together):
 * the conditional update, the usage increment, the attempt, the history rows and the event. The
 * update also requires the attempt count the caller read (the event envelope carries the count,
 * built before the statement) and that no enabled webhook endpoint of the tenant takes the event
 * (their deliveries are written by `afterEvent` in the transaction path). Static text with typed
 * casts, so postgres-js prepares it once per connection.
 */
const TERMINAL_STATEMENT = `
with ep as (
  select exists (
    select 1 from webhook_endpoints
    where tenant_id = $1::uuid and status = 'enabled' and event_types && array[$10::text]
  ) as subscribed
), u as (
  update messages m set
    status = $3::message_status,
    attempt_count = m.attempt_count + $4::int,
    provider = case when $6::jsonb ? 'provider' then ($6::jsonb ->> 'provider')::provider_kind else m.provider end,
    config_id = case when $6::jsonb ? 'config_id' then ($6::jsonb ->> 'config_id')::uuid else m.config_id end,
    provider_message_id = case when $6::jsonb ? 'provider_message_id' then $6::jsonb ->> 'provider_message_id' else m.provider_message_id end,
    segments = case when $6::jsonb ? 'segments' then ($6::jsonb ->> 'segments')::int else m.segments end,
    cost_amount = case when $6::jsonb ? 'cost_amount' then ($6::jsonb ->> 'cost_amount')::numeric else m.cost_amount end,
    cost_currency = case when $6::jsonb ? 'cost_currency' then $6::jsonb ->> 'cost_currency' else m.cost_currency end,
    error_code = case when $6::jsonb ? 'error_code' then $6::jsonb ->> 'error_code' else m.error_code end,
    error_message = case when $6::jsonb ? 'error_message' then $6::jsonb ->> 'error_message' else m.error_message end,
    retryable = case when $6::jsonb ? 'retryable' then ($6::jsonb ->> 'retryable')::boolean else m.retryable end,
    sent_at = case when $6::jsonb ? 'sent_at' then ($6::jsonb ->> 'sent_at')::timestamptz else m.sent_at end,
    failed_at = case when $6::jsonb ? 'failed_at' then ($6::jsonb ->> 'failed_at')::timestamptz else m.failed_at end,
    updated_at = now()
  where m.tenant_id = $1::uuid and m.id = $2::uuid and m.status in ('queued', 'sending')
    and m.attempt_count = $5::int and not (select subscribed from ep)
  returning m.attempt_count, m.replay_count, m.channel, m.provider, m.config_id
), usage as (
  insert into usage_deltas (tenant_id, config_id, provider, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments, cost, cost_currency, last_sent_at)
  select $1::uuid,
    case when u.provider is not null then u.config_id end,
    case when u.config_id is not null then u.provider end,
    u.channel, x.hour, x.sent, x.delivered, x.opened, x.clicked, x.bounced, x.failed, x.segments, x.cost, x.cost_currency, x.last_sent_at
  from u cross join jsonb_to_record($7::jsonb) as x(hour timestamptz, sent bigint, delivered bigint, opened bigint, clicked bigint, bounced bigint,
    failed bigint, segments bigint, cost numeric, cost_currency text, last_sent_at timestamptz)
  where $7::jsonb is not null
), attempt as (
  insert into message_attempts (message_id, tenant_id, attempt_no, provider, config_id, outcome, request_summary, response_code, error_code, error_message, retryable, provider_reference, latency_ms, started_at, finished_at)
  select $2::uuid, $1::uuid, (select coalesce(max(a.attempt_no), 0) + 1 from message_attempts a where a.message_id = $2::uuid),
    x.provider, x.config_id, x.outcome, x.request_summary, x.response_code, x.error_code, x.error_message, x.retryable, x.provider_reference, x.latency_ms, x.started_at, x.finished_at
  from u cross join jsonb_to_record($8::jsonb) as x(provider provider_kind, config_id uuid, outcome text, request_summary jsonb, response_code int, error_code text,
    error_message text, retryable boolean, provider_reference text, latency_ms int, started_at timestamptz, finished_at timestamptz)
  where $8::jsonb is not null
), history as (
  insert into message_status_history (message_id, tenant_id, from_status, to_status, reason, at)
  select $2::uuid, $1::uuid, x.from_status, x.to_status, x.reason, x.at
  from u cross join jsonb_to_recordset($9::jsonb) as x(n int, from_status message_status, to_status message_status, reason text, at timestamptz)
  order by x.n
), event as (
  insert into communication_events (tenant_id, message_id, delivery_round, name, payload, exchange, routing_key)
  select $1::uuid, $2::uuid, u.replay_count, $10::text, $11::jsonb, $12::text, $13::text from u
  on conflict (message_id, delivery_round) do nothing
  returning id
)
select (select subscribed from ep) as subscribed, (select count(*) from u)::int as updated, (select id from event) as event_id`;

async function finishMessageInOneStatement(client: Db["$client"], input: TerminalInput, expected: number) {
  const m = input.message;
  const changes: Record<string, unknown> = {
    ...(m.provider !== undefined ? { provider: m.provider } : {}),
    ...(m.configId !== undefined ? { config_id: m.configId } : {}),
    ...(m.providerMessageId !== undefined ? { provider_message_id: m.providerMessageId } : {}),
    ...(m.segments !== undefined ? { segments: m.segments } : {}),
    ...(m.costAmount !== undefined ? { cost_amount: m.costAmount } : {}),
    ...(m.costCurrency !== undefined ? { cost_currency: m.costCurrency } : {}),
    ...(m.errorCode !== undefined ? { error_code: m.errorCode } : {}),
    ...(m.errorMessage !== undefined ? { error_message: m.errorMessage } : {}),
    ...(m.retryable !== undefined ? { retryable: m.retryable } : {}),
    ...(input.toStatus === "sent"
      ? { sent_at: input.at.toISOString(), error_code: null, error_message: null, retryable: null }
      : { failed_at: input.at.toISOString() }),
  };
  // Its config and provider are the ones the update leaves on the message (taken from `u` in SQL).
  const usage = input.usage ? usageRecord(input.usage) : null;
  const a = input.attempt;
  const attempt = a
    ? {
        provider: a.provider,
        config_id: a.configId,
        outcome: a.outcome,
        request_summary: a.requestSummary,
        response_code: a.responseCode,
        error_code: a.errorCode,
        error_message: a.errorMessage,
        retryable: a.retryable,
        provider_reference: a.providerReference,
        latency_ms: a.latencyMs,
        started_at: a.startedAt.toISOString(),
        finished_at: a.finishedAt.toISOString(),
      }
    : null;
  const viaSending = input.fromStatus === "queued" && input.countsAsCall && a !== null;
  const history = [
    ...(viaSending ? [{ from_status: "queued", to_status: "sending", reason: `calling ${a!.provider}`, at: a!.startedAt.toISOString() }] : []),
    { from_status: viaSending ? "sending" : input.fromStatus, to_status: input.toStatus, reason: input.reason.slice(0, 500), at: input.at.toISOString() },
  ].map((h, n) => ({ n, ...h }));
  const attemptCount = expected + (input.countsAsCall ? 1 : 0);
  const event = input.event(attemptCount);
  const params = [
    input.tenantId,
    input.messageId,
    input.toStatus,
    input.countsAsCall ? 1 : 0,
    expected,
    JSON.stringify(changes),
    usage ? JSON.stringify(usage) : null,
    attempt ? JSON.stringify(attempt) : null,
    JSON.stringify(history),
    event.name,
    JSON.stringify(event.payload),
    event.exchange,
    event.routingKey,
  ];
  const [row] = await client.unsafe<{ subscribed: boolean; updated: number; event_id: string | null }[]>(TERMINAL_STATEMENT, params as never[], { prepare: true });
  if (!row || row.subscribed || row.updated === 0) {
    // Endpoints to enqueue for, or the row moved on (another attempt counted, or it is terminal):
    // the transaction path decides, with the same conditions.
    return "fallback" as const;
  }
  return { event: row.event_id ? { id: row.event_id } : null, attemptCount };
}

// ---------------------------------------------------------------------------------------------
// communication_events

export async function findCommunicationEventForMessage(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  const [row] = await db
    .select()
    .from(communicationEvents)
    .where(and(eq(communicationEvents.tenantId, tenantId), eq(communicationEvents.messageId, messageId)))
    .orderBy(desc(communicationEvents.deliveryRound))
    .limit(1);
  return row;
}

export async function listCommunicationEvents(
  db: DbOrTx,
  f: { tenantId: string; status?: CommunicationEventStatus; unpublished?: boolean; messageId?: string; beforeId?: string; limit: number },
) {
  const conditions: (SQL | undefined)[] = [
    eq(communicationEvents.tenantId, f.tenantId),
    f.status ? eq(communicationEvents.status, f.status) : undefined,
    f.unpublished ? sql`${communicationEvents.status} <> 'published'` : undefined,
    f.messageId ? eq(communicationEvents.messageId, f.messageId) : undefined,
    f.beforeId
      ? sql`(${communicationEvents.createdAt}, ${communicationEvents.id}) < (select e.created_at, e.id from communication_events e where e.id = ${f.beforeId} and e.tenant_id = ${f.tenantId})`
      : undefined,
  ];
  return db
    .select()
    .from(communicationEvents)
    .where(and(...conditions))
    .orderBy(desc(communicationEvents.createdAt), desc(communicationEvents.id))
    .limit(f.limit);
}

export async function countCommunicationEventsByStatus(db: DbOrTx, { tenantId }: { tenantId: string }) {
  const rows = await db
    .select({ status: communicationEvents.status, n: sql<number>`count(*)::int` })
    .from(communicationEvents)
    .where(eq(communicationEvents.tenantId, tenantId))
    .groupBy(communicationEvents.status);
  const out: Record<CommunicationEventStatus, number> = { pending: 0, published: 0, dead_lettered: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** For tests and the crash script: every attempt of a message, oldest first. */
export async function listAttemptsForMessage(db: DbOrTx, { tenantId, messageId }: { tenantId: string; messageId: string }) {
  return db
    .select()
    .from(messageAttempts)
    .where(and(eq(messageAttempts.tenantId, tenantId), eq(messageAttempts.messageId, messageId)))
    .orderBy(asc(messageAttempts.attemptNo));
}
