// Cancelling a scheduled send before its send_at: the message ends `cancelled`, and its
// communication.cancelled.v1 goes out like every other outcome (RabbitMQ and webhook endpoints).
import { getDb } from "@/db";
import { findMessage } from "@/db/queries/messages";
import { cancelScheduledMessage } from "@/db/queries/scheduled-messages";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { wakeBrokerOutbox } from "@/lib/broker/outbox-publisher";
import { enqueueCommunicationEventWebhooks } from "@/lib/outbound-webhooks/enqueue";
import type { TenantContext } from "@/lib/tenancy/context";
import { cancelledEnvelope, communicationExchange } from "./communication-events";
import { getMessage } from "./messages";

/** Cancels one scheduled message (404 unknown; an already cancelled one answers as it is; 409 once it is on its way). */
export async function cancelMessage(ctx: TenantContext, id: string) {
  const db = getDb();
  const current = await findMessage(db, { tenantId: ctx.tenantId, id });
  if (!current) throw ApiError.notFound("Message");
  const at = new Date();
  const cancelled = await db.transaction(async (tx) => {
    const m = await cancelScheduledMessage(tx, {
      tenantId: ctx.tenantId,
      id,
      reason: "cancelled before send_at",
      at,
      event: (m) => ({
        name: "communication.cancelled.v1",
        exchange: communicationExchange(),
        routingKey: "communication.cancelled.v1",
        payload: cancelledEnvelope(m, { cancelledAt: at, reason: "cancelled" }),
      }),
      afterEvent: enqueueCommunicationEventWebhooks,
    });
    if (m) await recordAudit(tx, ctx, { action: "message.cancelled", targetType: "message", targetId: id, details: { send_at: m.sendAt?.toISOString() ?? null } });
    return m;
  });
  if (!cancelled) {
    const now = (await findMessage(db, { tenantId: ctx.tenantId, id }))?.status ?? current.status;
    if (now === "cancelled") return getMessage(ctx, id);
    throw ApiError.conflict(`Only a scheduled message can be cancelled; this one is ${now}.`, { status: now });
  }
  wakeBrokerOutbox("communication_event");
  return getMessage(ctx, id);
}
