import { TWILIO_SIGNATURE_HEADER, verifyTwilioSignature } from "../verify/twilio";
import { WebhookRejected, type NormalizedEvent, type WebhookEventType } from "../types";
import { formBody, formRecord, type WebhookProvider } from "./types";

const STATUS_TYPES: Record<string, WebhookEventType> = {
  sent: "sent",
  delivered: "delivered",
  undelivered: "failed",
  failed: "failed",
  read: "read",
};

export const twilioWebhook: WebhookProvider = {
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
    const type = status ? STATUS_TYPES[status] : undefined;
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
