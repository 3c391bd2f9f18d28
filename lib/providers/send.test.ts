// Every provider adapter against the provider simulator over real HTTP, through the real SDKs.
import { randomUUID } from "node:crypto";
import { deleteApp, getApps } from "firebase-admin/app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderKind } from "@/db/schema/provider-configs";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { startReceiver, type Receiver } from "@/e2e/simulator/test-helpers";
import type { Account } from "@/e2e/simulator/types";
import { simConfigBody } from "@/lib/test/delivery";
import { configBody } from "@/lib/test/provider-configs";
import { settingsSchema } from "@/lib/validations/provider-configs";
import { ProviderSendError, type OutboundMessage } from "./adapter";
import { adapterFor } from "./registry";
import type { ConfigOf } from "./config-record";
import { onesignalIdempotencyKey } from "./onesignal/send";

let sim: Simulator;
let receiver: Receiver;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 7 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await Promise.all(getApps().map((a) => deleteApp(a)));
  await sim.close();
  await receiver.close();
});

/** A config record as the delivery workflow reads it, bound to a fresh simulator account. */
function simConfig<P extends ProviderKind>(provider: P, settings: Record<string, unknown> = {}) {
  const account = sim.createAccount({ provider });
  const body = configBody(provider, simConfigBody(account, sim.url));
  const { credentials: rawCredentials, ...rest } = body as Record<string, unknown> & { credentials: Record<string, string> };
  const config = {
    id: randomUUID(),
    tenantId: randomUUID(),
    provider,
    displayName: String(rest.display_name),
    status: "active",
    settings: settingsSchema(provider).parse({ ...rest, ...settings }),
    credentials: {},
    apiBaseUrl: sim.url,
  } as unknown as ConfigOf<P>;
  return { config, credentials: rawCredentials, account };
}

function message(channel: OutboundMessage["channel"], recipient: string, payload: Record<string, unknown>): OutboundMessage {
  const id = randomUUID();
  return { id, tenantId: randomUUID(), channel, recipient, providerReference: `hm_${id}`, templateId: null, payload };
}

const opts = { timeoutMs: 5_000 };
const lastRequest = (account: Account) => sim.listRequests({ accountId: account.id }).at(-1)!;

async function sendError(p: Promise<unknown>): Promise<ProviderSendError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderSendError);
  return err as ProviderSendError;
}

describe("sendgrid adapter (@sendgrid/mail)", () => {
  const email = { to: [{ email: "ada@example.com", name: "Ada" }], subject: "Hi", body_text: "Hello", custom_args: { campaign: "c1" }, categories: ["welcome"] };

  it("sends with Herald's message id and the stable reference as custom args, returns X-Message-Id", async () => {
    const { config, credentials, account } = simConfig("sendgrid");
    const msg = message("email", "ada@example.com", email);
    const result = await adapterFor("sendgrid").send(config, credentials, msg, opts);
    expect(result.providerMessageId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    const req = lastRequest(account);
    expect(req.idempotencyRef).toBe(msg.providerReference);
    const body = req.body as { custom_args: unknown; personalizations: { to: unknown }[]; from: unknown; categories: unknown; mail_settings: { sandbox_mode: { enable: unknown } } };
    expect(body.custom_args).toMatchObject({ herald_message_id: msg.id, idempotency_key: msg.providerReference, campaign: "c1" });
    expect(body.personalizations[0]!.to).toEqual([{ email: "ada@example.com", name: "Ada" }]);
    expect(body.from).toEqual({ email: "noreply@example.com", name: "Herald" });
    expect(body.categories).toEqual(["welcome"]);
    expect(body.mail_settings.sandbox_mode.enable).toBe(false);
    expect(sim.getMessage(result.providerMessageId).recipients).toEqual(["ada@example.com"]);
  });

  it("classifies 5xx, 429 (with Retry-After), invalid recipient and a bad key", async () => {
    const { config, credentials, account } = simConfig("sendgrid");
    const send = () => adapterFor("sendgrid").send(config, credentials, message("email", "ada@example.com", email), opts);
    const rule1 = sim.addFailureRule({ accountId: account.id, mode: "server_error", status: 503, count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "retryable", httpStatus: 503 });
    sim.removeFailureRule(rule1.id);
    sim.addFailureRule({ accountId: account.id, mode: "rate_limit", retryAfterSeconds: 2, count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "rate_limited", httpStatus: 429, retryAfterMs: 2000 });
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "invalid_recipient", httpStatus: 400 });
    const bad = await sendError(adapterFor("sendgrid").send(config, { ...credentials, api_key_ref: "SG.wrong" }, message("email", "a@b.co", email), opts));
    expect(bad).toMatchObject({ kind: "auth", httpStatus: 401 });
  });

  it("treats a provider that holds the connection past the timeout as retryable", async () => {
    const { config, credentials, account } = simConfig("sendgrid");
    sim.addFailureRule({ accountId: account.id, mode: "timeout", holdMs: 2_000, count: 1 });
    const err = await sendError(adapterFor("sendgrid").send(config, credentials, message("email", "ada@example.com", email), { timeoutMs: 300 }));
    expect(err.kind).toBe("retryable");
  });
});

describe("mailgun adapter (multipart)", () => {
  it("posts a multipart form with v: variables and returns Mailgun's id", async () => {
    const { config, credentials, account } = simConfig("mailgun");
    const msg = message("email", "ada@example.com", { to: [{ email: "ada@example.com", name: "Ada L" }], subject: "Hi", body_html: "<b>x</b>", categories: ["a"] });
    const result = await adapterFor("mailgun").send(config, credentials, msg, opts);
    expect(result.providerMessageId).toMatch(/^<.+@.+>$/);
    const req = lastRequest(account);
    expect(req.contentType).toMatch(/^multipart\/form-data/);
    expect(req.idempotencyRef).toBe(msg.providerReference);
    const body = req.body as Record<string, unknown>;
    expect(body["v:herald_message_id"]).toBe(msg.id);
    expect(body.to).toBe('"Ada L" <ada@example.com>');
    expect(body["o:tag"]).toBe("a");
  });

  it("classifies errors", async () => {
    const { config, credentials, account } = simConfig("mailgun");
    const send = () => adapterFor("mailgun").send(config, credentials, message("email", "a@b.co", { to: [{ email: "a@b.co" }], subject: "s", body_text: "t" }), opts);
    sim.addFailureRule({ accountId: account.id, mode: "server_error", status: 502, count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "retryable", httpStatus: 502 });
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "invalid_recipient" });
    sim.addFailureRule({ accountId: account.id, mode: "auth_error", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "auth", httpStatus: 401 });
  });
});

describe("46elks adapter (form)", () => {
  it("sends with the delivery-report URL and reports parts and cost", async () => {
    const { config, credentials, account } = simConfig("elks");
    const msg = message("sms", "+46700000001", { to: "+46700000001", body: "Hej från Herald" });
    const result = await adapterFor("elks").send(config, credentials, msg, { ...opts, callbackUrl: `${receiver.url}/dlr` });
    expect(result.providerMessageId).toMatch(/^s[0-9a-f]{32}$/);
    expect(result.segments).toBe(1);
    expect(result.cost?.currency).toBe("SEK");
    expect(lastRequest(account).body).toMatchObject({ from: "Herald", to: "+46700000001", whendelivered: `${receiver.url}/dlr` });
    await receiver.waitFor(1, "/dlr");
  });

  it("classifies 429 and a bad number", async () => {
    const { config, credentials, account } = simConfig("elks");
    sim.addFailureRule({ accountId: account.id, mode: "rate_limit", retryAfterSeconds: 1, count: 1 });
    const send = (to: string) => adapterFor("elks").send(config, credentials, message("sms", to, { to, body: "x" }), opts);
    expect(await sendError(send("+46700000002"))).toMatchObject({ kind: "rate_limited", retryAfterMs: 1000 });
    expect(await sendError(send("0700"))).toMatchObject({ kind: "invalid_recipient", httpStatus: 400 });
  });
});

describe("twilio adapter (twilio SDK)", () => {
  it("creates a message with StatusCallback and returns the SM sid and segments", async () => {
    const { config, credentials, account } = simConfig("twilio");
    const msg = message("sms", "+15005550010", { to: "+15005550010", body: "Hello" });
    const result = await adapterFor("twilio").send(config, credentials, msg, { ...opts, callbackUrl: `${receiver.url}/status` });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.segments).toBe(1);
    expect(lastRequest(account).body).toMatchObject({ To: "+15005550010", From: "+15005550006", StatusCallback: `${receiver.url}/status` });
  });

  it("maps Twilio error codes: 21211 invalid recipient, 20003 auth, 5xx retryable", async () => {
    const { config, credentials, account } = simConfig("twilio");
    const send = () => adapterFor("twilio").send(config, credentials, message("sms", "+15005550011", { to: "+15005550011", body: "x" }), opts);
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "invalid_recipient", code: "21211" });
    sim.addFailureRule({ accountId: account.id, mode: "server_error", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "retryable", httpStatus: 500 });
    const bad = adapterFor("twilio").send(config, { ...credentials, auth_token_ref: "wrong" }, message("sms", "+15005550011", { to: "+15005550011", body: "x" }), opts);
    expect(await sendError(bad)).toMatchObject({ kind: "auth", code: "20003" });
  });
});

describe("infobip adapter", () => {
  it("sends with the reference as the client messageId and Herald's id as callbackData", async () => {
    const { config, credentials, account } = simConfig("infobip");
    const msg = message("sms", "+41793026727", { to: "+41793026727", body: "Hi" });
    const result = await adapterFor("infobip").send(config, credentials, msg, { ...opts, callbackUrl: `${receiver.url}/ib` });
    expect(result.providerMessageId).toBe(msg.providerReference);
    const req = lastRequest(account);
    expect(req.idempotencyRef).toBe(msg.providerReference);
    expect((req.body as { messages: unknown[] }).messages[0]).toMatchObject({ callbackData: msg.id, notifyUrl: `${receiver.url}/ib`, from: "InfoSMS" });
  });

  it("reads a per-destination rejection as an invalid recipient", async () => {
    const { config, credentials, account } = simConfig("infobip");
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    const err = await sendError(adapterFor("infobip").send(config, credentials, message("sms", "+41793026728", { to: "+41793026728", body: "Hi" }), opts));
    expect(err).toMatchObject({ kind: "invalid_recipient", code: "REJECTED_DESTINATION" });
  });
});

describe("fcm adapter (firebase-admin)", () => {
  it("sends through the real SDK and returns the message name", async () => {
    const { config, credentials, account } = simConfig("fcm");
    const msg = message("push", "tok-1", { target: { device_token: "tok-1", platform: "android" }, title: "T", body: "B", data: { k: "v" }, ttl_seconds: 60 });
    const result = await adapterFor("fcm").send(config, credentials, msg, opts);
    expect(result.providerMessageId).toMatch(new RegExp(`^projects/${(account as { projectId: string }).projectId}/messages/`));
    const sent = (lastRequest(account).body as { message: { android: { ttl: string } } & Record<string, unknown> }).message;
    expect(sent).toMatchObject({ token: "tok-1", notification: { title: "T", body: "B" }, data: { k: "v", herald_message_id: msg.id } });
    expect(sent.android.ttl).toBe("60s");
  });

  it("reports UNREGISTERED as an unregistered token and QUOTA_EXCEEDED as rate limited", async () => {
    const { config, credentials, account } = simConfig("fcm");
    const send = () => adapterFor("fcm").send(config, credentials, message("push", "tok-2", { target: { device_token: "tok-2", platform: "ios" }, title: "T" }), opts);
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "unregistered_token", code: "UNREGISTERED" });
    sim.addFailureRule({ accountId: account.id, mode: "rate_limit", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "rate_limited" });
    // (firebase-admin itself retries a 503; a 500 INTERNAL comes straight back.)
    sim.addFailureRule({ accountId: account.id, mode: "server_error", status: 500, count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "retryable", code: "internal-error" });
  });
});

describe("onesignal adapter", () => {
  it("is idempotent on the provider reference: a repeat returns the same notification", async () => {
    const { config, credentials, account } = simConfig("onesignal");
    const msg = message("push", "player-1", { target: { player_id: "player-1", platform: "ios" }, title: "T", body: "B" });
    const first = await adapterFor("onesignal").send(config, credentials, msg, opts);
    const again = await adapterFor("onesignal").send(config, credentials, msg, opts);
    expect(again.providerMessageId).toBe(first.providerMessageId);
    expect(sim.listMessages({ accountId: account.id })).toHaveLength(1);
    const req = lastRequest(account);
    expect(req.idempotencyRef).toBe(onesignalIdempotencyKey(msg.providerReference));
    expect(req.body).toMatchObject({ include_subscription_ids: ["player-1"], headings: { en: "T" }, contents: { en: "B" } });
  });

  it("reports an unsubscribed player as an unregistered token", async () => {
    const { config, credentials, account } = simConfig("onesignal");
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    const err = await sendError(adapterFor("onesignal").send(config, credentials, message("push", "p-x", { target: { player_id: "p-x", platform: "ios" }, body: "B" }), opts));
    expect(err.kind).toBe("unregistered_token");
  });
});

describe("whatsapp adapter", () => {
  it("sends a template with the reference as biz_opaque_callback_data", async () => {
    const { config, credentials, account } = simConfig("whatsapp");
    const msg = message("whatsapp", "+46700000003", { to: "+46700000003", template_name: "order_update", template_language: "en-US", template_parameters: ["42"] });
    const result = await adapterFor("whatsapp").send(config, credentials, msg, opts);
    expect(result.providerMessageId).toMatch(/^wamid\./);
    const req = lastRequest(account);
    expect(req.idempotencyRef).toBe(msg.providerReference);
    expect(req.body).toMatchObject({
      to: "46700000003",
      type: "template",
      template: { name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "42" }] }] },
    });
  });

  it("maps Graph errors: 131030 invalid recipient, 130429 rate limited, 190 auth", async () => {
    const { config, credentials, account } = simConfig("whatsapp");
    const send = () => adapterFor("whatsapp").send(config, credentials, message("whatsapp", "+46700000004", { to: "+46700000004", body_text: "hi" }), opts);
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "invalid_recipient", code: "131030" });
    sim.addFailureRule({ accountId: account.id, mode: "rate_limit", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "rate_limited", code: "130429" });
    sim.addFailureRule({ accountId: account.id, mode: "auth_error", count: 1 });
    expect(await sendError(send())).toMatchObject({ kind: "auth", code: "190" });
  });
});
