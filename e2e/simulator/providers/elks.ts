// 46elks SMS API: form-encoded send, unsigned form callbacks (DLR and inbound SMS).
import { randomBytes } from "node:crypto";
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
import { countSmsParts } from "../segments";
import type { AccountBase, SentMessage, TriggerEventInput, WebhookDelivery } from "../types";

export interface ElksAccount extends AccountBase {
  provider: "elks";
  username: string;
  password: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const ALPHA_SENDER = /^[A-Za-z][A-Za-z0-9]{1,10}$/;
/** Price of one part to a Swedish number, in 1/10000 SEK. */
const COST_PER_PART = 3500;

const errors: ErrorShapes = {
  auth: () => text(401, "API access denied", { "WWW-Authenticate": 'Basic realm="46elks"' }),
  // 46elks queues rather than throttles; a 429 here stands for a proxy/edge limit.
  rateLimit: () => text(429, "Too many requests"),
  serverError: (status) => text(status, "Internal server error"),
  invalidRecipient: () => text(400, "Invalid to number"),
};

/** 46elks timestamps: ISO without zone, microseconds. */
const elksTime = (d = new Date()) => d.toISOString().replace("Z", "000");

/** The account named by HTTP Basic username:password (recorded on the request), or undefined. */
function authenticate(req: SimRequest, ctx: SimContext): ElksAccount | undefined {
  const auth = req.basicAuth();
  const account = auth
    ? ctx.state.findAccount("elks", (a) => a.username === auth.user && a.password === auth.pass)
    : undefined;
  if (account) req.meta.accountId = account.id;
  return account;
}

async function send(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const account = authenticate(req, ctx);
  if (!account) return errors.auth();
  const fields = await req.form();
  req.meta.body = formToObject(fields);
  for (const key of ["from", "to", "message"]) {
    if (!first(fields, key)) return text(400, `Missing key ${key}`);
  }
  const from = first(fields, "from") ?? "";
  const to = first(fields, "to") ?? "";
  const body = first(fields, "message") ?? "";
  if (!E164.test(from) && !ALPHA_SENDER.test(from)) {
    return text(400, "Invalid from, must be an E.164 number or 2-11 alphanumeric characters");
  }
  if (!E164.test(to)) return errors.invalidRecipient(to);
  req.meta.recipients = [to];
  const failure = injectFailure(req, ctx, errors, [to]);
  if (failure) return failure.response;

  const { parts } = countSmsParts(body);
  const base = { status: "created", direction: "outgoing", from, to, message: body, created: elksTime(), parts };
  if (first(fields, "dryrun") === "yes") return json(200, { ...base, estimated_cost: parts * COST_PER_PART });

  const id = `s${randomBytes(16).toString("hex")}`;
  const whendelivered = first(fields, "whendelivered") ?? null;
  const message: SentMessage = {
    id,
    provider: "elks",
    accountId: account.id,
    recipients: [to],
    createdAt: new Date().toISOString(),
    meta: { whendelivered, from },
  };
  ctx.state.saveMessage(message);
  req.meta.messageIds = [id];
  if (whendelivered && ctx.state.shouldAutoDeliver(account.id)) {
    ctx.webhooks.schedule(ctx.webhookDelayMs, () => postDlr(message, { messageId: id, event: "delivered" }, ctx));
  }
  return json(200, { ...base, cost: parts * COST_PER_PART, id });
}

async function postDlr(message: SentMessage, input: TriggerEventInput, ctx: SimContext): Promise<WebhookDelivery[]> {
  const url = requireWebhookUrl(message.meta.whendelivered as string | null, "whendelivered URL on this SMS");
  const statusByEvent: Partial<Record<TriggerEventInput["event"], string>> = {
    sent: "sent",
    delivered: "delivered",
    failed: "failed",
    undelivered: "failed",
  };
  const status = statusByEvent[input.event];
  if (!status) throw new UnsupportedEvent(`46elks has no ${input.event} report`);
  const params = new URLSearchParams({ id: message.id, status });
  if (status === "delivered") params.set("delivered", elksTime());
  return [
    await ctx.webhooks.post({
      provider: "elks",
      accountId: message.accountId,
      messageId: message.id,
      event: status,
      url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: params.toString(),
    }),
  ];
}

async function elksMe(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const account = authenticate(req, ctx);
  if (!account) return errors.auth();
  return json(200, { id: account.username, displayname: account.label, currency: "SEK", balance: 1_000_000 });
}

export const elks: ProviderModule<ElksAccount> = {
  name: "elks",
  buildAccount: (base, c) => ({
    account: { ...base, provider: "elks", username: c.username ?? `u${hex(16)}`, password: c.password ?? hex(16).toUpperCase() },
  }),
  credentialCheck: (method, path) => (method === "GET" && path === "/a1/me" ? elksMe : null),
  errors,
  route: (method, path) => (method === "POST" && path.toLowerCase() === "/a1/sms" ? send : null),
  trigger: (message, input, ctx) => postDlr(message, input, ctx),
  inbound: async (account, input, ctx) => {
    const url = requireWebhookUrl(account.webhookUrl, "46elks sms_url");
    const body = new URLSearchParams({
      direction: "incoming",
      id: `s${randomBytes(16).toString("hex")}`,
      from: input.from,
      to: input.to ?? "+46766861004",
      created: elksTime(),
      message: input.text,
    }).toString();
    return ctx.webhooks.post({
      provider: "elks",
      accountId: account.id,
      messageId: null,
      event: "incoming",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  },
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return { credentials: { api_username_ref: a.username, api_password_ref: a.password } };
    },
    sample: () => ({ sender_id: "Herald", credentials: { api_username_ref: "u", api_password_ref: "p" } }),
  },
};
