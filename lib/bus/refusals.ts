// A valid action the send checks refuse (no route, suppressed or unsubscribed recipient, no
// address): the HTTP API answers 422 and stores nothing, but an action on the bus is waiting for
// its answer. Herald records it as a message that failed at once, with its communication.failed.v1.
import { createHash, randomUUID } from "node:crypto";
import { getDb } from "@/db";
import { finishMessage } from "@/db/queries/message-delivery";
import { insertMessages, insertStatusHistory } from "@/db/queries/messages";
import type { NewMessage } from "@/db/schema/messages";
import type { ApiError } from "@/lib/api/errors";
import { communicationExchange, commErrorCodes, failedEnvelope, type CommErrorCode } from "@/lib/messaging/communication-events";
import { newTraceId } from "@/lib/messaging/send-message";
import { enqueueCommunicationEventWebhooks } from "@/lib/outbound-webhooks/enqueue";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ActionEnvelope } from "@/lib/validations/bus";
import { actionIdempotencyKey } from "./action-envelope";

export interface Refusal {
  envelope: ActionEnvelope;
  /** The unified send body the action mapped to. */
  body: Record<string, unknown>;
  error: ApiError;
}

/**
 * The request hash of a recorded refusal. It can never equal a send's fingerprint, so the send
 * path sees the key as taken by another request; the consumer then recognises its own refusal by
 * this hash (a redelivery) and refuses anything else under the same action id as a reused key.
 */
export function refusalHash(body: Record<string, unknown>): string {
  return `refused:${createHash("sha256").update(JSON.stringify(body)).digest("hex")}`;
}

function codeOf(err: ApiError): CommErrorCode {
  return (commErrorCodes as readonly string[]).includes(err.code) ? (err.code as CommErrorCode) : "COMM_INVALID_RECIPIENT";
}

function recipientLabel(recipient: ActionEnvelope["data"]["recipient"]): string {
  if (typeof recipient === "string") return recipient;
  return "contact_id" in recipient ? `contact:${recipient.contact_id}` : `external_id:${recipient.external_id}`;
}

/**
 * One transaction: the messages (a key already taken — a redelivery — is skipped), then for each
 * inserted one the terminal failed transition with its event, usage and outbound webhooks, through
 * the same conditional write as every delivery outcome. Returns how many were recorded.
 */
export async function recordRefusals(ctx: TenantContext, refusals: Refusal[], traceIds: (string | undefined)[]): Promise<number> {
  if (refusals.length === 0) return 0;
  const at = new Date();
  const rows = refusals.map((r, i) => {
    const d = r.envelope.data;
    const id = randomUUID();
    const { context: _context, idempotency_key: _key, action_id: _action, channel: _channel, ...payload } = r.body;
    const row: NewMessage & { id: string } = {
      id,
      tenantId: ctx.tenantId,
      channel: d.channel,
      status: "queued",
      route: [],
      recipient: recipientLabel(d.recipient).slice(0, 320),
      // A contact Herald refused for its subscription exists; a reference that did not resolve has no row.
      contactId: typeof d.recipient === "object" && "contact_id" in d.recipient && r.error.code === "COMM_UNSUBSCRIBED" ? d.recipient.contact_id : null,
      payload,
      templateId: d.template_id,
      idempotencyKey: actionIdempotencyKey(d.action_id),
      requestHash: refusalHash(r.body),
      actionId: d.action_id,
      context: r.envelope.context ?? null,
      traceId: traceIds[i] ?? newTraceId(),
      providerReference: `hm_${id}`,
      createdAt: at,
    };
    return { row, refusal: r };
  });
  return getDb().transaction(async (tx) => {
    const inserted = new Set((await insertMessages(tx, rows.map((r) => r.row))).map((m) => m.id));
    const fresh = rows.filter((r) => inserted.has(r.row.id));
    await insertStatusHistory(
      tx,
      fresh.map(({ row }) => ({ messageId: row.id, tenantId: ctx.tenantId, fromStatus: null, toStatus: "queued" as const, reason: "accepted from the bus" })),
    );
    for (const { row, refusal } of fresh) {
      const code = codeOf(refusal.error);
      const message = { ...row, contactId: row.contactId ?? null, templateId: row.templateId ?? null, actionId: row.actionId ?? null, context: row.context ?? null, createdAt: at };
      await finishMessage(tx, {
        tenantId: ctx.tenantId,
        messageId: row.id,
        fromStatus: "queued",
        toStatus: "failed",
        reason: `${refusal.error.code}: ${refusal.error.message}`,
        attempt: null,
        countsAsCall: false,
        message: { errorCode: code, errorMessage: refusal.error.message.slice(0, 1000), retryable: false },
        at,
        event: (attemptCount) => ({
          name: "communication.failed.v1",
          exchange: communicationExchange(),
          routingKey: "communication.failed.v1",
          payload: failedEnvelope(message, { provider: null, attempt: attemptCount, failedAt: at, code, message: refusal.error.message, retryable: false }),
        }),
        usage: { tenantId: ctx.tenantId, configId: null, provider: null, channel: row.channel, at, failed: 1 },
        afterEvent: enqueueCommunicationEventWebhooks,
      });
    }
    return fresh.length;
  });
}
