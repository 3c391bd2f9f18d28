// SendGrid v3 mail send + signed Event Webhook.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isRecord, json, nowSeconds, type SimRequest, type SimResponse } from "../http";
import { alnum } from "../ids";
import {
  injectFailure,
  requireWebhookUrl,
  UnsupportedEvent,
  type ErrorShapes,
  type ProviderModule,
  type SimContext,
} from "../provider";
import type { AccountBase, SentMessage, TriggerEventInput, WebhookDelivery } from "../types";

export interface SendgridAccount extends AccountBase {
  provider: "sendgrid";
  apiKey: string;
  /** Event-webhook verification key: base64 DER SubjectPublicKeyInfo (P-256). */
  publicKey: string;
}

export interface EcdsaKeyPair {
  privateKey: KeyObject;
  /** base64 DER SubjectPublicKeyInfo, the format SendGrid shows tenants. */
  publicKeyBase64: string;
}

export function generateSendgridKeyPair(): EcdsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const der = publicKey.export({ type: "spki", format: "der" });
  return { privateKey, publicKeyBase64: der.toString("base64") };
}

/** SendGrid: base64 DER ECDSA(P-256, SHA-256) over timestamp + raw body. */
export function signSendgridEvent(privateKey: KeyObject, timestamp: string, body: string): string {
  return sign("sha256", Buffer.from(timestamp + body, "utf8"), {
    key: privateKey,
    dsaEncoding: "der",
  }).toString("base64");
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const MAX_MESSAGE_BYTES = 30_000_000;
/** The custom_args key Herald puts its idempotency reference in. */
export const SENDGRID_IDEMPOTENCY_ARG = "idempotency_key";

const error = (status: number, message: string, field: string | null = null, headers?: Record<string, string>) =>
  json(status, { errors: [{ message, field, help: null }] }, headers);

const errors: ErrorShapes = {
  auth: () => error(401, "The provided authorization grant is invalid, expired, or revoked"),
  rateLimit: () => error(429, "too many requests", null, rateLimitHeaders(0)),
  serverError: (status) => error(status, "Internal server error"),
  invalidRecipient: () => error(400, "Does not contain a valid address.", "personalizations.0.to.0.email"),
};

function rateLimitHeaders(remaining: number): Record<string, string> {
  return {
    "X-RateLimit-Limit": "600",
    "X-RateLimit-Remaining": String(remaining),
    "X-RateLimit-Reset": String(nowSeconds() + 60),
  };
}

interface Recipient {
  email: string;
  customArgs: Record<string, string>;
}

function validate(body: unknown): { recipients: Recipient[] } | SimResponse {
  if (!isRecord(body)) return error(400, "Bad Request");
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    return error(400, "The personalizations field is required and must have at least one personalization.", "personalizations");
  }
  if (personalizations.length > 1000) {
    return error(400, "The personalizations field must not have more than 1000 items.", "personalizations");
  }
  const from = body.from;
  if (!isRecord(from) || typeof from.email !== "string" || !EMAIL.test(from.email)) {
    return error(400, "The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.", "from");
  }
  const topArgs = body.custom_args;
  if (topArgs !== undefined && !stringMap(topArgs)) {
    return error(400, "Invalid type. Expected: string, given: non-string value.", "custom_args");
  }
  // Message headers (e.g. RFC 8058 List-Unsubscribe) must be a map of strings, as SendGrid requires.
  if (body.headers !== undefined && !stringMap(body.headers)) {
    return error(400, "Invalid type. Expected: string, given: non-string value.", "headers");
  }
  const hasTemplate = typeof body.template_id === "string";
  const recipients: Recipient[] = [];
  let allHaveSubject = true;
  for (const [i, p] of personalizations.entries()) {
    if (!isRecord(p) || !Array.isArray(p.to) || p.to.length === 0) {
      return error(400, "The to array is required for all personalization objects, and must have at least one email object with a valid email address.", `personalizations.${i}.to`);
    }
    if (p.custom_args !== undefined && !stringMap(p.custom_args)) {
      return error(400, "Invalid type. Expected: string, given: non-string value.", `personalizations.${i}.custom_args`);
    }
    if (typeof p.subject !== "string") allHaveSubject = false;
    for (const [j, to] of [...p.to, ...asArray(p.cc), ...asArray(p.bcc)].entries()) {
      if (!isRecord(to) || typeof to.email !== "string" || !EMAIL.test(to.email)) {
        return error(400, "Does not contain a valid address.", `personalizations.${i}.to.${j}.email`);
      }
      recipients.push({
        email: to.email,
        customArgs: { ...(topArgs as Record<string, string> | undefined), ...(p.custom_args as Record<string, string> | undefined) },
      });
    }
  }
  if (!hasTemplate && typeof body.subject !== "string" && !allHaveSubject) {
    return error(400, "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.", "subject");
  }
  if (!hasTemplate && (!Array.isArray(body.content) || body.content.length === 0)) {
    return error(400, "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.", "content");
  }
  if (body.attachments !== undefined) {
    if (!Array.isArray(body.attachments)) return error(400, "The attachments field must be an array.", "attachments");
    for (const [i, a] of body.attachments.entries()) {
      if (!isRecord(a) || typeof a.content !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(a.content)) {
        return error(400, "The attachment content must be base64 encoded.", `attachments.${i}.content`);
      }
      if (typeof a.filename !== "string" || !a.filename) return error(400, "The attachment filename parameter is required.", `attachments.${i}.filename`);
      if (a.disposition === "inline" && typeof a.content_id !== "string") {
        return error(400, "The content_id parameter is required if the disposition is set to inline.", `attachments.${i}.content_id`);
      }
    }
  }
  const sandbox = isRecord(body.mail_settings) ? body.mail_settings.sandbox_mode : undefined;
  if (isRecord(sandbox) && sandbox.enable !== undefined && typeof sandbox.enable !== "boolean") {
    return error(400, "The mail_settings.sandbox_mode.enable field must be a boolean.", "mail_settings.sandbox_mode.enable");
  }
  return { recipients };
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const stringMap = (v: unknown) => isRecord(v) && Object.values(v).every((x) => typeof x === "string");

async function send(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("Bearer");
  const account = key ? ctx.state.findAccount("sendgrid", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  // Mail Send limitations: the whole request under 30 MB.
  if (req.rawBody.length >= MAX_MESSAGE_BYTES) return error(413, "The message is too large: the total message size, including attachments, must be less than 30MB.", null);
  const body = req.json();
  req.meta.body = body ?? req.rawBody.toString("utf8");
  const checked = validate(body);
  if ("status" in checked) return checked;
  const recipients = checked.recipients;
  req.meta.recipients = recipients.map((r) => r.email);
  req.meta.idempotencyRef = recipients[0]?.customArgs[SENDGRID_IDEMPOTENCY_ARG] ?? null;
  const failure = injectFailure(req, ctx, errors, req.meta.recipients);
  if (failure) return failure.response;

  const payload = body as Record<string, unknown>;
  const settings = isRecord(payload.mail_settings) ? payload.mail_settings : {};
  const sandbox = isRecord(settings.sandbox_mode) && settings.sandbox_mode.enable === true;
  if (sandbox) return { status: 200, headers: rateLimitHeaders(599) };

  const messageId = randomBytes(16).toString("base64url").slice(0, 22);
  const message: SentMessage = {
    id: messageId,
    provider: "sendgrid",
    accountId: account.id,
    recipients: req.meta.recipients,
    createdAt: new Date().toISOString(),
    meta: {
      customArgs: recipients.map((r) => r.customArgs),
      categories: payload.categories,
      subject: payload.subject,
      content: payload.content,
      headers: isRecord(payload.headers) ? payload.headers : {},
      // As sent (content base64): tests compare the parts with what Herald stored.
      attachments: Array.isArray(payload.attachments) ? payload.attachments : [],
    },
  };
  ctx.state.saveMessage(message);
  req.meta.messageIds = [messageId];
  if (ctx.state.shouldAutoDeliver(account.id) && account.webhookUrl) {
    ctx.webhooks.schedule(ctx.webhookDelayMs, () =>
      postEvents(account, message, ["processed", "delivered"], {}, ctx),
    );
  }
  return { status: 202, headers: { ...rateLimitHeaders(599), "X-Message-Id": messageId } };
}

type EventOptions = Omit<TriggerEventInput, "messageId" | "event">;

function buildEvent(
  message: SentMessage,
  index: number,
  event: TriggerEventInput["event"],
  opts: EventOptions,
): Record<string, unknown> {
  const email = message.recipients[index] ?? "";
  const customArgs = (message.meta.customArgs as Record<string, string>[] | undefined)?.[index] ?? {};
  const extra: Record<string, unknown> = {};
  let name: string = event;
  switch (event) {
    case "processed":
      break;
    case "delivered":
      Object.assign(extra, { response: "250 2.0.0 OK sim", ip: "127.0.0.1", tls: 1 });
      break;
    case "deferred":
      Object.assign(extra, { response: opts.reason ?? "421 4.7.0 try again later", attempt: "1" });
      break;
    case "open":
      Object.assign(extra, { useragent: "Mozilla/5.0 (sim)", ip: "127.0.0.1", sg_machine_open: false });
      break;
    case "click":
      Object.assign(extra, { useragent: "Mozilla/5.0 (sim)", ip: "127.0.0.1", url: opts.url ?? "https://example.com/", url_offset: { index: 0, type: "html" } });
      break;
    case "bounce":
      // SendGrid reports only permanent failures as bounces; a soft bounce is a deferral.
      if (opts.bounceType === "soft") {
        name = "deferred";
        Object.assign(extra, { response: opts.reason ?? "452 4.2.2 mailbox full", attempt: "1" });
      } else if (opts.bounceType === "block") {
        Object.assign(extra, { type: "blocked", status: "5.7.1", reason: opts.reason ?? "550 5.7.1 blocked by policy", bounce_classification: "Reputation" });
      } else {
        Object.assign(extra, { type: "bounce", status: "5.1.1", reason: opts.reason ?? "550 5.1.1 user unknown", bounce_classification: "Invalid Address" });
      }
      break;
    case "dropped":
      Object.assign(extra, { reason: opts.reason ?? "Bounced Address", status: "5.0.0" });
      break;
    case "spamreport":
    case "unsubscribe":
      break;
    default:
      throw new UnsupportedEvent(`sendgrid has no ${event} event`);
  }
  const categories = message.meta.categories;
  return {
    ...customArgs,
    ...extra,
    email,
    timestamp: nowSeconds(),
    "smtp-id": `<${message.id}@sim.sendgrid.net>`,
    event: name,
    ...(categories !== undefined ? { category: categories } : {}),
    sg_event_id: randomBytes(16).toString("base64url"),
    sg_message_id: `${message.id}.filterdrecv-sim-${index}-0.0`,
  };
}

async function postEvents(
  account: SendgridAccount,
  message: SentMessage,
  events: TriggerEventInput["event"][],
  opts: EventOptions,
  ctx: SimContext,
): Promise<WebhookDelivery[]> {
  const url = requireWebhookUrl(account.webhookUrl, "SendGrid event webhook URL");
  const key = ctx.state.getSecrets(account.id).privateKey;
  if (!key) throw new Error("sendgrid account without signing key");
  const batch: Record<string, unknown>[] = [];
  message.recipients.forEach((email, index) => {
    if (opts.recipient && opts.recipient !== email) return;
    for (const event of events) batch.push(buildEvent(message, index, event, opts));
  });
  // SendGrid's wire format: one event per line, CRLF separators and a trailing CRLF.
  const body = "[" + batch.map((e) => JSON.stringify(e)).join(",\r\n") + "]\r\n";
  const timestamp = String(nowSeconds());
  const delivery = await ctx.webhooks.post({
    provider: "sendgrid",
    accountId: account.id,
    messageId: message.id,
    event: events.join(","),
    url,
    headers: {
      "content-type": "application/json",
      "user-agent": "SendGrid Event API",
      "X-Twilio-Email-Event-Webhook-Signature": signSendgridEvent(key, timestamp, body),
      "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    },
    body,
  });
  return [delivery];
}

async function sendgridScopes(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("Bearer");
  const account = key ? ctx.state.findAccount("sendgrid", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  return json(200, { scopes: ["mail.send", "user.webhooks.event.settings.read", "user.webhooks.event.settings.update"] });
}

export const sendgrid: ProviderModule<SendgridAccount> = {
  name: "sendgrid",
  buildAccount(base, c) {
    const pair = generateSendgridKeyPair();
    return {
      account: { ...base, provider: "sendgrid", apiKey: c.apiKey ?? `SG.${alnum(22)}.${alnum(43)}`, publicKey: pair.publicKeyBase64 },
      secrets: { privateKey: pair.privateKey },
    };
  },
  credentialCheck: (method, path) => (method === "GET" && path === "/v3/scopes" ? sendgridScopes : null),
  errors,
  route: (method, path) => (method === "POST" && path === "/v3/mail/send" ? send : null),
  trigger: async (message, input, ctx) => {
    const account = ctx.state.getAccount(message.accountId);
    if (account?.provider !== "sendgrid") throw new Error("account missing");
    return postEvents(account, message, [input.event], input, ctx);
  },
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return { credentials: { api_key_ref: a.apiKey, webhook_signing_key_ref: a.publicKey } };
    },
    sample: () => ({ from_email: "noreply@example.com", from_name: "Herald", credentials: { api_key_ref: "SG.test", webhook_signing_key_ref: "pk" } }),
  },
};
