// Mailgun v3 messages API (US and EU are both just this server) + signed JSON webhooks.
import { createHmac, randomBytes } from "node:crypto";
import { first, formToObject, json, text, type SimRequest, type SimResponse } from "../http";
import { hex } from "../ids";
import {
  injectFailure,
  requireWebhookUrl,
  UnsupportedEvent,
  type ErrorShapes,
  type ProviderModule,
  type SimContext,
} from "../provider";
import type { AccountBase, SentMessage, TriggerEventInput, WebhookDelivery } from "../types";

export interface MailgunAccount extends AccountBase {
  provider: "mailgun";
  apiKey: string;
  domain: string;
  webhookSigningKey: string;
}

/** Mailgun: hex HMAC-SHA256(signing key, timestamp + token). */
export function signMailgun(signingKey: string, timestamp: string, token: string): string {
  return createHmac("sha256", signingKey).update(timestamp + token).digest("hex");
}

/** The v: variable Herald puts its idempotency reference in. */
export const MAILGUN_IDEMPOTENCY_VAR = "idempotency_key";
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

const errors: ErrorShapes = {
  auth: () => text(401, "Forbidden"),
  rateLimit: () => {
    const retryAt = new Date(Date.now() + 60_000).toUTCString();
    return json(429, {
      message: `Domain is not allowed to send: request limit exceeded, try again after ${retryAt}`,
    });
  },
  serverError: (status) => json(status, { message: "Internal Server Error" }),
  invalidRecipient: () =>
    json(400, { message: "to parameter is not a valid address. please check documentation" }),
};

/** "Name <a@b.c>, d@e.f" → ["a@b.c", "d@e.f"]; null when any entry is malformed. */
function parseAddresses(values: string[]): string[] | null {
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.split(",")) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      const address = /<([^>]+)>/.exec(trimmed)?.[1] ?? trimmed;
      if (!ADDRESS.test(address)) return null;
      out.push(address);
    }
  }
  return out;
}

async function send(req: SimRequest, ctx: SimContext, domain: string): Promise<SimResponse> {
  const auth = req.basicAuth();
  const account =
    auth?.user === "api" ? ctx.state.findAccount("mailgun", (a) => a.apiKey === auth.pass) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  if (account.domain !== domain) return json(404, { message: "Domain not found" });
  if (!req.contentType.startsWith("multipart/form-data") && !req.contentType.startsWith("application/x-www-form-urlencoded")) {
    return json(400, { message: `Expecting 'multipart/form-data' but got '${req.contentType}'` });
  }
  const { fields, files } = await req.multipart();
  req.meta.body = formToObject(fields);
  if (!first(fields, "from")) return json(400, { message: "from parameter is missing" });
  const toValues = fields.get("to");
  if (!toValues?.length) return json(400, { message: "to parameter is missing" });
  const recipients = parseAddresses(toValues);
  if (!recipients?.length) return errors.invalidRecipient("");
  if (!["text", "html", "amp-html", "template"].some((f) => fields.has(f))) {
    return json(400, { message: "Need at least one of 'text', 'html' or 'template' parameters specified" });
  }
  const variables: Record<string, string> = {};
  // h:<Header> fields become MIME headers of the message (e.g. RFC 8058 List-Unsubscribe).
  const headers: Record<string, string> = {};
  for (const [name, values] of fields) {
    if (name.startsWith("v:")) variables[name.slice(2)] = values[0] ?? "";
    if (name.startsWith("h:")) headers[name.slice(2)] = values[0] ?? "";
  }
  req.meta.recipients = recipients;
  req.meta.idempotencyRef = variables[MAILGUN_IDEMPOTENCY_VAR] ?? null;
  const failure = injectFailure(req, ctx, errors, recipients);
  if (failure) return failure.response;

  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const bare = `${stamp}.${randomBytes(6).toString("hex")}@${domain}`;
  const testMode = ["yes", "true"].includes((first(fields, "o:testmode") ?? "").toLowerCase());
  const message: SentMessage = {
    id: `<${bare}>`,
    provider: "mailgun",
    accountId: account.id,
    recipients,
    createdAt: new Date().toISOString(),
    meta: {
      bareId: bare,
      from: first(fields, "from"),
      subject: first(fields, "subject"),
      text: first(fields, "text"),
      html: first(fields, "html"),
      tags: fields.get("o:tag") ?? [],
      variables,
      headers,
      testMode,
      // Files as sent (`attachment` / `inline` parts, content base64).
      attachments: files
        .filter((f) => f.field === "attachment" || f.field === "inline")
        .map((f) => ({ field: f.field, filename: f.filename, type: f.type, size: f.size, content: f.bytes.toString("base64") })),
    },
  };
  ctx.state.saveMessage(message);
  req.meta.messageIds = [message.id];
  if (ctx.state.shouldAutoDeliver(account.id) && account.webhookUrl) {
    ctx.webhooks.schedule(ctx.webhookDelayMs, () => postEvents(account, message, { messageId: message.id, event: "delivered" }, ctx));
  }
  return json(200, { id: message.id, message: "Queued. Thank you." });
}

function eventData(message: SentMessage, recipient: string, input: TriggerEventInput): Record<string, unknown> {
  const testMode = message.meta.testMode === true;
  const data: Record<string, unknown> = {
    id: randomBytes(16).toString("base64url"),
    timestamp: Date.now() / 1000,
    "log-level": "info",
    recipient,
    "recipient-domain": recipient.split("@")[1] ?? "",
    tags: message.meta.tags,
    "user-variables": message.meta.variables,
    flags: { "is-test-mode": testMode, "is-authenticated": true, "is-routed": false },
    message: {
      headers: {
        "message-id": message.meta.bareId,
        from: message.meta.from,
        to: recipient,
        subject: message.meta.subject,
      },
    },
  };
  const failed = (severity: "permanent" | "temporary", reason: string, code: number, msg: string) =>
    Object.assign(data, {
      event: "failed",
      "log-level": severity === "permanent" ? "error" : "warn",
      severity,
      reason,
      "delivery-status": { code, message: msg, description: input.reason ?? msg, "attempt-no": 1 },
    });
  switch (input.event) {
    case "delivered":
      Object.assign(data, {
        event: "delivered",
        "delivery-status": testMode
          ? { code: 650, message: "Test mode", description: "", "attempt-no": 1 }
          : { code: 250, message: "OK", description: "", "attempt-no": 1, tls: true },
      });
      break;
    case "open":
      Object.assign(data, { event: "opened", ip: "127.0.0.1", "client-info": { "client-type": "browser" } });
      break;
    case "click":
      Object.assign(data, { event: "clicked", url: input.url ?? "https://example.com/", ip: "127.0.0.1" });
      break;
    case "bounce":
      if (input.bounceType === "soft") failed("temporary", "generic", 452, "4.2.2 Mailbox full");
      else if (input.bounceType === "block") failed("permanent", "suppress-bounce", 605, "Not delivering to previously bounced address");
      else failed("permanent", "bounce", 550, "5.1.1 The email account that you tried to reach does not exist");
      break;
    case "deferred":
      failed("temporary", "generic", 421, "4.7.0 Try again later");
      break;
    case "dropped":
      failed("permanent", "old", 605, "Not delivering to previously bounced address");
      break;
    case "failed":
      failed("permanent", "generic", 550, "Delivery failed");
      break;
    case "spamreport":
      data.event = "complained";
      break;
    case "unsubscribe":
      data.event = "unsubscribed";
      break;
    default:
      throw new UnsupportedEvent(`mailgun has no ${input.event} event`);
  }
  return data;
}

async function postEvents(
  account: MailgunAccount,
  message: SentMessage,
  input: TriggerEventInput,
  ctx: SimContext,
): Promise<WebhookDelivery[]> {
  const url = requireWebhookUrl(account.webhookUrl, "Mailgun webhook URL");
  const out: WebhookDelivery[] = [];
  // Mailgun posts one event per request.
  for (const recipient of message.recipients) {
    if (input.recipient && input.recipient !== recipient) continue;
    const data = eventData(message, recipient, input);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString("hex");
    const body = JSON.stringify({
      signature: { timestamp, token, signature: signMailgun(account.webhookSigningKey, timestamp, token) },
      "event-data": data,
    });
    out.push(
      await ctx.webhooks.post({
        provider: "mailgun",
        accountId: account.id,
        messageId: message.id,
        event: String(data.event),
        url,
        headers: { "content-type": "application/json", "user-agent": "mailgun/treq-sim" },
        body,
      }),
    );
  }
  return out;
}

const MESSAGES_PATH = /^\/v3\/([^/]+)\/messages$/;

const MAILGUN_DOMAIN = /^\/v3\/domains\/([^/]+)$/;

async function mailgunDomain(req: SimRequest, ctx: SimContext, domain: string): Promise<SimResponse> {
  const auth = req.basicAuth();
  const account = auth?.user === "api" ? ctx.state.findAccount("mailgun", (a) => a.apiKey === auth.pass) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  if (account.domain !== domain) return json(404, { message: "Domain not found" });
  return json(200, {
    domain: { name: domain, state: "active", type: "custom", created_at: account.createdAt },
    receiving_dns_records: [],
    sending_dns_records: [],
  });
}

export const mailgun: ProviderModule<MailgunAccount> = {
  name: "mailgun",
  buildAccount: (base, c) => ({
    account: {
      ...base,
      provider: "mailgun",
      apiKey: c.apiKey ?? `key-${hex(16)}`,
      domain: c.domain ?? `mg${hex(3)}.sim.test`,
      webhookSigningKey: c.webhookSigningKey ?? `whsk-${hex(16)}`,
    },
  }),
  credentialCheck(method, path) {
    const domain = method === "GET" ? MAILGUN_DOMAIN.exec(path)?.[1] : undefined;
    return domain ? (req, ctx) => mailgunDomain(req, ctx, decodeURIComponent(domain)) : null;
  },
  errors,
  route: (method, path) => {
    const domain = method === "POST" ? MESSAGES_PATH.exec(path)?.[1] : undefined;
    return domain ? (req, ctx) => send(req, ctx, decodeURIComponent(domain)) : null;
  },
  trigger: async (message, input, ctx) => {
    const account = ctx.state.getAccount(message.accountId);
    if (account?.provider !== "mailgun") throw new Error("account missing");
    return postEvents(account, message, input, ctx);
  },
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return { domain: a.domain, credentials: { api_key_ref: a.apiKey, webhook_signing_key_ref: a.webhookSigningKey } };
    },
    sample: () => ({ domain: "mg.example.com", region: "eu", from_email: "hi@mg.example.com", from_name: "Herald", credentials: { api_key_ref: "key", webhook_signing_key_ref: "whk" } }),
  },
};
