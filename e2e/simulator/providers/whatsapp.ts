// WhatsApp Cloud API (Graph) messages, media (upload, info, download, delete) + signed status and
// inbound-message webhooks (inbound media messages carry a media id the simulator serves).
import { createHash, createHmac, randomBytes } from "node:crypto";
import { isRecord, json, nowSeconds, type SimRequest, type SimResponse } from "../http";
import { alnum, digits, hex } from "../ids";
import {
  injectFailure,
  requireWebhookUrl,
  UnsupportedEvent,
  type ErrorShapes,
  type ProviderModule,
  type SimContext,
} from "../provider";
import type { AccountBase, SentMessage, TriggerEventInput, WebhookDelivery } from "../types";

export interface WhatsappAccount extends AccountBase {
  provider: "whatsapp";
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

/** WhatsApp (Meta): "sha256=" + hex HMAC-SHA256(app secret, raw body). */
export function signWhatsapp(appSecret: string, body: string): string {
  return "sha256=" + createHmac("sha256", appSecret).update(body, "utf8").digest("hex");
}

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
  let media: Record<string, unknown> | undefined;
  if (MEDIA_TYPES.includes(type)) {
    const part = body[type];
    if (!isRecord(part) || (typeof part.id !== "string" && typeof part.link !== "string")) return missing(`${type}['id'] or ${type}['link']`);
    if (typeof part.id === "string") {
      const stored = ctx.state.whatsappMedia.get(part.id);
      if (!stored || stored.accountId !== account.id) {
        return graphError(400, 131053, "(#131053) Media upload error", "OAuthException", `Unable to retrieve media ${part.id}`);
      }
      media = { type, id: part.id, sha256: stored.sha256, size: stored.bytes.length, mimeType: stored.mimeType };
    } else media = { type, link: part.link };
    if (typeof part.caption === "string") media.caption = part.caption;
    if (typeof part.filename === "string") media.filename = part.filename;
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
    meta: { type, bizOpaque: req.meta.idempotencyRef, ...(media ? { media } : {}) },
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
const MEDIA_PATH = /^\/v\d+\.\d+\/([^/]+)\/media$/;
const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"];
/** Where media bytes are served (Meta's is lookaside.fbsbx.com; the Bearer token is required there too). */
const DOWNLOAD_PATH = "/whatsapp_business/attachments/";

function accountOf(req: SimRequest, ctx: SimContext) {
  const token = req.authToken("Bearer");
  const account = token ? ctx.state.findAccount("whatsapp", (a) => a.accessToken === token) : undefined;
  if (account) req.meta.accountId = account.id;
  return account;
}

/** `POST /{phone-number-id}/media`: multipart with messaging_product, type and file → `{id}`. */
async function uploadMedia(req: SimRequest, ctx: SimContext, phoneNumberId: string): Promise<SimResponse> {
  const account = accountOf(req, ctx);
  if (!account) return errors.auth();
  if (account.phoneNumberId !== phoneNumberId) return graphError(400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`, "GraphMethodException");
  if (!req.contentType.startsWith("multipart/form-data")) return graphError(400, 100, "(#100) The parameter file is required.");
  const { fields, files } = await req.multipart();
  const file = files.find((f) => f.field === "file");
  req.meta.body = { ...Object.fromEntries([...fields].map(([k, v]) => [k, v[0]])), ...(file ? { file: { filename: file.filename, type: file.type, size: file.size } } : {}) };
  if (fields.get("messaging_product")?.[0] !== "whatsapp") return missing("messaging_product");
  if (!file) return missing("file");
  const type = fields.get("type")?.[0] ?? file.type;
  if (!type) return missing("type");
  const id = digits(16);
  ctx.state.saveWhatsappMedia(id, { accountId: account.id, bytes: file.bytes, mimeType: type, sha256: createHash("sha256").update(file.bytes).digest("hex"), filename: file.filename });
  return json(200, { id });
}

function mediaInfo(req: SimRequest, ctx: SimContext, id: string): SimResponse {
  const stored = ctx.state.whatsappMedia.get(id);
  if (!stored || stored.accountId !== req.meta.accountId) return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist`, "GraphMethodException");
  return json(200, {
    messaging_product: "whatsapp",
    url: `${ctx.baseUrl()}${DOWNLOAD_PATH}?mid=${id}&source=getMedia`,
    mime_type: stored.mimeType,
    sha256: stored.sha256,
    file_size: stored.bytes.length,
    id,
  });
}

function downloadMedia(req: SimRequest, ctx: SimContext): SimResponse {
  const account = accountOf(req, ctx);
  if (!account) return errors.auth();
  const stored = ctx.state.whatsappMedia.get(req.url.searchParams.get("mid") ?? "");
  if (!stored || stored.accountId !== account.id) return json(404, { error: { message: "Not found", code: 100 } });
  return { status: 200, headers: { "content-type": stored.mimeType }, body: stored.bytes };
}

function deleteMedia(req: SimRequest, ctx: SimContext, id: string): SimResponse {
  const account = accountOf(req, ctx);
  if (!account) return errors.auth();
  const stored = ctx.state.whatsappMedia.get(id);
  if (!stored || stored.accountId !== account.id) return graphError(400, 100, `Unsupported delete request. Object with ID '${id}' does not exist`, "GraphMethodException");
  ctx.state.whatsappMedia.delete(id);
  return json(200, { success: true });
}

const WHATSAPP_NODE = /^\/v\d+\.\d+\/(\d+)$/;

async function whatsappPhoneNumber(req: SimRequest, ctx: SimContext, id: string): Promise<SimResponse> {
  const account = accountOf(req, ctx);
  if (!account) return errors.auth();
  // Graph nodes share one id space: a media id answers with the media's info.
  if (ctx.state.whatsappMedia.has(id)) return mediaInfo(req, ctx, id);
  if (account.phoneNumberId !== id) {
    return json(400, {
      error: {
        message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: "GraphMethodException",
        code: 100,
        error_subcode: 33,
        fbtrace_id: "sim",
      },
    });
  }
  return json(200, {
    id,
    display_phone_number: account.displayPhoneNumber,
    verified_name: account.label,
    quality_rating: "GREEN",
  });
}

export const whatsapp: ProviderModule<WhatsappAccount> = {
  name: "whatsapp",
  buildAccount: (base, c) => ({
    account: {
      ...base,
      provider: "whatsapp",
      phoneNumberId: c.phoneNumberId ?? digits(15),
      displayPhoneNumber: c.displayPhoneNumber ?? `1555${digits(7)}`,
      wabaId: c.wabaId ?? digits(15),
      accessToken: c.accessToken ?? `EAAG${alnum(60)}`,
      appSecret: c.appSecret ?? hex(16),
      verifyToken: c.verifyToken ?? hex(8),
    },
  }),
  credentialCheck(method, path) {
    const id = method === "GET" ? WHATSAPP_NODE.exec(path)?.[1] : undefined;
    return id ? (req, ctx) => whatsappPhoneNumber(req, ctx, id) : null;
  },
  errors,
  route: (method, path) => {
    const id = method === "POST" ? MESSAGES_PATH.exec(path)?.[1] : undefined;
    if (id) return (req, ctx) => send(req, ctx, id);
    const phone = method === "POST" ? MEDIA_PATH.exec(path)?.[1] : undefined;
    if (phone) return (req, ctx) => uploadMedia(req, ctx, phone);
    if (method === "GET" && path === DOWNLOAD_PATH) return async (req, ctx) => downloadMedia(req, ctx);
    const node = method === "DELETE" ? WHATSAPP_NODE.exec(path)?.[1] : undefined;
    if (node) return async (req, ctx) => deleteMedia(req, ctx, node);
    return null;
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
    let message: Record<string, unknown> = { from, id, timestamp: String(nowSeconds()), type: "text", text: { body: input.text } };
    if (input.media) {
      // The file waits here under a media id, as Meta keeps inbound media for Herald to fetch.
      const bytes = Buffer.from(input.media.contentBase64, "base64");
      const mediaId = digits(16);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      ctx.state.saveWhatsappMedia(mediaId, { accountId: account.id, bytes, mimeType: input.media.mimeType, sha256, filename: input.media.filename });
      const kind = input.media.type;
      message = {
        from,
        id,
        timestamp: String(nowSeconds()),
        type: kind,
        [kind]: {
          id: mediaId,
          mime_type: input.media.mimeType,
          sha256,
          ...(input.media.caption ?? input.text ? { caption: input.media.caption ?? input.text } : {}),
          ...(input.media.filename ? { filename: input.media.filename } : {}),
        },
      };
    }
    const body = envelope(account, {
      contacts: [{ profile: { name: input.name ?? "Sim User" }, wa_id: from }],
      messages: [message],
    });
    return deliver(account, id, "inbound", body, ctx);
  },
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return {
        phone_number_id: a.phoneNumberId,
        business_account_id: a.wabaId,
        display_phone_number: `+${a.displayPhoneNumber}`,
        credentials: { access_token_ref: a.accessToken, app_secret_ref: a.appSecret, webhook_verify_token_ref: a.verifyToken },
      };
    },
    sample: () => ({
        phone_number_id: "1234567",
        business_account_id: "7654321",
        display_phone_number: "+15551234567",
        business_name: "Herald",
        credentials: { access_token_ref: "tok", app_secret_ref: "sec", webhook_verify_token_ref: "ver" },
      }),
  },
};
