// 46elks delivery reports and inbound SMS (form posts to the config's `?token=` callback URL).
import { ownLookup } from "@/lib/own-lookup";
import { verifyCallbackTokenOf } from "@/lib/webhooks/callback-token";
import { WebhookRejected, type WebhookEventType } from "@/lib/webhooks/types";
import { formBody, formRecord, type WebhookProvider } from "@/lib/webhooks/webhook-provider";

const ELKS_STATUS: Record<string, WebhookEventType> = { sent: "sent", delivered: "delivered", failed: "failed" };

/** "2024-01-02 03:04:05.678" (UTC, 46elks' format) or ISO. */
function elksTime(v: string | null): Date {
  if (!v) return new Date();
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(" ", "T")}Z`);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

export const elksWebhook: WebhookProvider = {
  verification: "callback_token",
  verify: verifyCallbackTokenOf,
  // A reply body would be sent back to the sender as an SMS: answer with no content.
  reply: () => new Response(null, { status: 204 }),
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
    const type = ownLookup(ELKS_STATUS, status);
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
