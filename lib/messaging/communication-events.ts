// communication.sent.v1 / communication.failed.v1: the envelope, and publishing it from the outbox to RabbitMQ.
import { getDb } from "@/db";
import {
  findCommunicationEvent,
  markCommunicationEventPublished,
  recordCommunicationEventFailure,
} from "@/db/queries/message-delivery";
import type { CommunicationEvent } from "@/db/schema/communication-events";
import type { Message } from "@/db/schema/messages";
import { assertExchange, BrokerError, publishToExchange, publishToQueue } from "@/lib/broker/rabbitmq";
import { emitEvent } from "@/lib/jobs/emit";
import { logger } from "@/lib/logger";

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

// ---------------------------------------------------------------------------------------------
// Publishing

/** How many times the publish workflow retries (1 s, 2 s, 4 s … ≈ 4 minutes) before dead-lettering. */
export const PUBLISH_RETRIES = 8;

export type PublishOutcome = "published" | "already_published" | "held" | "dead_lettered" | "failed" | "missing";

/** A broker nack (as opposed to an outage): the message will never be taken; dead-letter at once. */
function isNack(err: unknown): boolean {
  return err instanceof BrokerError && /rejected the message|could not route/i.test(err.message);
}

async function publishEnvelope(row: CommunicationEvent, exchange: string): Promise<void> {
  await assertExchange(exchange, "topic");
  await publishToExchange(exchange, row.routingKey, row.payload, {
    messageId: row.id,
    type: row.name,
    correlationId: row.messageId,
    headers: { tenant_id: row.tenantId, message_id: row.messageId },
  });
}

async function deadLetter(row: CommunicationEvent, exchange: string, reason: string): Promise<string> {
  try {
    await publishToQueue(communicationDlq(), row.payload, {
      messageId: row.id,
      type: row.name,
      correlationId: row.messageId,
      headers: {
        tenant_id: row.tenantId,
        message_id: row.messageId,
        "x-original-exchange": exchange,
        "x-original-routing-key": row.routingKey,
        "x-dead-letter-reason": reason.slice(0, 200),
      },
    });
    return reason;
  } catch (err) {
    // The broker is down for the DLQ too: the row itself is the dead letter (UI: retry).
    return `${reason}; the dead-letter queue was unreachable too (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * Publishes one outbox row (persistent, confirmed) unless it is already published. Returns what
 * happened. An outage either throws (`throwOnOutage`, for the retrying workflow) or is recorded
 * and returned as "failed"; `final` dead-letters instead. Consumers dedupe on the AMQP message
 * id (= event id): a crash between the broker's confirm and the row update republishes once.
 */
export async function publishCommunicationEvent(input: {
  tenantId: string;
  eventId: string;
  final?: boolean;
  throwOnOutage?: boolean;
  /** The row as just written (saves the read); re-read otherwise. */
  row?: CommunicationEvent;
}): Promise<PublishOutcome> {
  const db = getDb();
  const row = input.row ?? (await findCommunicationEvent(db, { tenantId: input.tenantId, id: input.eventId }));
  if (!row) return "missing";
  if (row.status === "published") return "already_published";
  if (!brokerConfigured()) return "held";
  // The exchange configured when the event was recorded, so a config change can't split a stream.
  const exchange = row.exchange ?? communicationExchange();
  try {
    await publishEnvelope(row, exchange);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isNack(err) || input.final) {
      const reason = await deadLetter(row, exchange, isNack(err) ? `broker nack: ${message}` : `retries exhausted: ${message}`);
      await recordCommunicationEventFailure(db, { tenantId: row.tenantId, id: row.id, error: reason, deadLetter: true });
      logger.warn({ eventId: row.id, messageId: row.messageId, reason }, "communication event dead-lettered");
      return "dead_lettered";
    }
    await recordCommunicationEventFailure(db, { tenantId: row.tenantId, id: row.id, error: message, deadLetter: false });
    if (input.throwOnOutage) throw err;
    return "failed";
  }
  await markCommunicationEventPublished(db, { tenantId: row.tenantId, id: row.id, exchange });
  return "published";
}

/**
 * The delivery workflow's fast path: publish inline right after the terminal commit. When the
 * broker is down, hand the row to the publish workflow, which retries with backoff.
 */
export async function publishOrHandOff(input: { tenantId: string; eventId: string; row?: CommunicationEvent }): Promise<PublishOutcome> {
  const outcome = await publishCommunicationEvent(input);
  if (outcome === "failed") {
    await emitEvent(
      "herald/communication-event.publish",
      { tenantId: input.tenantId, eventId: input.eventId },
      { tenantId: input.tenantId, id: input.eventId },
    );
  }
  return outcome;
}
