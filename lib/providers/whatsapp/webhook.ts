import { ownLookup } from "@/lib/own-lookup";
import { safeEqual } from "@/lib/webhooks/hmac";
import { WHATSAPP_SIGNATURE_HEADER, verifyWhatsappSignature } from "./verify-webhook";
import { dateFromSeconds, heraldIdFrom, isRecord, strOf, WebhookRejected, type InboundMedia, type NormalizedEvent, type WebhookEventType } from "@/lib/webhooks/types";
import { jsonBody, type WebhookProvider } from "@/lib/webhooks/webhook-provider";

const STATUS_TYPES: Record<string, WebhookEventType> = { sent: "sent", delivered: "delivered", read: "read", failed: "failed" };

const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

const MEDIA_TYPES = new Set(["image", "video", "audio", "document", "sticker"]);

/** The file of an inbound media message (`image: {id, mime_type, sha256, caption}` …). */
function inboundMedia(m: Record<string, unknown>): InboundMedia | undefined {
  const type = strOf(m.type);
  if (!type || !MEDIA_TYPES.has(type) || !isRecord(m[type])) return undefined;
  const part = m[type] as Record<string, unknown>;
  const id = strOf(part.id);
  if (!id || !/^[A-Za-z0-9._-]{1,200}$/.test(id)) return undefined;
  return {
    providerMediaId: id,
    kind: type,
    ...(strOf(part.mime_type) ? { mimeType: strOf(part.mime_type)!.slice(0, 200) } : {}),
    ...(strOf(part.sha256) ? { sha256: strOf(part.sha256)!.slice(0, 200) } : {}),
    ...(strOf(part.filename) ? { filename: strOf(part.filename)!.slice(0, 255) } : {}),
    ...(strOf(part.caption) ? { caption: strOf(part.caption)!.slice(0, 4096) } : {}),
  };
}

function inboundText(m: Record<string, unknown>): string {
  const type = strOf(m.type) ?? "unknown";
  const part = isRecord(m[type]) ? (m[type] as Record<string, unknown>) : {};
  return strOf(part.body) ?? strOf(part.caption) ?? strOf(part.text) ?? `[${type}]`;
}

export const whatsappWebhook: WebhookProvider = {
  /** Meta's subscription check: echo hub.challenge only for the config's verify token. */
  challenge(q, credentials) {
    const challenge = q.get("hub.challenge");
    const token = q.get("hub.verify_token");
    if (q.get("hub.mode") !== "subscribe" || !challenge || !token) throw new WebhookRejected(403, "Not a subscription check");
    const expected = credentials.webhook_verify_token_ref;
    if (!expected || !safeEqual(expected, token)) throw new WebhookRejected(403, "The verify token does not match");
    return challenge;
  },
  verification: "hmac_sha256",
  verify(req) {
    const appSecret = req.credentials.app_secret_ref;
    if (!appSecret) throw new WebhookRejected(401, "The config has no WhatsApp app secret");
    if (!verifyWhatsappSignature({ appSecret, signature: req.headers.get(WHATSAPP_SIGNATURE_HEADER), rawBody: req.rawBody })) {
      throw new WebhookRejected(401, "Invalid or missing X-Hub-Signature-256");
    }
  },
  parse(req) {
    const body = jsonBody(req.rawBody);
    if (!isRecord(body) || !Array.isArray(body.entry)) throw new WebhookRejected(400, "A WhatsApp webhook body has entry[]");
    const out: NormalizedEvent[] = [];
    for (const entry of list(body.entry)) {
      for (const change of list(entry.changes)) {
        if (change.field !== "messages" || !isRecord(change.value)) continue;
        const value = change.value;
        const metadata = isRecord(value.metadata) ? value.metadata : {};
        for (const s of list(value.statuses)) {
          const id = strOf(s.id);
          const status = strOf(s.status);
          const type = status ? ownLookup(STATUS_TYPES, status) : undefined;
          if (!id || !status || !type) continue;
          const error = list(s.errors)[0];
          out.push({
            eventKey: `${id}:${status}`,
            type,
            providerEvent: status,
            occurredAt: dateFromSeconds(s.timestamp),
            heraldMessageId: heraldIdFrom(s.biz_opaque_callback_data),
            providerMessageId: id,
            recipient: strOf(s.recipient_id),
            errorCode: strOf(error?.code),
            reason: strOf(isRecord(error?.error_data) ? error.error_data.details : undefined) ?? strOf(error?.title),
            payload: s,
          });
        }
        const contacts = list(value.contacts);
        for (const m of list(value.messages)) {
          const id = strOf(m.id);
          const from = strOf(m.from);
          if (!id || !from) continue;
          const contact = contacts.find((c) => strOf(c.wa_id) === from) ?? contacts[0];
          const profile = isRecord(contact?.profile) ? contact.profile : {};
          const media = inboundMedia(m);
          out.push({
            eventKey: id,
            type: "inbound",
            providerEvent: `message:${strOf(m.type) ?? "unknown"}`,
            occurredAt: dateFromSeconds(m.timestamp),
            providerMessageId: id,
            recipient: `+${from.replace(/^\+/, "")}`,
            inbound: {
              from: `+${from.replace(/^\+/, "")}`,
              to: strOf(metadata.display_phone_number) ?? null,
              text: inboundText(m),
              name: strOf(profile.name),
              channel: "whatsapp",
              ...(media ? { media } : {}),
            },
            payload: { ...m, ...(contact ? { contact } : {}) },
          });
        }
      }
    }
    return out;
  },
};
