// WhatsApp Cloud API (Graph) messages + signed status and inbound-message webhooks.
import { randomBytes } from "node:crypto";
import { isRecord, json, nowSeconds, type SimRequest, type SimResponse } from "../http";
import {
  injectFailure,
  requireWebhookUrl,
  UnsupportedEvent,
  type ErrorShapes,
  type ProviderModule,
  type SimContext,
} from "../provider";
import { signWhatsapp } from "../signing";
import type { SentMessage, TriggerEventInput, WebhookDelivery, WhatsappAccount } from "../types";

const graphError = (status: number, code: number, message: string, type = "OAuthException", details?: string): SimResponse =>
  json(status, {
    error: {
      message,
      type,
      code,
      ...(details ? { error_data: { messaging_product: "whatsapp", details } } : {}),
      fbtrace_id: randomBytes(12).toString("base64url"),
    },
  });

const errors: ErrorShapes = {
  auth: () => graphError(401, 190, "Invalid OAuth access token - Cannot parse access token"),
  rateLimit: () => graphError(429, 130429, "(#130429) Rate limit hit", "OAuthException", "Cloud API message throughput has been reached."),
  serverError: (status) =>
    status === 503
      ? graphError(503, 2, "Service temporarily unavailable")
      : graphError(status, 1, "An unknown error has occurred."),
  invalidRecipient: () =>
    graphError(400, 131030, "(#131030) Recipient phone number not in allowed list", "OAuthException", "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."),
};

const missing = (param: string) => graphError(400, 100, `(#100) The parameter ${param} is required.`);
const wamid = () => `wamid.${randomBytes(24).toString("base64")}`;

async function send(req: SimRequest, ctx: SimContext, phoneNumberId: string): Promise<SimResponse> {
  const token = req.authToken("Bearer");
  const account = token ? ctx.state.findAccount("whatsapp", (a) => a.accessToken === token) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  if (account.phoneNumberId !== phoneNumberId) {
    return graphError(400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, "GraphMethodException");
  }
  const body = req.json();
  req.meta.body = body ?? req.rawBody.toString("utf8");
  if (!isRecord(body)) return graphError(400, 100, "(#100) Invalid parameter");
  if (body.messaging_product !== "whatsapp") return missing("messaging_product");
  if (typeof body.to !== "string" || !body.to) return missing("to");
  const type = typeof body.type === "string" ? body.type : "text";
  if (type === "text" && !(isRecord(body.text) && typeof body.text.body === "string")) return missing("text['body']");
  if (type === "template") {
    const t = body.template;
    if (!isRecord(t) || typeof t.name !== "string") return missing("template['name']");
    if (!isRecord(t.language) || typeof t.language.code !== "string") return missing("template['language']");
  }
  const to = body.to;
  req.meta.recipients = [to];
  req.meta.idempotencyRef = typeof body.biz_opaque_callback_data === "string" ? body.biz_opaque_callback_data : null;
  const failure = injectFailure(req, ctx, errors, [to]);
  if (failure) return failure.response;

  const id = wamid();
  const message: SentMessage = {
    id,
    provider: "whatsapp",
    accountId: account.id,
    recipients: [to],
    createdAt: new Date().toISOString(),
    meta: { type, bizOpaque: req.meta.idempotencyRef },
  };
  ctx.state.saveMessage(message);
  req.meta.messageIds = [id];
  if (ctx.state.shouldAutoDeliver(account.id) && account.webhookUrl) {
    ctx.webhooks.schedule(ctx.webhookDelayMs, async () => {
      await postStatus(account, message, { messageId: id, event: "sent" }, ctx);
      await postStatus(account, message, { messageId: id, event: "delivered" }, ctx);
    });
  }
  return json(200, {
    messaging_product: "whatsapp",
    contacts: [{ input: to, wa_id: to.replace(/\D/g, "") }],
    messages: [type === "template" ? { id, message_status: "accepted" } : { id }],
  });
}

function envelope(account: WhatsappAccount, value: Record<string, unknown>): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: account.wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: account.displayPhoneNumber, phone_number_id: account.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  });
}

async function deliver(account: WhatsappAccount, messageId: string | null, event: string, body: string, ctx: SimContext) {
  const url = requireWebhookUrl(account.webhookUrl, "WhatsApp webhook URL");
  return ctx.webhooks.post({
    provider: "whatsapp",
    accountId: account.id,
    messageId,
    event,
    url,
    headers: {
      "content-type": "application/json",
      "user-agent": "facebookexternalua",
      "X-Hub-Signature-256": signWhatsapp(account.appSecret, body),
    },
    body,
  });
}

async function postStatus(
  account: WhatsappAccount,
  message: SentMessage,
  input: TriggerEventInput,
  ctx: SimContext,
): Promise<WebhookDelivery[]> {
  const status = input.event === "undelivered" ? "failed" : input.event;
  if (!["sent", "delivered", "read", "failed"].includes(status)) {
    throw new UnsupportedEvent(`whatsapp has no ${input.event} status`);
  }
  const recipient = (message.recipients[0] ?? "").replace(/\D/g, "");
  const entry: Record<string, unknown> = {
    id: message.id,
    status,
    timestamp: String(nowSeconds()),
    recipient_id: recipient,
  };
  if (message.meta.bizOpaque) entry.biz_opaque_callback_data = message.meta.bizOpaque;
  if (status === "sent" || status === "delivered") {
    entry.conversation = {
      id: randomBytes(16).toString("hex"),
      expiration_timestamp: String(nowSeconds() + 86_400),
      origin: { type: message.meta.type === "template" ? "marketing" : "service" },
    };
    entry.pricing = { billable: true, pricing_model: "CBP", category: message.meta.type === "template" ? "marketing" : "service" };
  }
  if (status === "failed") {
    const code = input.errorCode ?? 131026;
    entry.errors = [
      { code, title: "Message undeliverable", message: "Message undeliverable", error_data: { details: input.reason ?? "Message Undeliverable." } },
    ];
  }
  const body = envelope(account, { statuses: [entry] });
  return [await deliver(account, message.id, status, body, ctx)];
}

const MESSAGES_PATH = /^\/v\d+\.\d+\/([^/]+)\/messages$/;

export const whatsapp: ProviderModule = {
  name: "whatsapp",
  errors,
  route: (method, path) => {
    const id = method === "POST" ? MESSAGES_PATH.exec(path)?.[1] : undefined;
    return id ? (req, ctx) => send(req, ctx, id) : null;
  },
  trigger: async (message, input, ctx) => {
    const account = ctx.state.getAccount(message.accountId);
    if (account?.provider !== "whatsapp") throw new Error("account missing");
    return postStatus(account, message, input, ctx);
  },
  inbound: async (account, input, ctx) => {
    if (account.provider !== "whatsapp") throw new Error("not a whatsapp account");
    const from = input.from.replace(/\D/g, "");
    const id = wamid();
    const body = envelope(account, {
      contacts: [{ profile: { name: input.name ?? "Sim User" }, wa_id: from }],
      messages: [{ from, id, timestamp: String(nowSeconds()), type: "text", text: { body: input.text } }],
    });
    return deliver(account, id, "inbound", body, ctx);
  },
};
