// Twilio Programmable Messaging: Messages.json create + signed StatusCallback posts.
import { createHmac } from "node:crypto";
import { first, formToObject, json, type SimRequest, type SimResponse } from "../http";
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
import type { AccountBase, SentMessage, TriggerEventInput, WebhookDelivery } from "../types";

export interface TwilioAccount extends AccountBase {
  provider: "twilio";
  accountSid: string;
  authToken: string;
}

/** Twilio: base64 HMAC-SHA1(auth token, url + sorted params as name+value). */
export function signTwilio(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value ?? ""];
    for (const v of values) data += name + v;
  }
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

const E164 = /^(whatsapp:)?\+[1-9]\d{6,14}$/;

const twilioError = (status: number, code: number, message: string): SimResponse =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

const errors: ErrorShapes = {
  auth: () => twilioError(401, 20003, "Authenticate"),
  rateLimit: () => twilioError(429, 20429, "Too Many Requests"),
  serverError: (status) => twilioError(status, 20500, "Internal Server Error"),
  invalidRecipient: (to) => twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`),
};

async function send(req: SimRequest, ctx: SimContext, pathSid: string): Promise<SimResponse> {
  const auth = req.basicAuth();
  const account = auth
    ? ctx.state.findAccount("twilio", (a) => a.accountSid === auth.user && a.authToken === auth.pass)
    : undefined;
  if (!account || account.accountSid !== pathSid) return errors.auth();
  req.meta.accountId = account.id;
  const fields = await req.form();
  req.meta.body = formToObject(fields);
  const to = first(fields, "To");
  const from = first(fields, "From");
  const serviceSid = first(fields, "MessagingServiceSid");
  const body = first(fields, "Body") ?? "";
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!from && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (!body && !fields.has("MediaUrl") && !fields.has("ContentSid")) {
    return twilioError(400, 21602, "Message body is required.");
  }
  if (!E164.test(to)) return errors.invalidRecipient(to);
  req.meta.recipients = [to];
  const failure = injectFailure(req, ctx, errors, [to]);
  if (failure) return failure.response;

  const sid = `SM${hex(16)}`;
  const callback = first(fields, "StatusCallback") ?? null;
  const message: SentMessage = {
    id: sid,
    provider: "twilio",
    accountId: account.id,
    recipients: [to],
    createdAt: new Date().toISOString(),
    meta: { from: from ?? null, serviceSid: serviceSid ?? null, statusCallback: callback },
  };
  ctx.state.saveMessage(message);
  req.meta.messageIds = [sid];
  if (callback && ctx.state.shouldAutoDeliver(account.id)) {
    ctx.webhooks.schedule(ctx.webhookDelayMs, async () => {
      await postStatus(account, message, { messageId: sid, event: "sent" }, ctx);
      await postStatus(account, message, { messageId: sid, event: "delivered" }, ctx);
    });
  }
  const now = new Date().toUTCString().replace("GMT", "+0000");
  const base = `/2010-04-01/Accounts/${account.accountSid}/Messages/${sid}`;
  return json(201, {
    account_sid: account.accountSid,
    api_version: "2010-04-01",
    body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: from ?? null,
    messaging_service_sid: serviceSid ?? null,
    num_media: String(fields.get("MediaUrl")?.length ?? 0),
    num_segments: String(countSmsParts(body).parts),
    price: null,
    price_unit: "USD",
    sid,
    status: serviceSid ? "accepted" : "queued",
    subresource_uris: { media: `${base}/Media.json` },
    to,
    uri: `${base}.json`,
  });
}

const DEFAULT_ERROR: Partial<Record<TriggerEventInput["event"], number>> = { failed: 30008, undelivered: 30003 };

async function postStatus(
  account: TwilioAccount,
  message: SentMessage,
  input: TriggerEventInput,
  ctx: SimContext,
): Promise<WebhookDelivery[]> {
  const url = requireWebhookUrl(message.meta.statusCallback as string | null, "StatusCallback on this message");
  if (!["sent", "delivered", "undelivered", "failed", "read"].includes(input.event)) {
    throw new UnsupportedEvent(`twilio has no ${input.event} status`);
  }
  const params: Record<string, string> = {
    AccountSid: account.accountSid,
    ApiVersion: "2010-04-01",
    From: (message.meta.from as string | null) ?? "",
    MessageSid: message.id,
    MessageStatus: input.event,
    SmsSid: message.id,
    SmsStatus: input.event,
    To: message.recipients[0] ?? "",
  };
  if (message.meta.serviceSid) params.MessagingServiceSid = String(message.meta.serviceSid);
  const errorCode = input.errorCode ?? DEFAULT_ERROR[input.event];
  if (errorCode !== undefined) params.ErrorCode = String(errorCode);
  if (input.event === "delivered" || input.event === "undelivered") {
    params.RawDlrDoneDate = new Date().toISOString().replace(/\D/g, "").slice(2, 12);
  }
  return [
    await ctx.webhooks.post({
      provider: "twilio",
      accountId: account.id,
      messageId: message.id,
      event: input.event,
      url,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": "TwilioProxy/1.1",
        "X-Twilio-Signature": signTwilio(account.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    }),
  ];
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

const TWILIO_ACCOUNT = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;

async function twilioAccount(req: SimRequest, ctx: SimContext, sid: string): Promise<SimResponse> {
  const auth = req.basicAuth();
  const account = auth
    ? ctx.state.findAccount("twilio", (a) => a.accountSid === auth.user && a.authToken === auth.pass)
    : undefined;
  if (!account || account.accountSid !== sid) return errors.auth();
  req.meta.accountId = account.id;
  return json(200, {
    sid,
    friendly_name: account.label,
    status: "active",
    type: "Full",
    date_created: new Date(account.createdAt).toUTCString(),
    uri: `/2010-04-01/Accounts/${sid}.json`,
  });
}

export const twilio: ProviderModule<TwilioAccount> = {
  name: "twilio",
  buildAccount: (base, c) => ({
    account: { ...base, provider: "twilio", accountSid: c.accountSid ?? `AC${hex(16)}`, authToken: c.authToken ?? hex(16) },
  }),
  credentialCheck(method, path) {
    const sid = method === "GET" ? TWILIO_ACCOUNT.exec(path)?.[1] : undefined;
    return sid ? (req, ctx) => twilioAccount(req, ctx, decodeURIComponent(sid)) : null;
  },
  errors,
  route: (method, path) => {
    const sid = method === "POST" ? MESSAGES_PATH.exec(path)?.[1] : undefined;
    return sid ? (req, ctx) => send(req, ctx, sid) : null;
  },
  trigger: async (message, input, ctx) => {
    const account = ctx.state.getAccount(message.accountId);
    if (account?.provider !== "twilio") throw new Error("account missing");
    return postStatus(account, message, input, ctx);
  },
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return { credentials: { account_sid_ref: a.accountSid, auth_token_ref: a.authToken } };
    },
    sample: () => ({ from_number: "+15005550006", supported_countries: [], credentials: { account_sid_ref: `AC${"0".repeat(32)}`, auth_token_ref: "tok" } }),
  },
};
