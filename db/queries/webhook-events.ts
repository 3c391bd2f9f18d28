// Provider webhook events: recording with dedupe, claiming pending ones, and applying their effects.
import { and, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { preparedQuery } from "../prepared";
import { textArray, uuidArray } from "../sql-arrays";
import {
  messages,
  suppressions,
  webhookEvents,
  type Channel,
  type Message,
  type MessageStatus,
  type NewMessage,
  type NewWebhookEvent,
  type ProviderKind,
  type SuppressionReason,
  type WebhookEventStatus,
} from "../schema";

/**
 * Inserts the events; an event already recorded (same tenant, provider, event key) is not
 * inserted again — its duplicate counter goes up instead. Returns the ids of the new rows and
 * how many were duplicates.
 */
export async function recordWebhookEvents(db: DbOrTx, rows: (NewWebhookEvent & { id: string })[]) {
  if (rows.length === 0) return { newIds: [] as string[], duplicates: 0 };
  // A batch can repeat an event: keep the first, count the rest as duplicates.
  const seen = new Set<string>();
  const unique: typeof rows = [];
  let inBatchDuplicates = 0;
  for (const r of rows) {
    if (seen.has(r.eventKey)) inBatchDuplicates++;
    else {
      seen.add(r.eventKey);
      unique.push(r);
    }
  }
  // One JSON parameter instead of a parameter per column per row: drizzle spends milliseconds
  // building a 1,000-row insert (a type check per value), Postgres microseconds reading this.
  const json = JSON.stringify(
    unique.map((r) => ({
      id: r.id,
      tenant_id: r.tenantId,
      config_id: r.configId ?? null,
      provider: r.provider,
      event_key: r.eventKey,
      event_type: r.eventType,
      provider_event: r.providerEvent,
      verification: r.verification,
      status: r.status ?? "pending",
      message_id: r.messageId ?? null,
      provider_message_id: r.providerMessageId ?? null,
      recipient: r.recipient ?? null,
      occurred_at: r.occurredAt,
      received_at: r.receivedAt ?? new Date(),
      payload: r.payload,
      details: r.details ?? {},
    })),
  );
  const result = await db.execute<{ id: string; inserted: boolean }>(sql`
    insert into webhook_events (id, tenant_id, config_id, provider, event_key, event_type, provider_event, verification, status,
      message_id, provider_message_id, recipient, occurred_at, received_at, payload, details)
    select x.id, x.tenant_id, x.config_id, x.provider, x.event_key, x.event_type, x.provider_event, x.verification, x.status,
      x.message_id, x.provider_message_id, x.recipient, x.occurred_at, x.received_at, x.payload, x.details
    from jsonb_to_recordset(${json}::jsonb) as x(id uuid, tenant_id uuid, config_id uuid, provider provider_kind, event_key text,
      event_type text, provider_event text, verification text, status text, message_id uuid, provider_message_id text, recipient text,
      occurred_at timestamptz, received_at timestamptz, payload jsonb, details jsonb)
    on conflict (tenant_id, provider, event_key) do update
      set duplicate_count = webhook_events.duplicate_count + 1, last_duplicate_at = now()
    returning id, (xmax = 0) as inserted`);
  const newIds = result.filter((r) => r.inserted).map((r) => r.id);
  return { newIds, duplicates: result.length - newIds.length + inBatchDuplicates };
}

/** Locks up to `limit` pending events of a tenant (oldest first); rows another worker holds are skipped. */
export async function claimPendingWebhookEvents(db: DbOrTx, f: { tenantId: string; ids?: string[]; limit: number }) {
  return db
    .select()
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.tenantId, f.tenantId),
        eq(webhookEvents.status, "pending"),
        f.ids ? sql`${webhookEvents.id} = any(${uuidArray(f.ids)})` : undefined,
      ),
    )
    .orderBy(webhookEvents.receivedAt, webhookEvents.id)
    .limit(f.limit)
    .for("update", { skipLocked: true });
}

export interface WebhookEventResult {
  id: string;
  status: WebhookEventStatus;
  messageId: string | null;
  outcome: string;
}

export async function finishWebhookEvents(db: DbOrTx, { tenantId, results }: { tenantId: string; results: WebhookEventResult[] }) {
  if (results.length === 0) return;
  await db.execute(sql`
    update webhook_events w set
      status = v.status,
      message_id = coalesce(v.message_id, w.message_id),
      outcome = v.outcome,
      processed_at = case when v.status = 'pending' then null else now() end,
      processing_attempts = w.processing_attempts + 1
    from jsonb_to_recordset(${JSON.stringify(results.map((r) => ({ id: r.id, status: r.status, message_id: r.messageId, outcome: r.outcome.slice(0, 500) })))}::jsonb)
      as v(id uuid, status text, message_id uuid, outcome text)
    where w.id = v.id and w.tenant_id = ${tenantId}`);
}

/**
 * Outbound messages of a tenant by Herald id or the provider's id, locked for the state update
 * (in id order, so two batches touching the same messages can't deadlock).
 */
export async function lockMessagesForEvents(
  db: DbOrTx,
  f: { tenantId: string; ids: string[]; providerMessageIds: { provider: ProviderKind; ids: string[] }[] },
): Promise<Message[]> {
  const match: SQL[] = [];
  if (f.ids.length) match.push(sql`${messages.id} = any(${uuidArray(f.ids)})`);
  for (const p of f.providerMessageIds) {
    if (p.ids.length) match.push(and(eq(messages.provider, p.provider), sql`${messages.providerMessageId} = any(${textArray(p.ids)})`)!);
  }
  if (match.length === 0) return [];
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, f.tenantId), eq(messages.direction, "outbound"), or(...match)))
    .orderBy(messages.id)
    .for("update");
}

/** Whether any message of the provider is still being sent (a report may have overtaken its send). */
export async function hasMessagesInFlight(db: DbOrTx, { tenantId, provider }: { tenantId: string; provider: ProviderKind }) {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), inArray(messages.status, ["queued", "sending"]), eq(messages.provider, provider)))
    .limit(1);
  return rows.length > 0;
}

export interface MessageStateUpdate {
  id: string;
  status: MessageStatus;
  opens: number;
  uniqueOpens: number;
  clicks: number;
  uniqueClicks: number;
  bounceType: string | null;
  readAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  segments: number | null;
  costAmount: string | null;
  costCurrency: string | null;
}

/** One statement for every changed message of a batch. */
export async function applyMessageStates(db: DbOrTx, { tenantId, updates }: { tenantId: string; updates: MessageStateUpdate[] }) {
  if (updates.length === 0) return;
  const rows = updates.map((u) => ({
    ...u,
    readAt: u.readAt?.toISOString() ?? null,
    deliveredAt: u.deliveredAt?.toISOString() ?? null,
    failedAt: u.failedAt?.toISOString() ?? null,
  }));
  await db.execute(sql`
    update messages m set
      status = v."status"::message_status,
      opens = v."opens", unique_opens = v."uniqueOpens", clicks = v."clicks", unique_clicks = v."uniqueClicks",
      bounce_type = v."bounceType", read_at = v."readAt", delivered_at = v."deliveredAt", failed_at = v."failedAt",
      error_code = v."errorCode", error_message = v."errorMessage",
      segments = v."segments", cost_amount = v."costAmount"::numeric, cost_currency = v."costCurrency",
      updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
      "id" uuid, "status" text, "opens" int, "uniqueOpens" int, "clicks" int, "uniqueClicks" int, "bounceType" text,
      "readAt" timestamptz, "deliveredAt" timestamptz, "failedAt" timestamptz, "errorCode" text, "errorMessage" text,
      "segments" int, "costAmount" text, "costCurrency" text)
    where m.id = v."id" and m.tenant_id = ${tenantId}`);
}

export async function insertStatusTransitions(
  db: DbOrTx,
  rows: { messageId: string; tenantId: string; fromStatus: MessageStatus; toStatus: MessageStatus; reason: string; at: Date }[],
) {
  if (rows.length === 0) return;
  await db.execute(sql`
    insert into message_status_history (message_id, tenant_id, from_status, to_status, reason, at)
    select x.message_id, x.tenant_id, x.from_status, x.to_status, x.reason, x.at
    from jsonb_to_recordset(${JSON.stringify(rows.map((r, n) => ({ n, message_id: r.messageId, tenant_id: r.tenantId, from_status: r.fromStatus, to_status: r.toStatus, reason: r.reason, at: r.at })))}::jsonb)
      as x(n int, message_id uuid, tenant_id uuid, from_status message_status, to_status message_status, reason text, at timestamptz)
    order by x.n`);
}

export async function insertInboundMessages(db: DbOrTx, rows: (NewMessage & { id: string })[]) {
  if (rows.length) await db.insert(messages).values(rows);
}

export async function insertSuppressions(
  db: DbOrTx,
  rows: { tenantId: string; channel: Channel; address: string; reason: SuppressionReason; provider: ProviderKind | null; sourceEventId: string | null; messageId: string | null }[],
) {
  if (rows.length === 0) return;
  await db.insert(suppressions).values(rows).onConflictDoNothing({ target: [suppressions.tenantId, suppressions.channel, suppressions.address] });
}

export async function findSuppression(db: DbOrTx, { tenantId, channel, address }: { tenantId: string; channel: Channel; address: string }) {
  const [row] = await db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.tenantId, tenantId), eq(suppressions.channel, channel), eq(suppressions.address, address)));
  return row;
}

const suppressedAddresses = preparedQuery((db) =>
  db
    .select({ address: suppressions.address, reason: suppressions.reason, createdAt: suppressions.createdAt })
    .from(suppressions)
    .where(
      and(
        eq(suppressions.tenantId, sql.placeholder("tenantId")),
        eq(suppressions.channel, sql.placeholder("channel")),
        sql`${suppressions.address} = any(${sql.placeholder("addresses")}::text[])`,
      ),
    )
    .prepare("find_suppressed_addresses"),
);

/** Prepared: every send checks its recipients. */
export async function findSuppressedAddresses(db: DbOrTx, { tenantId, channel, addresses }: { tenantId: string; channel: Channel; addresses: string[] }) {
  if (addresses.length === 0) return [];
  return suppressedAddresses(db).execute({ tenantId, channel, addresses });
}

export async function listWebhookEvents(
  db: DbOrTx,
  f: {
    tenantId: string;
    provider?: ProviderKind;
    status?: WebhookEventStatus;
    duplicatesOnly?: boolean;
    configId?: string;
    messageId?: string;
    /** Id of the last row of the previous page. */
    beforeId?: string;
    limit: number;
  },
) {
  return db
    .select()
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.tenantId, f.tenantId),
        f.provider ? eq(webhookEvents.provider, f.provider) : undefined,
        f.status ? eq(webhookEvents.status, f.status) : undefined,
        f.duplicatesOnly ? sql`${webhookEvents.duplicateCount} > 0` : undefined,
        f.configId ? eq(webhookEvents.configId, f.configId) : undefined,
        f.messageId ? eq(webhookEvents.messageId, f.messageId) : undefined,
        f.beforeId
          ? sql`(${webhookEvents.receivedAt}, ${webhookEvents.id}) < (select e.received_at, e.id from webhook_events e where e.id = ${f.beforeId} and e.tenant_id = ${f.tenantId})`
          : undefined,
      ),
    )
    .orderBy(desc(webhookEvents.receivedAt), desc(webhookEvents.id))
    .limit(f.limit);
}

export async function findWebhookEvent(db: DbOrTx, f: { tenantId: string; id: string }) {
  const [row] = await db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, f.tenantId), eq(webhookEvents.id, f.id)));
  return row;
}
