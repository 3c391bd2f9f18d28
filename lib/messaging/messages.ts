// Reading messages: the log (keyset pages) and one message with its attempts, history and events.
import { getDb } from "@/db";
import {
  findMessage,
  listMessageAttempts,
  listMessageEvents,
  countMessages,
  listMessages as listMessageRows,
  listMessageStatusHistory,
  type MessageFilter,
} from "@/db/queries/messages";
import type { Message, MessageAttempt } from "@/db/schema/messages";
import { decodeIdCursor, encodeIdCursor } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import { messageMedia } from "@/lib/media/message-media";
import {
  messageDetailOut,
  messageListOut,
  messageOut,
  MESSAGE_TOTAL_CAP,
  type ExportMessagesQuery,
  type ListMessagesQuery,
  type MessageDetailOut,
  type MessageListOut,
  type MessageOut,
} from "@/lib/validations/messages";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toOut(m: Message): MessageOut {
  return messageOut.parse({
    id: m.id,
    channel: m.channel,
    direction: m.direction,
    status: m.status,
    provider: m.provider,
    config_id: m.configId,
    route: m.route.map((h) => ({ config_id: h.configId, provider: h.provider })),
    recipient: m.recipient,
    contact_id: m.contactId,
    template_id: m.templateId,
    template_version: m.templateVersion,
    idempotency_key: m.idempotencyKey,
    action_id: m.actionId,
    send_at: iso(m.sendAt),
    reminder_run_id: m.reminderRunId,
    trace_id: m.traceId,
    provider_reference: m.providerReference,
    provider_message_id: m.providerMessageId,
    attempt_count: m.attemptCount,
    segments: m.segments,
    cost_amount: m.costAmount,
    cost_currency: m.costCurrency,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    engagement: { opens: m.opens, unique_opens: m.uniqueOpens, clicks: m.clicks, unique_clicks: m.uniqueClicks },
    bounce_type: m.bounceType,
    read_at: iso(m.readAt),
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    sent_at: iso(m.sentAt),
    delivered_at: iso(m.deliveredAt),
    failed_at: iso(m.failedAt),
  });
}

// Keys that could carry a credential if a caller put one in a free-form map; masked on the way out.
const SECRET_KEY = /(secret|password|passwd|token|api[_-]?key|authorization|credential)/i;

/**
 * The payload as accepted, with anything that looks like a credential masked. The device token
 * of a push target is the recipient, not a credential, so it stays.
 */
// A link that grants something to whoever holds it (an invitation's accept link) is masked in
// every message shown, so members who can read messages cannot use one meant for someone else.
const GRANTING_LINK = /\/invite\/[A-Za-z0-9_-]{16,}/g;

export function redactPayload(value: unknown, path: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => redactPayload(v, path));
  if (typeof value === "string") return value.replace(GRANTING_LINK, "/invite/[redacted]");
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const isTarget = path.at(-1) === "target" && k === "device_token";
    out[k] = !isTarget && SECRET_KEY.test(k) && typeof v !== "object" ? "[redacted]" : redactPayload(v, [...path, k]);
  }
  return out;
}

function attemptOut(a: MessageAttempt) {
  return {
    id: a.id,
    attempt_no: a.attemptNo,
    provider: a.provider,
    config_id: a.configId,
    outcome: a.outcome,
    request_summary: redactPayload(a.requestSummary) as Record<string, unknown>,
    response_code: a.responseCode,
    error_code: a.errorCode,
    error_message: a.errorMessage,
    retryable: a.retryable,
    provider_reference: a.providerReference,
    latency_ms: a.latencyMs,
    started_at: a.startedAt.toISOString(),
    finished_at: iso(a.finishedAt),
  };
}

export async function getMessage(ctx: TenantContext, id: string): Promise<MessageDetailOut> {
  const db = getDb();
  const m = await findMessage(db, { tenantId: ctx.tenantId, id });
  if (!m) throw ApiError.notFound("Message");
  const [attempts, history, events, media] = await Promise.all([
    listMessageAttempts(db, { tenantId: ctx.tenantId, messageId: id }),
    listMessageStatusHistory(db, { tenantId: ctx.tenantId, messageId: id }),
    listMessageEvents(db, { tenantId: ctx.tenantId, messageId: id }),
    messageMedia(ctx.tenantId, m),
  ]);
  return messageDetailOut.parse({
    ...toOut(m),
    payload: redactPayload(m.payload),
    media,
    context: m.context,
    attempts: attempts.map(attemptOut),
    status_history: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, reason: h.reason, at: h.at.toISOString() })),
    events: events.map((e) => ({
      id: e.id,
      event: e.name,
      status: e.status,
      created_at: e.createdAt.toISOString(),
      published_at: iso(e.publishedAt),
      body: e.payload,
    })),
  });
}

/** The filter of a list or export query, as the queries take it. */
export function messageFilterOf(ctx: TenantContext, q: ExportMessagesQuery): MessageFilter {
  return {
    tenantId: ctx.tenantId,
    status: q.status,
    channel: q.channel,
    provider: q.provider,
    configId: q.config_id,
    contactId: q.contact_id,
    reminderRunId: q.reminder_run_id,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    q: q.q,
  };
}

export async function listMessages(ctx: TenantContext, q: ListMessagesQuery): Promise<MessageListOut> {
  const filter = messageFilterOf(ctx, q);
  const [rows, total] = await Promise.all([
    listMessageRows(getDb(), { ...filter, beforeId: q.cursor ? decodeIdCursor(q.cursor) : undefined, limit: q.limit + 1 }),
    q.include_total === "true" ? countMessages(getDb(), { ...filter, cap: MESSAGE_TOTAL_CAP }) : undefined,
  ]);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return messageListOut.parse({
    data: page.map(toOut),
    next_cursor: rows.length > q.limit && last ? encodeIdCursor(last.id) : null,
    ...(total === undefined ? {} : { total: Math.min(total, MESSAGE_TOTAL_CAP), total_capped: total > MESSAGE_TOTAL_CAP }),
  });
}

