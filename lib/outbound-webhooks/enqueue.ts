// Turning Herald's customer-facing events into webhook deliveries, inside the transaction that caused them.
import type { DbOrTx } from "@/db";
import { insertWebhookDeliveries, listSubscribedEndpoints } from "@/db/queries/outbound-webhooks";
import type { CommunicationEvent } from "@/db/schema/communication-events";
import type { Message, MessageStatus } from "@/db/schema/messages";
import type { WebhookEvent } from "@/db/schema/webhooks";
import { emitEvents } from "@/lib/jobs/emit";
import type { OutboundEventType } from "@/lib/validations/outbound-webhooks";
import type { NormalizedEvent } from "@/lib/webhooks/types";

export interface OutboundEvent {
  eventType: OutboundEventType;
  /** The source row's id; the `webhook-id` is derived from it, so it is stable across retries. */
  eventId: string;
  /** The `data` of the body. */
  data: Record<string, unknown>;
  /** When it happened (the body's `timestamp`). */
  occurredAt: Date;
}

/** `webhook-id`: a prefix plus the source id (no dots, as the spec requires). */
export function webhookIdFor(sourceId: string): string {
  return `evt_${sourceId.replace(/-/g, "")}`;
}

export function webhookBody(e: Pick<OutboundEvent, "eventType" | "data" | "occurredAt">): Record<string, unknown> {
  return { type: e.eventType, timestamp: e.occurredAt.toISOString(), data: e.data };
}

/**
 * `eventId` is the id of the source row (communication event, provider webhook event); `payload`
 * is the whole body. Writes one delivery per enabled endpoint of the tenant subscribed to each event, and one job
 * per delivery, in the caller's transaction: the deliveries exist exactly when the change that
 * caused them commits. Repeats (same endpoint and event id) are dropped.
 */
export async function enqueueWebhookDeliveries(
  tx: DbOrTx,
  input: { tenantId: string; eventType: OutboundEventType; eventId: string; payload: Record<string, unknown> } | { tenantId: string; events: OutboundEvent[] },
): Promise<number> {
  const events: { eventType: OutboundEventType; eventId: string; payload: Record<string, unknown> }[] =
    "events" in input
      ? input.events.map((e) => ({ eventType: e.eventType, eventId: webhookIdFor(e.eventId), payload: webhookBody(e) }))
      : [{ eventType: input.eventType, eventId: webhookIdFor(input.eventId), payload: input.payload }];
  if (events.length === 0) return 0;
  const endpoints = await listSubscribedEndpoints(tx, { tenantId: input.tenantId, eventTypes: [...new Set(events.map((e) => e.eventType))] });
  if (endpoints.length === 0) return 0;
  const now = new Date();
  const rows = events.flatMap((e) =>
    endpoints
      .filter((ep) => ep.eventTypes.includes(e.eventType))
      .map((ep) => ({ tenantId: input.tenantId, endpointId: ep.id, eventId: e.eventId, eventType: e.eventType, payload: e.payload, nextAttemptAt: now })),
  );
  const inserted = await insertWebhookDeliveries(tx, rows);
  await emitEvents(
    tx,
    inserted.map((d) => ({
      name: "herald/webhook-delivery.due" as const,
      data: { tenantId: input.tenantId, deliveryId: d.id, attempt: 0 },
      tenantId: input.tenantId,
    })),
  );
  return inserted.length;
}

// ---------------------------------------------------------------------------------------------
// The events

/** communication.sent.v1 / communication.failed.v1, from the row written with the terminal status. */
export function communicationOutboundEvent(row: CommunicationEvent): OutboundEvent {
  const env = row.payload as {
    meta?: { trace_id?: string; produced_at?: string };
    context?: Record<string, unknown>;
    data?: Record<string, unknown>;
    error?: Record<string, unknown> | null;
  };
  return {
    eventType: row.name,
    eventId: row.id,
    occurredAt: env.meta?.produced_at ? new Date(env.meta.produced_at) : row.createdAt,
    data: {
      message_id: row.messageId,
      ...(env.data ?? {}),
      error: env.error ?? null,
      trace_id: env.meta?.trace_id ?? null,
      context: env.context ?? {},
    },
  };
}

/** Enqueues deliveries for a communication event row (no-op without subscribed endpoints). */
export async function enqueueCommunicationEventWebhooks(tx: DbOrTx, row: CommunicationEvent): Promise<void> {
  await enqueueWebhookDeliveries(tx, { tenantId: row.tenantId, events: [communicationOutboundEvent(row)] });
}

const FAILED: MessageStatus[] = ["failed", "undelivered", "bounced"];

/**
 * The customer event for one applied provider event, or null when it changed nothing a
 * customer follows (a late `delivered`, an engagement on a failed message, `deferred`, …).
 * `status` is the message's status after the event; `transitionTo` is set when it moved.
 */
export function messageOutboundEvent(input: {
  row: Pick<WebhookEvent, "id" | "provider">;
  e: NormalizedEvent;
  message: Pick<Message, "id" | "channel" | "recipient" | "providerMessageId">;
  status: MessageStatus;
  transitionTo?: MessageStatus;
  counters?: { opens: number; clicks: number };
}): OutboundEvent | null {
  const { row, e, message, status, transitionTo } = input;
  let eventType: OutboundEventType | undefined;
  const extra: Record<string, unknown> = {};
  switch (e.type) {
    case "delivered":
      if (transitionTo === "delivered") eventType = "message.delivered.v1";
      break;
    case "bounced":
      if (transitionTo === "bounced") {
        eventType = "message.bounced.v1";
        Object.assign(extra, { bounce_type: e.bounceType ?? "hard", error_code: e.errorCode ?? null, reason: e.reason ?? null });
      }
      break;
    case "failed":
    case "dropped":
      if (transitionTo === "failed" || transitionTo === "undelivered") {
        eventType = "message.failed.v1";
        Object.assign(extra, { error_code: e.errorCode ?? e.type, reason: e.reason ?? e.providerEvent });
      }
      break;
    case "open":
      if (!FAILED.includes(status)) {
        eventType = "message.opened.v1";
        if (input.counters) extra.opens = input.counters.opens;
      }
      break;
    case "click":
      if (!FAILED.includes(status)) {
        eventType = "message.clicked.v1";
        Object.assign(extra, { url: e.url ?? null, ...(input.counters ? { clicks: input.counters.clicks } : {}) });
      }
      break;
    case "read":
      if (!FAILED.includes(status)) eventType = "message.read.v1";
      break;
    case "spam_report":
      eventType = "message.complained.v1";
      break;
    case "unsubscribe":
      eventType = "message.unsubscribed.v1";
      break;
    default:
      break;
  }
  if (!eventType) return null;
  return {
    eventType,
    eventId: row.id,
    occurredAt: e.occurredAt,
    data: {
      message_id: message.id,
      channel: message.channel,
      recipient: message.recipient,
      status,
      provider: row.provider,
      provider_message_id: message.providerMessageId ?? e.providerMessageId ?? null,
      provider_event: e.providerEvent,
      occurred_at: e.occurredAt.toISOString(),
      ...extra,
    },
  };
}

/** message.received.v1 for an inbound SMS / WhatsApp message stored as `messageId`. */
export function inboundOutboundEvent(input: { row: Pick<WebhookEvent, "id" | "provider">; e: NormalizedEvent; messageId: string }): OutboundEvent | null {
  const inbound = input.e.inbound;
  if (!inbound) return null;
  return {
    eventType: "message.received.v1",
    eventId: input.row.id,
    occurredAt: input.e.occurredAt,
    data: {
      message_id: input.messageId,
      channel: inbound.channel,
      from: inbound.from,
      to: inbound.to,
      text: inbound.text,
      ...(inbound.name ? { name: inbound.name } : {}),
      provider: input.row.provider,
      provider_message_id: input.e.providerMessageId ?? null,
      occurred_at: input.e.occurredAt.toISOString(),
    },
  };
}
