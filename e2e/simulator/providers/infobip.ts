// Infobip SMS: /sms/2/text/advanced and /sms/3/messages, JSON DLRs to each message's notifyUrl.
import { randomUUID } from "node:crypto";
import { isRecord, json, type SimRequest, type SimResponse } from "../http";
import { hex } from "../ids";
import {
  injectFailure,
  requireWebhookUrl,
  UnsupportedEvent,
  type ErrorShapes,
  type ProviderModule,
  type SimContext,
} from "../provider";
import { countSmsParts } from "../segments";
import { tfaRoute } from "./infobip-2fa";
import type { AccountBase, SentMessage, TriggerEventInput, WebhookDelivery } from "../types";

export interface InfobipAccount extends AccountBase {
  provider: "infobip";
  apiKey: string;
}

const serviceException = (status: number, messageId: string, text: string): SimResponse =>
  json(status, { requestError: { serviceException: { messageId, text } } });

const errors: ErrorShapes = {
  auth: () => serviceException(401, "UNAUTHORIZED", "Invalid login details"),
  rateLimit: () => serviceException(429, "TOO_MANY_REQUESTS", "Too many requests"),
  serverError: (status) => serviceException(status, "GENERAL_ERROR", "Something went wrong. Please contact support."),
  invalidRecipient: () => serviceException(400, "BAD_REQUEST", "Invalid destination address"),
};

const STATUS = {
  pending: { groupId: 1, groupName: "PENDING", id: 26, name: "PENDING_ACCEPTED", description: "Message sent to next instance" },
  delivered: { groupId: 3, groupName: "DELIVERED", id: 5, name: "DELIVERED_TO_HANDSET", description: "Message delivered to handset" },
  undeliverable: { groupId: 2, groupName: "UNDELIVERABLE", id: 9, name: "UNDELIVERABLE_NOT_DELIVERED", description: "Message sent not delivered" },
  rejected: { groupId: 5, groupName: "REJECTED", id: 51, name: "REJECTED_DESTINATION", description: "Invalid destination address" },
};
const NO_ERROR = { groupId: 0, groupName: "OK", id: 0, name: "NO_ERROR", description: "No Error", permanent: false };

interface Destination {
  to: string;
  messageId?: string;
}
interface OutMessage {
  from: string;
  text: string;
  destinations: Destination[];
  notifyUrl?: string;
  callbackData?: string;
}

/** Normalises v2 and v3 bodies into one shape. */
function parse(body: unknown, v3: boolean): { bulkId?: string; messages: OutMessage[] } | null {
  if (!isRecord(body) || !Array.isArray(body.messages) || body.messages.length === 0) return null;
  const messages: OutMessage[] = [];
  for (const m of body.messages) {
    if (!isRecord(m) || !Array.isArray(m.destinations) || m.destinations.length === 0) return null;
    const destinations: Destination[] = [];
    for (const d of m.destinations) {
      if (!isRecord(d) || typeof d.to !== "string") return null;
      destinations.push({ to: d.to, messageId: typeof d.messageId === "string" ? d.messageId : undefined });
    }
    const content = isRecord(m.content) ? m.content : {};
    const webhooks = isRecord(m.webhooks) && isRecord(m.webhooks.delivery) ? m.webhooks.delivery : {};
    const text = v3 ? content.text : m.text;
    messages.push({
      from: String((v3 ? m.sender : m.from) ?? "InfoSMS"),
      text: typeof text === "string" ? text : "",
      destinations,
      notifyUrl: strOrUndef(v3 ? (webhooks.url ?? m.notifyUrl) : m.notifyUrl),
      callbackData: strOrUndef(m.callbackData),
    });
  }
  return { bulkId: strOrUndef(body.bulkId), messages };
}

const strOrUndef = (v: unknown) => (typeof v === "string" ? v : undefined);
const MSISDN = /^\+?[1-9]\d{6,14}$/;

async function send(req: SimRequest, ctx: SimContext, v3: boolean): Promise<SimResponse> {
  const key = req.authToken("App");
  const account = key ? ctx.state.findAccount("infobip", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  const body = req.json();
  req.meta.body = body ?? req.rawBody.toString("utf8");
  const parsed = parse(body, v3);
  if (!parsed) return serviceException(400, "BAD_REQUEST", "Bad request");
  const recipients = parsed.messages.flatMap((m) => m.destinations.map((d) => d.to));
  req.meta.recipients = recipients;
  req.meta.idempotencyRef = parsed.messages[0]?.destinations[0]?.messageId ?? parsed.bulkId ?? null;
  const failure = injectFailure(req, ctx, errors, recipients);
  // An invalid destination is reported per destination, not as a request error.
  const rejected = new Set(failure?.hit.rule.mode === "invalid_recipient" ? failure.hit.recipients : []);
  if (failure && rejected.size === 0) return failure.response;

  const bulkId = parsed.bulkId ?? (recipients.length > 1 ? randomUUID() : undefined);
  const results: Record<string, unknown>[] = [];
  for (const m of parsed.messages) {
    for (const d of m.destinations) {
      const messageId = d.messageId ?? randomUUID();
      const isRejected = rejected.has(d.to) || !MSISDN.test(d.to);
      const status = isRejected ? STATUS.rejected : STATUS.pending;
      results.push(v3 ? { messageId, status, destination: d.to } : { to: d.to, messageId, status });
      if (isRejected) continue;
      const message: SentMessage = {
        id: messageId,
        provider: "infobip",
        accountId: account.id,
        recipients: [d.to],
        createdAt: new Date().toISOString(),
        meta: { bulkId, from: m.from, text: m.text, notifyUrl: m.notifyUrl ?? null, callbackData: m.callbackData, parts: countSmsParts(m.text).parts },
      };
      ctx.state.saveMessage(message);
      req.meta.messageIds.push(messageId);
      if (m.notifyUrl && ctx.state.shouldAutoDeliver(account.id)) {
        ctx.webhooks.schedule(ctx.webhookDelayMs, () => postReport(message, { messageId, event: "delivered" }, ctx));
      }
    }
  }
  return json(200, { ...(bulkId ? { bulkId } : {}), messages: results });
}

async function postReport(message: SentMessage, input: TriggerEventInput, ctx: SimContext): Promise<WebhookDelivery[]> {
  const url = requireWebhookUrl(message.meta.notifyUrl as string | null, "notifyUrl on this message");
  let status;
  let error = NO_ERROR;
  if (input.event === "delivered") status = STATUS.delivered;
  else if (input.event === "failed" || input.event === "undelivered") {
    status = STATUS.undeliverable;
    error = { groupId: 1, groupName: "HANDSET_ERRORS", id: input.errorCode ?? 27, name: "EC_ABSENT_SUBSCRIBER", description: "Absent Subscriber", permanent: false };
  } else throw new UnsupportedEvent(`infobip has no ${input.event} report`);
  const now = new Date().toISOString().replace("Z", "+0000");
  const result = {
    bulkId: message.meta.bulkId,
    messageId: message.id,
    to: message.recipients[0],
    from: message.meta.from,
    sentAt: now,
    doneAt: now,
    smsCount: message.meta.parts,
    mccMnc: "24001",
    price: { pricePerMessage: 0.0039, currency: "EUR" },
    status,
    error,
    ...(message.meta.callbackData !== undefined ? { callbackData: message.meta.callbackData } : {}),
  };
  return [
    await ctx.webhooks.post({
      provider: "infobip",
      accountId: message.accountId,
      messageId: message.id,
      event: status.name,
      url,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ results: [result] }),
    }),
  ];
}

async function infobipBalance(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("App");
  const account = key ? ctx.state.findAccount("infobip", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  return json(200, { balance: 1000, currency: "EUR" });
}

export const infobip: ProviderModule<InfobipAccount> = {
  name: "infobip",
  buildAccount: (base, c) => ({
    account: { ...base, provider: "infobip", apiKey: c.apiKey ?? `${hex(16)}-${randomUUID()}` },
  }),
  credentialCheck: (method, path) => (method === "GET" && path === "/account/1/balance" ? infobipBalance : null),
  errors,
  route: (method, path) => {
    if (method !== "POST") return null;
    if (path === "/sms/2/text/advanced") return (req, ctx) => send(req, ctx, false);
    if (path === "/sms/3/messages") return (req, ctx) => send(req, ctx, true);
    return tfaRoute(method, path, errors);
  },
  trigger: (message, input, ctx) => postReport(message, input, ctx),
  heraldConfig: {
    forAccount(account, simUrl) {
      const a = account;
      return { base_url: simUrl, credentials: { api_key_ref: a.apiKey } };
    },
    sample: () => ({ base_url: "http://127.0.0.1:9", sender: "InfoSMS", credentials: { api_key_ref: "key" } }),
  },
};
