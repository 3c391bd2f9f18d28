import { verifyCallbackToken } from "@/lib/providers/configs";
import { dateFromSeconds, heraldIdFrom, isRecord, strOf, WebhookRejected, type NormalizedEvent, type WebhookEventType } from "../types";
import { formBody, formRecord, jsonBody, type IncomingWebhook, type WebhookProvider } from "./types";

// 46elks and Infobip sign nothing: the unguessable per-config token in the callback URL is the credential.
async function verifyToken(req: IncomingWebhook) {
  if (!(await verifyCallbackToken(req.config, req.token))) throw new WebhookRejected(401, "Missing or wrong callback token");
}

const ELKS_STATUS: Record<string, WebhookEventType> = { sent: "sent", delivered: "delivered", failed: "failed" };

/** "2024-01-02 03:04:05.678" (UTC, 46elks' format) or ISO. */
function elksTime(v: string | null): Date {
  if (!v) return new Date();
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(" ", "T")}Z`);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

export const elksWebhook: WebhookProvider = {
  verification: "callback_token",
  verify: verifyToken,
  parse(req) {
    const params = formBody(req.rawBody);
    const id = params.get("id");
    if (!id) throw new WebhookRejected(400, "A 46elks callback has an id");
    const payload = formRecord(params);
    if (params.get("direction") === "incoming") {
      const from = params.get("from") ?? "";
      return [
        {
          eventKey: id,
          type: "inbound",
          providerEvent: "incoming",
          occurredAt: elksTime(params.get("created")),
          providerMessageId: id,
          recipient: from,
          inbound: { from, to: params.get("to"), text: params.get("message") ?? "", channel: "sms" },
          payload,
        },
      ];
    }
    const status = params.get("status") ?? "";
    const type = ELKS_STATUS[status];
    if (!type) return [];
    return [
      {
        eventKey: `${id}:${status}`,
        type,
        providerEvent: status,
        occurredAt: elksTime(params.get("delivered")),
        providerMessageId: id,
        payload,
      },
    ];
  },
};

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
  verify: verifyToken,
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
