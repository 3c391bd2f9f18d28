import { ownLookup } from "@/lib/own-lookup";
import { createHash } from "node:crypto";
import { isFreshTimestamp } from "@/lib/webhooks/hmac";
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, verifySendgridSignature } from "./verify-webhook";
import { dateFromSeconds, heraldIdFrom, isRecord, strOf, WebhookRejected, type NormalizedEvent, type WebhookEventType } from "@/lib/webhooks/types";
import { jsonBody, type WebhookProvider } from "@/lib/webhooks/webhook-provider";

const TYPES: Record<string, WebhookEventType> = {
  processed: "accepted",
  delivered: "delivered",
  deferred: "deferred",
  bounce: "bounced",
  dropped: "dropped",
  open: "open",
  click: "click",
  spamreport: "spam_report",
  unsubscribe: "unsubscribe",
  group_unsubscribe: "unsubscribe",
};

export const sendgridWebhook: WebhookProvider = {
  verification: "ecdsa_p256",
  verify(req) {
    const publicKey = req.credentials.webhook_signing_key_ref;
    if (!publicKey) throw new WebhookRejected(401, "The config has no event webhook verification key");
    const timestamp = req.headers.get(SENDGRID_TIMESTAMP_HEADER);
    const ok = verifySendgridSignature({ publicKey, signature: req.headers.get(SENDGRID_SIGNATURE_HEADER), timestamp, rawBody: req.rawBody });
    if (!ok) throw new WebhookRejected(401, "Invalid or missing SendGrid event webhook signature");
    if (!isFreshTimestamp(timestamp, req.now)) throw new WebhookRejected(401, "The SendGrid webhook timestamp is older than 5 minutes");
  },
  parse(req) {
    const body = jsonBody(req.rawBody);
    if (!Array.isArray(body)) throw new WebhookRejected(400, "A SendGrid event webhook body is a JSON array");
    const out: NormalizedEvent[] = [];
    for (const e of body) {
      if (!isRecord(e)) continue;
      const name = strOf(e.event) ?? "";
      const type = ownLookup(TYPES, name);
      if (!type) continue;
      const sgMessageId = strOf(e.sg_message_id);
      out.push({
        eventKey: strOf(e.sg_event_id)?.slice(0, 100) ?? `sha256:${createHash("sha256").update(JSON.stringify(e)).digest("base64url")}`,
        type,
        providerEvent: name === "bounce" ? `bounce:${strOf(e.type) ?? "bounce"}` : name,
        occurredAt: dateFromSeconds(e.timestamp),
        heraldMessageId: heraldIdFrom(e.herald_message_id) ?? heraldIdFrom(e.idempotency_key),
        // sg_message_id is the X-Message-Id followed by ".filter…"; absent on some async bounces.
        providerMessageId: sgMessageId?.split(".")[0],
        recipient: strOf(e.email),
        url: type === "click" ? strOf(e.url) : undefined,
        bounceType: type === "bounced" ? (strOf(e.type) === "blocked" ? "block" : "hard") : undefined,
        errorCode: strOf(e.status),
        reason: strOf(e.reason) ?? strOf(e.response),
        payload: e,
      });
    }
    return out;
  },
};
