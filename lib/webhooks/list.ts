import { getDb } from "@/db";
import { findWebhookEvent, listWebhookEvents as listRows } from "@/db/queries/webhook-events";
import { listWebhookRejections } from "@/db/queries/webhook-nonces";
import type { WebhookEvent } from "@/db/schema/webhooks";
import { decodeIdCursor, encodeIdCursor } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { isUuid } from "@/lib/validations/common";
import type { TenantContext } from "@/lib/tenancy/context";
import { webhookEventListOut, webhookEventOut, type WebhookEventOut, type ListWebhookEventsQuery, type WebhookEventListOut } from "@/lib/validations/webhook-events";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toOut(r: WebhookEvent) {
  return {
    id: r.id,
    provider: r.provider,
    config_id: r.configId,
    event_key: r.eventKey,
    event_type: r.eventType,
    provider_event: r.providerEvent,
    verification: r.verification,
    status: r.status,
    message_id: r.messageId,
    provider_message_id: r.providerMessageId,
    recipient: r.recipient,
    outcome: r.outcome,
    duplicate_count: r.duplicateCount,
    last_duplicate_at: iso(r.lastDuplicateAt),
    occurred_at: r.occurredAt.toISOString(),
    received_at: r.receivedAt.toISOString(),
    processed_at: iso(r.processedAt),
    payload: r.payload,
  };
}

/** Received provider events, newest first; `status=duplicate` lists events that were replayed. */
export async function listWebhookEvents(ctx: TenantContext, q: ListWebhookEventsQuery): Promise<WebhookEventListOut> {
  const beforeId = q.cursor ? decodeIdCursor(q.cursor) : undefined;
  const rows = await listRows(getDb(), {
    tenantId: ctx.tenantId,
    provider: q.provider,
    status: q.status === "duplicate" ? undefined : q.status,
    duplicatesOnly: q.status === "duplicate",
    configId: q.config_id,
    messageId: q.message_id,
    beforeId,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return webhookEventListOut.parse({ data: page.map(toOut), next_cursor: rows.length > q.limit && last ? encodeIdCursor(last.id) : null });
}

/** One received event with its payload (the Received tab's drawer, linkable by id). */
export async function getWebhookEvent(ctx: TenantContext, id: string): Promise<WebhookEventOut> {
  const row = isUuid(id) ? await findWebhookEvent(getDb(), { tenantId: ctx.tenantId, id }) : undefined;
  if (!row) throw ApiError.notFound("Webhook event");
  return webhookEventOut.parse(toOut(row));
}

/** Requests refused after their signature checked out (replayed Mailgun signatures), last 7 days. */
export async function listWebhookRejectionSummary(ctx: TenantContext) {
  const rows = await listWebhookRejections(getDb(), { tenantId: ctx.tenantId, since: new Date(Date.now() - 7 * 86_400_000) });
  return {
    data: rows.map((r) => ({ config_id: r.configId, provider: r.provider, reason: r.reason, count: r.count, last_at: r.lastAt.toISOString() })),
  };
}
export type WebhookRejectionSummary = Awaited<ReturnType<typeof listWebhookRejectionSummary>>;
