import { getDb } from "@/db";
import { listWebhookEvents as listRows } from "@/db/queries/webhook-events";
import type { WebhookEvent } from "@/db/schema/webhooks";
import { ApiError } from "@/lib/api/errors";
import type { TenantContext } from "@/lib/tenancy/context";
import { isUuid } from "@/lib/validations/common";
import { webhookEventListOut, type ListWebhookEventsQuery, type WebhookEventListOut } from "@/lib/validations/webhook-events";

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
  let beforeId: string | undefined;
  if (q.cursor) {
    beforeId = Buffer.from(q.cursor, "base64url").toString("utf8");
    if (!isUuid(beforeId)) {
      throw new ApiError({ code: "validation_failed", message: "The query string is invalid", details: [{ path: "cursor", message: "Unknown cursor: use next_cursor from a previous page" }] });
    }
  }
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
  return webhookEventListOut.parse({ data: page.map(toOut), next_cursor: rows.length > q.limit && last ? Buffer.from(last.id).toString("base64url") : null });
}
