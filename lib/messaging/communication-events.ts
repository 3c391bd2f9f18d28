// communication.sent.v1 / .failed.v1 / .cancelled.v1: the envelope, and publishing it from the outbox to RabbitMQ.
import { getDb } from "@/db";
import { claimCommunicationEvents } from "@/db/queries/broker-outbox";
import type { CommunicationEvent } from "@/db/schema/communication-events";
import type { Message } from "@/db/schema/messages";
import type { OutboxSource } from "@/lib/broker/outbox-publisher";
import { assertExchange, assertQueue, publishBatch } from "@/lib/broker/rabbitmq";

export const PRODUCER_SERVICE = "communication-service";

/** The error codes a communication.failed.v1 carries. */
export const commErrorCodes = [
  "COMM_PROVIDER_REJECTION",
  "COMM_RATE_LIMITED",
  "COMM_INVALID_RECIPIENT",
  "COMM_NO_ROUTE",
  "COMM_PROVIDER_UNAVAILABLE",
  "COMM_PROVIDER_AUTH",
  "COMM_DEVICE_UNREGISTERED",
  /** Herald itself could not finish the delivery (its run failed for good, or it outlived its deadline). */
  "COMM_INTERNAL",
  // Refused at acceptance: what an HTTP send answers 422 for, recorded as a failed message when
  // the send came from the bus, so the action's loop closes (lib/bus/refusals.ts).
  "COMM_SUPPRESSED",
  "COMM_UNSUBSCRIBED",
  "COMM_NO_ADDRESS",
] as const;
export type CommErrorCode = (typeof commErrorCodes)[number];

export function communicationExchange(): string {
  return process.env.HERALD_COMMUNICATION_EXCHANGE || "communication";
}

export function communicationDlq(): string {
  return process.env.HERALD_COMMUNICATION_DLQ || "dlq.communication";
}

/** HERALD_BROKER=off without a RABBITMQ_URL: no broker; events stay in the outbox, shown in the UI. */
export function brokerConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.HERALD_BROKER === "off" && !env.RABBITMQ_URL);
}

type EnvelopeMessage = Pick<Message, "id" | "channel" | "recipient" | "templateId" | "actionId" | "context" | "traceId" | "createdAt">;

function baseEnvelope(message: EnvelopeMessage, at: Date) {
  return {
    meta: {
      trace_id: message.traceId,
      producer_service: PRODUCER_SERVICE,
      produced_at: at.toISOString(),
      process_ms: Math.max(0, at.getTime() - message.createdAt.getTime()),
    },
    // Passed through untouched from the send request.
    context: message.context ?? {},
  };
}

function commonData(message: EnvelopeMessage) {
  return {
    ...(message.actionId ? { action_id: message.actionId } : {}),
    channel: message.channel,
    recipient: message.recipient,
    ...(message.templateId ? { template_id: message.templateId } : {}),
  };
}

export function sentEnvelope(
  message: EnvelopeMessage,
  sent: { provider: string; providerMessageId: string; sentAt: Date; attempt: number },
) {
  return {
    event: "communication.sent.v1" as const,
    ...baseEnvelope(message, sent.sentAt),
    data: {
      ...commonData(message),
      provider: sent.provider,
      provider_message_id: sent.providerMessageId,
      sent_at: sent.sentAt.toISOString(),
      attempt: sent.attempt,
    },
    error: null,
  };
}

export function failedEnvelope(
  message: EnvelopeMessage,
  failed: { provider: string | null; attempt: number; failedAt: Date; code: CommErrorCode; message: string; retryable: boolean },
) {
  return {
    event: "communication.failed.v1" as const,
    ...baseEnvelope(message, failed.failedAt),
    data: {
      ...commonData(message),
      ...(failed.provider ? { provider: failed.provider } : {}),
      attempt: failed.attempt,
    },
    error: {
      failed_stage: "communication",
      error_code: failed.code,
      error_message: failed.message,
      failed_at: failed.failedAt.toISOString(),
      retryable: failed.retryable,
    },
  };
}

/** A scheduled send withdrawn before it went (POST /api/v1/messages/{id}/cancel, or its reminder cancelled). */
export function cancelledEnvelope(message: EnvelopeMessage & { sendAt: Date | null }, cancelled: { cancelledAt: Date; reason: string }) {
  return {
    event: "communication.cancelled.v1" as const,
    ...baseEnvelope(message, cancelled.cancelledAt),
    data: {
      ...commonData(message),
      send_at: message.sendAt?.toISOString() ?? null,
      cancelled_at: cancelled.cancelledAt.toISOString(),
      reason: cancelled.reason,
    },
    error: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Publishing (through the broker outbox, lib/broker/outbox-publisher.ts)

/** Failed publishes retry with backoff for about 4 minutes, then go to the dead-letter queue. */
export const COMMUNICATION_PUBLISH_BUDGET_MS = 4 * 60_000;

function headersOf(row: CommunicationEvent) {
  return { tenant_id: row.tenantId, message_id: row.messageId };
}

/**
 * communication.* envelopes to the topic exchange configured when the event was recorded (so a
 * config change can't split a stream). Past the budget, or on a broker nack, a copy goes to the
 * dead-letter queue; when the broker can't take that either, the row itself is the dead letter
 * (Dead letters page: replay).
 */
export const communicationEventSource: OutboxSource<CommunicationEvent> = {
  kind: "communication_event",
  budgetMs: COMMUNICATION_PUBLISH_BUDGET_MS,
  claim: (opts) => claimCommunicationEvents(getDb(), opts),
  prepare: async (rows) => {
    for (const exchange of new Set(rows.map((r) => r.exchange ?? communicationExchange()))) await assertExchange(exchange, "topic");
  },
  message: (row) => ({
    exchange: row.exchange ?? communicationExchange(),
    routingKey: row.routingKey,
    body: row.payload,
    options: { messageId: row.id, type: row.name, correlationId: row.messageId, headers: headersOf(row) },
  }),
  onDeadLettered: async (rows, reason) => {
    await assertQueue(communicationDlq());
    const outcomes = await publishBatch(
      rows.map((row) => ({
        exchange: "",
        routingKey: communicationDlq(),
        body: row.payload,
        options: {
          messageId: row.id,
          type: row.name,
          correlationId: row.messageId,
          headers: {
            ...headersOf(row),
            "x-original-exchange": row.exchange ?? communicationExchange(),
            "x-original-routing-key": row.routingKey,
            "x-dead-letter-reason": reason.slice(0, 200),
          },
        },
      })),
    );
    const missed = rows.filter((_, i) => !outcomes[i]!.ok);
    if (missed.length > 0) throw new Error(`the dead-letter queue took ${rows.length - missed.length} of ${rows.length}`);
  },
};
