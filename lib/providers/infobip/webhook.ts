// Infobip delivery reports (JSON posts to the config's `?token=` callback URL).
import { verifyCallbackTokenOf } from "@/lib/webhooks/callback-token";
import { dateFromSeconds, heraldIdFrom, isRecord, strOf, WebhookRejected, type NormalizedEvent, type WebhookEventType } from "@/lib/webhooks/types";
import { jsonBody, type WebhookProvider } from "@/lib/webhooks/webhook-provider";

/** Infobip status groups: 1 PENDING, 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED, 5 REJECTED. */
function infobipType(status: Record<string, unknown>): WebhookEventType | undefined {
  const group = Number(status.groupId);
  const name = strOf(status.name) ?? "";
  if (group === 3) return name === "DELIVERED_TO_HANDSET" || Number(status.id) === 5 ? "delivered" : "sent";
  if (group === 1) return "sent";
  if (group === 2 || group === 4 || group === 5) return "failed";
  return undefined;
}

export const infobipWebhook: WebhookProvider = {
  verification: "callback_token",
  verify: verifyCallbackTokenOf,
  parse(req) {
    const body = jsonBody(req.rawBody);
    if (!isRecord(body) || !Array.isArray(body.results)) throw new WebhookRejected(400, "An Infobip report body has results[]");
    const out: NormalizedEvent[] = [];
    for (const r of body.results) {
      if (!isRecord(r)) continue;
      const messageId = strOf(r.messageId);
      const status = isRecord(r.status) ? r.status : undefined;
      const type = status ? infobipType(status) : undefined;
      if (!messageId || !status || !type) continue;
      const error = isRecord(r.error) ? r.error : {};
      const price = isRecord(r.price) ? r.price : {};
      const parts = Number(r.smsCount ?? r.messageCount);
      const perMessage = Number(price.pricePerMessage);
      const done = strOf(r.doneAt);
      out.push({
        eventKey: `${messageId}:${strOf(status.id) ?? strOf(status.name)}`,
        type,
        providerEvent: strOf(status.name) ?? "unknown",
        occurredAt: done && !Number.isNaN(Date.parse(done.replace(/\+0000$/, "Z"))) ? new Date(done.replace(/\+0000$/, "Z")) : dateFromSeconds(undefined),
        heraldMessageId: heraldIdFrom(r.callbackData) ?? heraldIdFrom(messageId),
        providerMessageId: messageId,
        recipient: strOf(r.to),
        errorCode: Number(error.id) ? (strOf(error.name) ?? strOf(error.id)) : undefined,
        reason: Number(error.id) ? strOf(error.description) : undefined,
        ...(Number.isFinite(parts) && parts > 0 ? { segments: parts } : {}),
        ...(Number.isFinite(perMessage) && strOf(price.currency)
          ? { cost: { amount: perMessage * (Number.isFinite(parts) && parts > 0 ? parts : 1), currency: strOf(price.currency)! } }
          : {}),
        payload: r,
      });
    }
    return out;
  },
};
