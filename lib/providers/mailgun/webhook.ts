import { isFreshTimestamp } from "@/lib/webhooks/hmac";
import { verifyMailgunSignature } from "./verify-webhook";
import { dateFromSeconds, heraldIdFrom, isRecord, strOf, WebhookRejected, type NormalizedEvent, type WebhookEventType } from "@/lib/webhooks/types";
import { jsonBody, type WebhookProvider } from "@/lib/webhooks/webhook-provider";

function classify(data: Record<string, unknown>): Pick<NormalizedEvent, "type" | "bounceType"> | undefined {
  const event = strOf(data.event);
  switch (event) {
    case "accepted":
      return { type: "accepted" };
    case "delivered":
      return { type: "delivered" };
    case "opened":
      return { type: "open" };
    case "clicked":
      return { type: "click" };
    case "unsubscribed":
      return { type: "unsubscribe" };
    case "complained":
      return { type: "spam_report" };
    case "rejected":
      return { type: "dropped" };
    case "failed": {
      if (strOf(data.severity) === "temporary") return { type: "deferred", bounceType: "soft" };
      const reason = strOf(data.reason);
      if (reason === "bounce") return { type: "bounced", bounceType: "hard" };
      if (reason === "suppress-bounce" || reason === "suppress-complaint" || reason === "suppress-unsubscribe") return { type: "bounced", bounceType: "block" };
      if (reason === "old") return { type: "dropped" };
      return { type: "failed" as WebhookEventType };
    }
    default:
      return undefined;
  }
}

export const mailgunWebhook: WebhookProvider = {
  verification: "hmac_sha256",
  verify(req) {
    const signingKey = req.credentials.webhook_signing_key_ref;
    if (!signingKey) throw new WebhookRejected(401, "The config has no Mailgun webhook signing key");
    // The signature lives inside the JSON body: parse only to read it, act on nothing before it checks out.
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      throw new WebhookRejected(401, "Missing Mailgun signature");
    }
    const sig = isRecord(body) && isRecord(body.signature) ? body.signature : {};
    if (!verifyMailgunSignature({ signingKey, timestamp: sig.timestamp, token: sig.token, signature: sig.signature })) {
      throw new WebhookRejected(401, "Invalid or missing Mailgun webhook signature");
    }
    if (!isFreshTimestamp(sig.timestamp as string, req.now)) throw new WebhookRejected(401, "The Mailgun webhook timestamp is older than 5 minutes");
    // Mailgun signs timestamp + token only, never the event-data: the token must be single-use.
    return { replayNonce: { nonce: `${sig.timestamp as string}.${sig.token as string}`, signedAt: new Date(Number(sig.timestamp) * 1000) } };
  },
  parse(req) {
    const body = jsonBody(req.rawBody);
    const data = isRecord(body) && isRecord(body["event-data"]) ? body["event-data"] : undefined;
    if (!data) throw new WebhookRejected(400, "A Mailgun webhook body has event-data");
    const kind = classify(data);
    const id = strOf(data.id);
    if (!kind || !id) return [];
    const vars = isRecord(data["user-variables"]) ? data["user-variables"] : {};
    const headers = isRecord(data.message) && isRecord(data.message.headers) ? data.message.headers : {};
    const status = isRecord(data["delivery-status"]) ? data["delivery-status"] : {};
    return [
      {
        eventKey: id,
        ...kind,
        providerEvent: strOf(data.severity) ? `${strOf(data.event)}:${strOf(data.severity)}` : (strOf(data.event) ?? "unknown"),
        occurredAt: dateFromSeconds(data.timestamp),
        heraldMessageId: heraldIdFrom(vars.herald_message_id) ?? heraldIdFrom(vars.idempotency_key),
        providerMessageId: strOf(headers["message-id"])?.replace(/^<|>$/g, ""),
        recipient: strOf(data.recipient),
        url: kind.type === "click" ? strOf(data.url) : undefined,
        errorCode: strOf(status.code),
        reason: strOf(status.message) ?? strOf(status.description) ?? strOf(data.reason),
        payload: data,
      },
    ];
  },
};
