// Infobip 2FA: applications, message templates with {{pin}}, PIN send and verify, with real state
// (PIN TTL, attempts, single use) per application configuration.
import { randomInt, randomUUID } from "node:crypto";
import { isRecord, json, type SimRequest, type SimResponse } from "../http";
import { injectFailure, type ErrorShapes, type RouteHandler, type SimContext } from "../provider";
import type { SentMessage } from "../types";
import type { TfaApplication } from "./infobip-2fa-state";

const serviceException = (status: number, messageId: string, text: string): SimResponse =>
  json(status, { requestError: { serviceException: { messageId, text } } });

const hexId = () => randomUUID().replace(/-/g, "").toUpperCase();

/** "15m", "30s", "1h", "2d" → ms. */
function durationMs(value: unknown, fallback: number): number {
  const m = typeof value === "string" ? /^(\d+)([smhd])$/.exec(value) : null;
  if (!m) return fallback;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
}

function account(req: SimRequest, ctx: SimContext) {
  const key = req.authToken("App");
  const found = key ? ctx.state.findAccount("infobip", (a) => a.apiKey === key) : undefined;
  if (found) req.meta.accountId = found.id;
  return found;
}

function ownApp(ctx: SimContext, accountId: string, appId: string): TfaApplication | undefined {
  const app = ctx.state.infobipTfa.apps.get(appId);
  return app && app.accountId === accountId ? app : undefined;
}

function createApplication(errors: ErrorShapes): RouteHandler {
  return async (req, ctx) => {
    const acc = account(req, ctx);
    if (!acc) return errors.auth();
    const body = req.json();
    req.meta.body = body;
    if (!isRecord(body) || typeof body.name !== "string" || body.name === "") return serviceException(400, "BAD_REQUEST", "name is required");
    const c = isRecord(body.configuration) ? body.configuration : {};
    const app: TfaApplication = {
      applicationId: hexId(),
      accountId: acc.id,
      name: body.name,
      enabled: body.enabled !== false,
      configuration: {
        pinAttempts: typeof c.pinAttempts === "number" ? c.pinAttempts : 10,
        allowMultiplePinVerifications: c.allowMultiplePinVerifications !== false,
        pinTimeToLiveMs: durationMs(c.pinTimeToLive, 15 * 60_000),
        pinTimeToLive: typeof c.pinTimeToLive === "string" ? c.pinTimeToLive : "15m",
      },
      templates: new Map(),
    };
    ctx.state.infobipTfa.apps.set(app.applicationId, app);
    const { pinTimeToLiveMs: _ms, ...configuration } = app.configuration;
    void _ms;
    return json(200, { applicationId: app.applicationId, name: app.name, configuration, enabled: app.enabled });
  };
}

function createTemplate(errors: ErrorShapes, appId: string): RouteHandler {
  return async (req, ctx) => {
    const acc = account(req, ctx);
    if (!acc) return errors.auth();
    const app = ownApp(ctx, acc.id, appId);
    if (!app) return serviceException(404, "NOT_FOUND", "Application not found");
    const body = req.json();
    req.meta.body = body;
    if (!isRecord(body) || typeof body.messageText !== "string" || !body.messageText.includes("{{pin}}")) {
      return serviceException(400, "BAD_REQUEST", "messageText must contain the {{pin}} placeholder");
    }
    const pinLength = typeof body.pinLength === "number" ? body.pinLength : 4;
    const template = {
      messageId: hexId(),
      applicationId: app.applicationId,
      messageText: body.messageText,
      pinLength,
      pinType: typeof body.pinType === "string" ? body.pinType : "NUMERIC",
      senderId: typeof body.senderId === "string" ? body.senderId : undefined,
    };
    app.templates.set(template.messageId, template);
    return json(200, { ...template, language: typeof body.language === "string" ? body.language : "en" });
  };
}

function sendPin(errors: ErrorShapes): RouteHandler {
  return async (req, ctx) => {
    const acc = account(req, ctx);
    if (!acc) return errors.auth();
    const body = req.json();
    req.meta.body = body;
    if (!isRecord(body) || typeof body.to !== "string" || typeof body.applicationId !== "string" || typeof body.messageId !== "string") {
      return serviceException(400, "BAD_REQUEST", "applicationId, messageId and to are required");
    }
    req.meta.recipients = [body.to];
    const failure = injectFailure(req, ctx, errors, [body.to]);
    if (failure) return failure.response;
    const app = ownApp(ctx, acc.id, body.applicationId);
    const template = app?.templates.get(body.messageId);
    if (!app || !template) return serviceException(404, "NOT_FOUND", "Application or message template not found");
    const pin = Array.from({ length: template.pinLength }, () => String(randomInt(0, 10))).join("");
    const pinId = hexId();
    ctx.state.infobipTfa.savePin({
      pinId,
      applicationId: app.applicationId,
      accountId: acc.id,
      to: body.to,
      pin,
      expiresAt: Date.now() + app.configuration.pinTimeToLiveMs,
      attemptsRemaining: app.configuration.pinAttempts,
      verified: false,
    });
    const message: SentMessage = {
      id: pinId,
      provider: "infobip",
      accountId: acc.id,
      recipients: [body.to],
      createdAt: new Date().toISOString(),
      // The handset's view: the text with the PIN in it.
      meta: { text: template.messageText.replaceAll("{{pin}}", pin), from: body.from ?? template.senderId, twoFactor: true },
    };
    ctx.state.saveMessage(message);
    req.meta.messageIds.push(pinId);
    return json(200, { pinId, to: body.to, ncStatus: "NC_NOT_CONFIGURED", smsStatus: "MESSAGE_SENT" });
  };
}

function verifyPin(errors: ErrorShapes, pinId: string): RouteHandler {
  return async (req, ctx) => {
    const acc = account(req, ctx);
    if (!acc) return errors.auth();
    const body = req.json();
    req.meta.body = isRecord(body) ? { ...body, pin: "[pin]" } : body;
    const pin = ctx.state.infobipTfa.pins.get(pinId);
    if (!pin || pin.accountId !== acc.id) return serviceException(404, "NOT_FOUND", "PIN not found");
    const app = ctx.state.infobipTfa.apps.get(pin.applicationId)!;
    const answer = (verified: boolean, pinError?: string) =>
      json(200, { pinId, msisdn: pin.to, verified, attemptsRemaining: pin.attemptsRemaining, ...(pinError ? { pinError } : {}) });
    if (Date.now() > pin.expiresAt) return answer(false, "TTL_EXPIRED");
    if (pin.verified && !app.configuration.allowMultiplePinVerifications) return answer(false, "NO_MORE_PIN_ATTEMPTS");
    if (pin.attemptsRemaining <= 0) return answer(false, "NO_MORE_PIN_ATTEMPTS");
    if (isRecord(body) && body.pin === pin.pin) {
      pin.verified = true;
      return answer(true);
    }
    pin.attemptsRemaining -= 1;
    return answer(false, "WRONG_PIN");
  };
}

/** The 2FA routes, for the Infobip module's router. */
export function tfaRoute(method: string, path: string, errors: ErrorShapes): RouteHandler | null {
  if (method !== "POST") return null;
  if (path === "/2fa/2/applications") return createApplication(errors);
  if (path === "/2fa/2/pin") return sendPin(errors);
  const templates = /^\/2fa\/2\/applications\/([^/]+)\/messages$/.exec(path);
  if (templates) return createTemplate(errors, decodeURIComponent(templates[1]!));
  const verify = /^\/2fa\/2\/pin\/([^/]+)\/verify$/.exec(path);
  if (verify) return verifyPin(errors, decodeURIComponent(verify[1]!));
  return null;
}
