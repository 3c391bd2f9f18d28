// Reading messages: the log (keyset pages) and one message with its attempts, history and events.
import { getDb } from "@/db";
import {
  findMessage,
  listMessageAttempts,
  listMessageEvents,
  listMessages as listMessageRows,
  listMessageStatusHistory,
} from "@/db/queries/messages";
import type { Message, MessageAttempt } from "@/db/schema/messages";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  messageDetailOut,
  messageListOut,
  messageOut,
  type ListMessagesQuery,
  type MessageDetailOut,
  type MessageListOut,
  type MessageOut,
} from "@/lib/validations/messages";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function toOut(m: Message): MessageOut {
  return messageOut.parse({
    id: m.id,
    channel: m.channel,
    direction: m.direction,
    status: m.status,
    provider: m.provider,
    config_id: m.configId,
    route: m.route.map((h) => ({ config_id: h.configId, provider: h.provider })),
    recipient: m.recipient,
    template_id: m.templateId,
    idempotency_key: m.idempotencyKey,
    action_id: m.actionId,
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
export function redactPayload(value: unknown, path: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => redactPayload(v, path));
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
  const [attempts, history, events] = await Promise.all([
    listMessageAttempts(db, { tenantId: ctx.tenantId, messageId: id }),
    listMessageStatusHistory(db, { tenantId: ctx.tenantId, messageId: id }),
    listMessageEvents(db, { tenantId: ctx.tenantId, messageId: id }),
  ]);
  return messageDetailOut.parse({
    ...toOut(m),
    payload: redactPayload(m.payload),
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

export async function listMessages(ctx: TenantContext, q: ListMessagesQuery): Promise<MessageListOut> {
  const rows = await listMessageRows(getDb(), {
    tenantId: ctx.tenantId,
    status: q.status,
    channel: q.channel,
    provider: q.provider,
    configId: q.config_id,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    q: q.q,
    beforeId: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return messageListOut.parse({
    data: page.map(toOut),
    next_cursor: rows.length > q.limit && last ? Buffer.from(last.id).toString("base64url") : null,
  });
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new ApiError({ code: "validation_failed", message: "The cursor is invalid", details: [{ path: "cursor", message: "Invalid cursor" }] });
  }
  return id;
}
