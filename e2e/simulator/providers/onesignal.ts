// OneSignal create-notification: 200-with-errors semantics and idempotent repeats.
import { randomUUID } from "node:crypto";
import { isRecord, json, type SimRequest, type SimResponse } from "../http";
import { alnum } from "../ids";
import { injectFailure, type ErrorShapes, type ProviderModule, type SimContext } from "../provider";
import type { AccountBase, SentMessage } from "../types";

export interface OnesignalAccount extends AccountBase {
  provider: "onesignal";
  appId: string;
  apiKey: string;
}

const errorList = (status: number, ...messages: string[]) => json(status, { errors: messages });

const errors: ErrorShapes = {
  // OneSignal's public edge answers a bad or missing key with 403, not 401.
  auth: () =>
    errorList(403, "Access denied.  Please include an 'Authorization: ...' header with a valid API key (https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys)."),
  rateLimit: () => errorList(429, "API rate limit exceeded"),
  serverError: (status) => errorList(status, "Internal Server Error"),
  invalidRecipient: () => json(200, { id: "", errors: ["All included players are not subscribed"] }),
};

function targets(body: Record<string, unknown>): { kind: "subscription" | "alias" | "segment"; ids: string[] } | null {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  if (Array.isArray(body.include_subscription_ids)) return { kind: "subscription", ids: strings(body.include_subscription_ids) };
  if (Array.isArray(body.include_player_ids)) return { kind: "subscription", ids: strings(body.include_player_ids) };
  if (isRecord(body.include_aliases)) {
    return { kind: "alias", ids: Object.values(body.include_aliases).flatMap(strings) };
  }
  if (Array.isArray(body.included_segments)) return { kind: "segment", ids: [] };
  return null;
}

async function send(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("Key") ?? req.authToken("Basic");
  const account = key ? ctx.state.findAccount("onesignal", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  const body = req.json();
  req.meta.body = body ?? req.rawBody.toString("utf8");
  if (!isRecord(body)) return errorList(400, "Invalid JSON body");
  if (body.app_id !== account.appId) {
    return errorList(400, "app_id not found. You may be missing a Content-Type: application/json header.");
  }
  const target = targets(body);
  if (!target) {
    return errorList(400, "You must include which players, segments, or tags you wish to send this notification to.");
  }
  if (target.kind !== "segment" && target.ids.length === 0) {
    return errorList(400, "You must include which players, segments, or tags you wish to send this notification to.");
  }
  if (!isRecord(body.contents) && typeof body.template_id !== "string" && body.content_available !== true) {
    return errorList(400, "Message Notifications must have English language content");
  }
  const reference = typeof body.idempotency_key === "string" ? body.idempotency_key : typeof body.external_id === "string" ? body.external_id : null;
  req.meta.recipients = target.ids;
  req.meta.idempotencyRef = reference;
  const idemKey = reference ? `${account.appId}:${reference}` : null;
  const previous = idemKey ? ctx.state.onesignalIdempotency.get(idemKey) : undefined;
  if (previous) {
    req.meta.messageIds = [previous];
    return json(200, { id: previous, external_id: reference });
  }

  const failure = injectFailure(req, ctx, errors, target.ids);
  let invalid: string[] = [];
  if (failure) {
    if (failure.hit.rule.mode !== "invalid_recipient") return failure.response;
    invalid = failure.hit.recipients;
    if (invalid.length >= target.ids.length) return failure.response;
  }
  const id = randomUUID();
  const message: SentMessage = {
    id,
    provider: "onesignal",
    accountId: account.id,
    recipients: target.ids.filter((r) => !invalid.includes(r)),
    createdAt: new Date().toISOString(),
    meta: { reference },
  };
  ctx.state.saveMessage(message);
  if (idemKey) ctx.state.onesignalIdempotency.set(idemKey, id);
  req.meta.messageIds = [id];
  const invalidErrors =
    invalid.length === 0
      ? {}
      : target.kind === "alias"
        ? { errors: { invalid_aliases: { external_id: invalid } } }
        : { errors: { invalid_player_ids: invalid } };
  return json(200, { id, external_id: reference, ...invalidErrors });
}

const ONESIGNAL_APP = /^(?:\/api\/v1)?\/apps\/([^/]+)$/;

async function onesignalApp(req: SimRequest, ctx: SimContext, appId: string): Promise<SimResponse> {
  const key = req.authToken("Key") ?? req.authToken("Basic");
  const account = key ? ctx.state.findAccount("onesignal", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  if (account.appId !== appId) return json(404, { errors: ["App not found"] });
  return json(200, { id: appId, name: account.label, players: 0, messageable_players: 0 });
}

// GET /notifications?app_id=…&limit=1: readable with the App API key (GET /apps/{id} needs an organization key).
async function onesignalNotifications(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const key = req.authToken("Key") ?? req.authToken("Basic");
  const account = key ? ctx.state.findAccount("onesignal", (a) => a.apiKey === key) : undefined;
  if (!account) return errors.auth();
  req.meta.accountId = account.id;
  if (account.appId !== req.url.searchParams.get("app_id")) return json(400, { errors: ["app_id not found"] });
  return json(200, { total_count: 0, offset: 0, limit: Number(req.url.searchParams.get("limit") ?? 50), notifications: [] });
}

export const onesignal: ProviderModule<OnesignalAccount> = {
  name: "onesignal",
  buildAccount: (base, c) => ({
    account: { ...base, provider: "onesignal", appId: c.appId ?? randomUUID(), apiKey: c.apiKey ?? `os_v2_app_${alnum(48).toLowerCase()}` },
  }),
  credentialCheck(method, path) {
    if (method !== "GET") return null;
    if (path === "/notifications" || path === "/api/v1/notifications") return onesignalNotifications;
    const appId = ONESIGNAL_APP.exec(path)?.[1];
    return appId ? (req, ctx) => onesignalApp(req, ctx, decodeURIComponent(appId)) : null;
  },
  errors,
  route: (method, path) =>
    method === "POST" && (path === "/notifications" || path === "/api/v1/notifications") ? send : null,
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return { app_id: a.appId, credentials: { rest_api_key_ref: a.apiKey } };
    },
    sample: () => ({ app_id: randomUUID(), credentials: { rest_api_key_ref: "key" } }),
  },
};
