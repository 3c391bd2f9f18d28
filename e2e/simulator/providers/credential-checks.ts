// The cheap authenticated read each provider offers, which Herald's config "test" calls to check
// credentials without sending anything. Auth failures are worded by each provider module.
import { json, type SimRequest, type SimResponse } from "../http";
import type { RouteHandler, SimContext } from "../provider";
import type { ProviderName } from "../types";
import { providerModules } from "./index";

const authError = (provider: ProviderName) => providerModules[provider].errors.auth();

function basic(req: SimRequest) {
  return req.basicAuth();
}

async function sendgridScopes(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("Bearer");
  const account = key ? ctx.state.findAccount("sendgrid", (a) => a.apiKey === key) : undefined;
  if (!account) return authError("sendgrid");
  req.meta.accountId = account.id;
  return json(200, { scopes: ["mail.send", "user.webhooks.event.settings.read", "user.webhooks.event.settings.update"] });
}

async function mailgunDomain(req: SimRequest, ctx: SimContext, domain: string): Promise<SimResponse> {
  const auth = basic(req);
  const account = auth?.user === "api" ? ctx.state.findAccount("mailgun", (a) => a.apiKey === auth.pass) : undefined;
  if (!account) return authError("mailgun");
  req.meta.accountId = account.id;
  if (account.domain !== domain) return json(404, { message: "Domain not found" });
  return json(200, {
    domain: { name: domain, state: "active", type: "custom", created_at: account.createdAt },
    receiving_dns_records: [],
    sending_dns_records: [],
  });
}

async function elksMe(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const auth = basic(req);
  const account = auth
    ? ctx.state.findAccount("elks", (a) => a.username === auth.user && a.password === auth.pass)
    : undefined;
  if (!account) return authError("elks");
  req.meta.accountId = account.id;
  return json(200, { id: account.username, displayname: account.label, currency: "SEK", balance: 1_000_000 });
}

async function twilioAccount(req: SimRequest, ctx: SimContext, sid: string): Promise<SimResponse> {
  const auth = basic(req);
  const account = auth
    ? ctx.state.findAccount("twilio", (a) => a.accountSid === auth.user && a.authToken === auth.pass)
    : undefined;
  if (!account || account.accountSid !== sid) return authError("twilio");
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

async function infobipBalance(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("App");
  const account = key ? ctx.state.findAccount("infobip", (a) => a.apiKey === key) : undefined;
  if (!account) return authError("infobip");
  req.meta.accountId = account.id;
  return json(200, { balance: 1000, currency: "EUR" });
}

async function onesignalApp(req: SimRequest, ctx: SimContext, appId: string): Promise<SimResponse> {
  const key = req.authToken("Key") ?? req.authToken("Basic");
  const account = key ? ctx.state.findAccount("onesignal", (a) => a.apiKey === key) : undefined;
  if (!account) return authError("onesignal");
  req.meta.accountId = account.id;
  if (account.appId !== appId) return json(404, { errors: ["App not found"] });
  return json(200, { id: appId, name: account.label, players: 0, messageable_players: 0 });
}

async function whatsappPhoneNumber(req: SimRequest, ctx: SimContext, id: string): Promise<SimResponse> {
  const token = req.authToken("Bearer");
  const account = token ? ctx.state.findAccount("whatsapp", (a) => a.accessToken === token) : undefined;
  if (!account) return authError("whatsapp");
  req.meta.accountId = account.id;
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

// GET /notifications?app_id=…&limit=1: readable with the App API key (GET /apps/{id} needs an organization key).
async function onesignalNotifications(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("Key") ?? req.authToken("Basic");
  const account = key ? ctx.state.findAccount("onesignal", (a) => a.apiKey === key) : undefined;
  if (!account) return authError("onesignal");
  req.meta.accountId = account.id;
  if (account.appId !== req.url.searchParams.get("app_id")) return json(400, { errors: ["app_id not found"] });
  return json(200, { total_count: 0, offset: 0, limit: Number(req.url.searchParams.get("limit") ?? 50), notifications: [] });
}

const MAILGUN_DOMAIN = /^\/v3\/domains\/([^/]+)$/;
const TWILIO_ACCOUNT = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
const ONESIGNAL_APP = /^(?:\/api\/v1)?\/apps\/([^/]+)$/;
const WHATSAPP_NODE = /^\/v\d+\.\d+\/(\d+)$/;

/** GET routes only; consulted by the server's router before the provider modules. */
export function credentialCheckRoute(method: string, path: string): { provider: ProviderName; handler: RouteHandler } | null {
  if (method !== "GET") return null;
  if (path === "/v3/scopes") return { provider: "sendgrid", handler: sendgridScopes };
  if (path === "/a1/me") return { provider: "elks", handler: elksMe };
  if (path === "/notifications" || path === "/api/v1/notifications") return { provider: "onesignal", handler: onesignalNotifications };
  if (path === "/account/1/balance") return { provider: "infobip", handler: infobipBalance };
  let m = MAILGUN_DOMAIN.exec(path);
  if (m) return { provider: "mailgun", handler: (req, ctx) => mailgunDomain(req, ctx, decodeURIComponent(m![1]!)) };
  m = TWILIO_ACCOUNT.exec(path);
  if (m) return { provider: "twilio", handler: (req, ctx) => twilioAccount(req, ctx, decodeURIComponent(m![1]!)) };
  m = ONESIGNAL_APP.exec(path);
  if (m) return { provider: "onesignal", handler: (req, ctx) => onesignalApp(req, ctx, decodeURIComponent(m![1]!)) };
  m = WHATSAPP_NODE.exec(path);
  if (m) return { provider: "whatsapp", handler: (req, ctx) => whatsappPhoneNumber(req, ctx, m![1]!) };
  return null;
}
