import { ownLookup } from "@/lib/own-lookup";
import { TWILIO_SIGNATURE_HEADER, verifyTwilioSignature } from "./verify-webhook";
import { WebhookRejected, type NormalizedEvent, type WebhookEventType } from "@/lib/webhooks/types";
import { formBody, formRecord, type WebhookProvider } from "@/lib/webhooks/webhook-provider";

const STATUS_TYPES: Record<string, WebhookEventType> = {
  sent: "sent",
  delivered: "delivered",
  undelivered: "failed",
  failed: "failed",
  read: "read",
};

export const twilioWebhook: WebhookProvider = {
  // Twilio reads the answer as TwiML: an empty <Response> does nothing.
  reply: () => new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { status: 200, headers: { "content-type": "text/xml" } }),
  verification: "hmac_sha1",
  verify(req) {
    const authToken = req.credentials.auth_token_ref;
    if (!authToken) throw new WebhookRejected(401, "The config has no Twilio auth token");
    const ok = verifyTwilioSignature({
      authToken,
      signature: req.headers.get(TWILIO_SIGNATURE_HEADER),
      url: req.publicUrl,
      contentType: req.headers.get("content-type"),
      rawBody: req.rawBody,
    });
    if (!ok) throw new WebhookRejected(401, "Invalid or missing X-Twilio-Signature");
  },
  parse(req) {
    const params = formBody(req.rawBody);
    const sid = params.get("MessageSid") ?? params.get("SmsSid");
    if (!sid) throw new WebhookRejected(400, "A Twilio messaging webhook has a MessageSid");
    const status = params.get("MessageStatus");
    const payload = formRecord(params);
    const now = new Date();
    // An incoming message (the number's messaging webhook) has no MessageStatus and SmsStatus=received.
    if (!status && (params.get("SmsStatus") ?? "received") === "received") {
      return [
        {
          eventKey: `${sid}:received`,
          type: "inbound",
          providerEvent: "received",
          occurredAt: now,
          providerMessageId: sid,
          recipient: params.get("From") ?? undefined,
          inbound: { from: params.get("From") ?? "", to: params.get("To"), text: params.get("Body") ?? "", channel: "sms" },
          payload,
        },
      ];
    }
    const type = status ? ownLookup(STATUS_TYPES, status) : undefined;
    if (!status || !type) return [];
    const event: NormalizedEvent = {
      eventKey: `${sid}:${status}`,
      type,
      providerEvent: status,
      occurredAt: now,
      providerMessageId: sid,
      recipient: params.get("To") ?? undefined,
      errorCode: params.get("ErrorCode") ?? undefined,
      payload,
    };
    if (status === "undelivered") event.reason = "undelivered";
    return [event];
  },
};
