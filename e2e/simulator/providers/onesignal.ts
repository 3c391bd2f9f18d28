// OneSignal create-notification: 200-with-errors semantics and idempotent repeats.
import { randomUUID } from "node:crypto";
import { isRecord, json, type SimRequest, type SimResponse } from "../http";
import { injectFailure, type ErrorShapes, type ProviderModule, type SimContext } from "../provider";
import type { SentMessage } from "../types";

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

export const onesignal: ProviderModule = {
  name: "onesignal",
  errors,
  route: (method, path) =>
    method === "POST" && (path === "/notifications" || path === "/api/v1/notifications") ? send : null,
};
