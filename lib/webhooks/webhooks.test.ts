import { foldUsageDeltas } from "@/db/queries/usage";
// Provider webhooks end to end: the simulator sends through Herald's real adapters and posts its
// signed webhooks (exactly as each provider signs them) to the real route over HTTP.
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages, messageStatusHistory, suppressions, usageConfigHourly, usageTenantHourly, webhookEvents, webhookRejections } from "@/db/schema";
import { POST as sendPost } from "@/app/api/v1/messages/route";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { signMailgun } from "@/e2e/simulator/providers/mailgun";
import { generateSendgridKeyPair, signSendgridEvent } from "@/e2e/simulator/providers/sendgrid";
import { signTwilio } from "@/e2e/simulator/providers/twilio";
import { createApiKey } from "@/lib/auth/api-keys";
import { runDeliveryAttempt } from "@/lib/messaging/delivery";
import { makeContext } from "@/lib/test/factories";
import { request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
const previousPublicUrl = process.env.HERALD_PUBLIC_URL;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 1 });
  bridge = await startWebhookBridge();
  // Twilio signs the URL it was given: the config's callback URL is built from this origin.
  process.env.HERALD_PUBLIC_URL = bridge.url;
});
afterAll(async () => {
  process.env.HERALD_PUBLIC_URL = previousPublicUrl;
  await sim?.close();
  await bridge?.close();
  await closeDb();
});

type Ctx = Awaited<ReturnType<typeof makeContext>>;

async function tenant() {
  const ctx = await makeContext("owner");
  const { key } = await createApiKey(ctx, { name: "t", scopes: ["messages:send", "messages:read", "usage:read", "webhooks:read"] });
  return { ctx, key };
}

const hookPath = (provider: string, id: string) => `/api/webhooks/${provider}/${id}`;

/** A config wired to a fresh simulator account, the account's webhook URL pointing at Herald. */
async function simConfig<P extends "sendgrid" | "mailgun" | "twilio" | "whatsapp" | "elks" | "infobip">(ctx: Ctx, provider: P) {
  const account = sim.createAccount({ provider });
  const a = account as unknown as Record<string, string>;
  const credentials: Record<string, Record<string, string>> = {
    sendgrid: { api_key_ref: a.apiKey!, webhook_signing_key_ref: a.publicKey! },
    mailgun: { api_key_ref: a.apiKey!, webhook_signing_key_ref: a.webhookSigningKey! },
    twilio: { account_sid_ref: a.accountSid!, auth_token_ref: a.authToken! },
    whatsapp: { access_token_ref: a.accessToken!, app_secret_ref: a.appSecret!, webhook_verify_token_ref: a.verifyToken! },
    elks: { api_username_ref: a.username!, api_password_ref: a.password! },
    infobip: { api_key_ref: a.apiKey! },
  };
  const extra: Record<string, Record<string, unknown>> = {
    mailgun: { domain: a.domain },
    whatsapp: { phone_number_id: a.phoneNumberId },
    infobip: { base_url: sim.url },
  };
  const config = await makeConfig(ctx, provider, { overrides: { api_base_url: sim.url, credentials: credentials[provider], ...extra[provider] } });
  const full = config as unknown as { id: string; dlr_callback_url?: string };
  const url = provider === "elks" ? full.dlr_callback_url! : `${bridge.url}${hookPath(provider, config.id)}`;
  sim.updateAccount(a.id!, { webhookUrl: url });
  return { config, account, webhookUrl: url };
}

async function send(key: string, body: Record<string, unknown>) {
  const res = await sendPost(request("/api/v1/messages", { method: "POST", key, body }), { params: Promise.resolve({}) });
  const json = (await res.json()) as { id: string; error?: { code: string } };
  return { status: res.status, json };
}

/** Accept through the API, deliver through the real adapter, wait for the simulator's webhooks. */
async function sendAndDeliver(key: string, tenantId: string, body: Record<string, unknown>) {
  const sent = await send(key, body);
  expect(sent.status, JSON.stringify(sent.json)).toBe(202);
  const r = await runDeliveryAttempt({ tenantId, messageId: sent.json.id, cursor: { hop: 0, tryInHop: 0 } });
  expect(r).toMatchObject({ kind: "done", status: "sent" });
  await sim.flush();
  return sent.json.id;
}

async function message(id: string) {
  const [m] = await getDb().select().from(messages).where(eq(messages.id, id));
  return m!;
}

async function eventCount(tenantId: string) {
  const [r] = await getDb().select({ n: sql<number>`count(*)::int` }).from(webhookEvents).where(eq(webhookEvents.tenantId, tenantId));
  return r!.n;
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${bridge.url}${path}`, { method: "POST", body, headers });
  return res;
}

function lastDelivery(accountId: string) {
  const d = sim.listWebhookDeliveries({ accountId }).at(-1);
  if (!d) throw new Error("no webhook delivered");
  return d;
}

function flipByte(body: string): string {
  const i = body.indexOf('"', Math.floor(body.length / 2));
  const at = i > 0 ? i - 1 : Math.floor(body.length / 2);
  const c = body[at]!;
  return body.slice(0, at) + (c === "a" ? "b" : "a") + body.slice(at + 1);
}

describe("SendGrid signed event webhook", () => {
  it("updates the message, rejects a changed byte, ignores 100 replays, keeps state forward and opens unique", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await simConfig(ctx, "sendgrid");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "email", config_id: config.id, to: [{ email: "ada@example.com" }], subject: "Hi", body_text: "Hello" });
    expect((await message(id)).status).toBe("delivered");
    const delivery = lastDelivery(account.id);
    expect(delivery.status).toBe(200);

    const before = await eventCount(ctx.tenantId);
    expect(before).toBe(2); // processed + delivered
    const tampered = await post(delivery.url.replace(bridge.url, ""), flipByte(delivery.body), delivery.headers);
    expect(tampered.status).toBe(401);
    expect(await eventCount(ctx.tenantId)).toBe(before);

    const sim1 = sim.getMessage(sim.listMessages({ accountId: account.id })[0]!.id);
    await sim.triggerEvent({ messageId: sim1.id, event: "open" });
    const open = lastDelivery(account.id);
    for (let i = 0; i < 100; i++) {
      const res = await post(open.url.replace(bridge.url, ""), open.body, open.headers);
      expect(res.status).toBe(200);
    }
    await sim.triggerEvent({ messageId: sim1.id, event: "open" });
    await sim.triggerEvent({ messageId: sim1.id, event: "click", url: "https://example.com/a" });
    await sim.triggerEvent({ messageId: sim1.id, event: "delivered" }); // late: must not downgrade
    const m = await message(id);
    expect(m).toMatchObject({ status: "clicked", opens: 2, uniqueOpens: 1, clicks: 1, uniqueClicks: 1 });
    const [row] = await getDb().select().from(webhookEvents).where(and(eq(webhookEvents.tenantId, ctx.tenantId), eq(webhookEvents.eventType, "open"))).orderBy(webhookEvents.receivedAt).limit(1);
    expect(row).toMatchObject({ duplicateCount: 100, status: "processed", messageId: id, verification: "ecdsa_p256" });
    const history = await getDb().select().from(messageStatusHistory).where(eq(messageStatusHistory.messageId, id));
    expect(history.map((h) => h.toStatus)).toEqual(expect.arrayContaining(["sending", "sent", "delivered", "opened", "clicked"]));
    expect(history.filter((h) => h.toStatus === "opened")).toHaveLength(1);
    expect(config.id).toBeTruthy();
  });

  it("rejects a stale or missing signature and keeps events of unknown messages as unmatched", async () => {
    const { ctx } = await tenant();
    const keys = generateSendgridKeyPair();
    const config = await makeConfig(ctx, "sendgrid", { overrides: { credentials: { api_key_ref: "SG.x", webhook_signing_key_ref: keys.publicKeyBase64 } } });
    const body = JSON.stringify([{ email: "x@example.com", event: "delivered", timestamp: 1, sg_event_id: randomUUID(), herald_message_id: randomUUID() }]) + "\r\n";
    const path = hookPath("sendgrid", config.id);
    const signed = (ts: string) => ({
      "content-type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signSendgridEvent(keys.privateKey, ts, body),
      "X-Twilio-Email-Event-Webhook-Timestamp": ts,
    });
    const stale = String(Math.floor(Date.now() / 1000) - 6 * 60);
    expect((await post(path, body, signed(stale))).status).toBe(401);
    expect((await post(path, body, { "content-type": "application/json" })).status).toBe(401);
    expect(await eventCount(ctx.tenantId)).toBe(0);
    const ok = await post(path, body, signed(String(Math.floor(Date.now() / 1000))));
    expect(ok.status).toBe(200);
    const [row] = await getDb().select().from(webhookEvents).where(eq(webhookEvents.tenantId, ctx.tenantId));
    expect(row).toMatchObject({ status: "unmatched", messageId: null });
    expect((await post(hookPath("sendgrid", randomUUID()), body, signed(String(Math.floor(Date.now() / 1000))))).status).toBe(404);
  });
});

describe("Mailgun webhooks", () => {
  it("updates the message, refuses a tampered or stale signature, and a hard bounce suppresses later sends", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await simConfig(ctx, "mailgun");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "email", config_id: config.id, to: [{ email: "Bob@Example.com" }], subject: "Hi", body_text: "Hello" });
    expect((await message(id)).status).toBe("delivered");
    const d = lastDelivery(account.id);
    const path = d.url.replace(bridge.url, "");
    const before = await eventCount(ctx.tenantId);
    // Mailgun signs timestamp + token (not the event data): a changed byte of the signature block is refused.
    const parsed = JSON.parse(d.body) as { signature: { signature: string } };
    const sig = parsed.signature.signature;
    const changed = d.body.replace(sig, sig.slice(0, -1) + (sig.endsWith("a") ? "b" : "a"));
    expect((await post(path, changed, d.headers)).status).toBe(401);
    // Correctly signed but 10 minutes old.
    const ts = String(Math.floor(Date.now() / 1000) - 600);
    const token = "t".repeat(50);
    const staleBody = JSON.stringify({ signature: { timestamp: ts, token, signature: signMailgun(account.webhookSigningKey, ts, token) }, "event-data": { id: "x1", event: "opened", timestamp: Number(ts) } });
    expect((await post(path, staleBody, { "content-type": "application/json" })).status).toBe(401);
    expect(await eventCount(ctx.tenantId)).toBe(before);

    const simMsg = sim.listMessages({ accountId: account.id })[0]!;
    await sim.triggerEvent({ messageId: simMsg.id, event: "bounce", bounceType: "hard" });
    const m = await message(id);
    expect(m).toMatchObject({ status: "bounced", bounceType: "hard" });
    const [s] = await getDb().select().from(suppressions).where(eq(suppressions.tenantId, ctx.tenantId));
    expect(s).toMatchObject({ channel: "email", address: "bob@example.com", reason: "hard_bounce" });

    const again = await send(key, { channel: "email", config_id: config.id, to: [{ email: "bob@example.com" }], subject: "Again", body_text: "Hello" });
    expect(again.status).toBe(422);
    expect(again.json.error?.code).toBe("COMM_SUPPRESSED");
  });
});

describe("Mailgun signature replay (the signature covers timestamp + token, not the event-data)", () => {
  type MailgunBody = { signature: { timestamp: string; token: string; signature: string }; "event-data": Record<string, unknown> };
  const rejections = async (configId: string) =>
    (await getDb().select().from(webhookRejections).where(eq(webhookRejections.configId, configId))).reduce((n, r) => n + r.count, 0);

  it("accepts the provider's own retry, refuses the signature on other event-data with 401 and records the rejection", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await simConfig(ctx, "mailgun");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "email", config_id: config.id, to: [{ email: "eve@example.com" }], subject: "Hi", body_text: "Hello" });
    expect((await message(id)).status).toBe("delivered");
    const d = lastDelivery(account.id);
    const path = d.url.replace(bridge.url, "");
    const before = await eventCount(ctx.tenantId);

    // Mailgun retrying the very same request: acknowledged as a duplicate.
    expect((await post(path, d.body, d.headers)).status).toBe(200);
    // The genuine signature pasted onto forged event-data: another event id, an unsubscribe.
    const genuine = JSON.parse(d.body) as MailgunBody;
    for (const event of ["unsubscribed", "complained", "clicked"]) {
      const forged = { ...genuine, "event-data": { ...genuine["event-data"], id: randomUUID(), event, url: "https://evil.example" } };
      const res = await post(path, JSON.stringify(forged), d.headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect(await eventCount(ctx.tenantId)).toBe(before);
    expect((await message(id)).status).toBe("delivered");
    expect(await getDb().select().from(suppressions).where(eq(suppressions.tenantId, ctx.tenantId))).toHaveLength(0);
    expect(await rejections(config.id)).toBe(3);
    const { GET } = await import("@/app/api/v1/webhook-events/rejections/route");
    const listed = await GET(request("/api/v1/webhook-events/rejections", { key }), { params: Promise.resolve({}) });
    expect(await listed.json()).toMatchObject({ data: [{ config_id: config.id, provider: "mailgun", reason: "replayed_signature", count: 3 }] });
  });

  it("of concurrent requests under one fresh signature with different event-data exactly one passes", async () => {
    const { ctx } = await tenant();
    const { config, account } = await simConfig(ctx, "mailgun");
    const ts = String(Math.floor(Date.now() / 1000));
    const token = randomUUID().replace(/-/g, "") + randomUUID().replace(/-/g, "").slice(0, 18);
    const signature = { timestamp: ts, token, signature: signMailgun(account.webhookSigningKey, ts, token) };
    const bodies = Array.from({ length: 8 }, (_, i) => JSON.stringify({ signature, "event-data": { id: `ev-${i}-${randomUUID()}`, event: "opened", timestamp: Number(ts) } }));
    const statuses = await Promise.all(bodies.map((b) => post(hookPath("mailgun", config.id), b, { "content-type": "application/json" }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);
    expect(await eventCount(ctx.tenantId)).toBe(1);
    expect(await rejections(config.id)).toBe(7);
  });

  it("an event naming another config's message is kept unmatched and never applied to it", async () => {
    const { ctx, key } = await tenant();
    const a = await simConfig(ctx, "mailgun");
    const b = await simConfig(ctx, "mailgun");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "email", config_id: a.config.id, to: [{ email: "kim@example.com" }], subject: "Hi", body_text: "Hello" });
    const ts = String(Math.floor(Date.now() / 1000));
    const token = randomUUID().replace(/-/g, "").repeat(2).slice(0, 50);
    const body = JSON.stringify({
      signature: { timestamp: ts, token, signature: signMailgun(b.account.webhookSigningKey, ts, token) },
      "event-data": { id: randomUUID(), event: "unsubscribed", timestamp: Number(ts), recipient: "kim@example.com", "user-variables": { herald_message_id: id } },
    });
    expect((await post(hookPath("mailgun", b.config.id), body, { "content-type": "application/json" })).status).toBe(200);
    const [row] = await getDb().select().from(webhookEvents).where(and(eq(webhookEvents.configId, b.config.id), eq(webhookEvents.eventType, "unsubscribe")));
    expect(row).toMatchObject({ status: "unmatched", messageId: null });
    expect((await message(id)).status).toBe("delivered");
    expect(await getDb().select().from(suppressions).where(eq(suppressions.tenantId, ctx.tenantId))).toHaveLength(0);
  });
});

describe("Twilio status callbacks and inbound SMS", () => {
  it("verifies X-Twilio-Signature over the public URL, updates the message and never downgrades", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await simConfig(ctx, "twilio");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "sms", config_id: config.id, to: "+46701234567", body: "Hej" });
    await sim.flush();
    const m = await message(id);
    expect(m.status).toBe("delivered");
    const d = lastDelivery(account.id);
    expect((await post(d.url.replace(bridge.url, ""), flipByte(d.body), d.headers)).status).toBe(401);
    await sim.triggerEvent({ messageId: m.providerMessageId!, event: "failed" });
    expect((await message(id)).status).toBe("delivered");

    // An inbound SMS to the number, signed like Twilio signs its messaging webhook.
    const params = { MessageSid: `SM${randomUUID().replace(/-/g, "")}`, From: "+46709999999", To: "+15005550006", Body: "STOP", SmsStatus: "received", AccountSid: account.accountSid };
    const url = `${bridge.url}${hookPath("twilio", config.id)}`;
    const res = await post(hookPath("twilio", config.id), new URLSearchParams(params).toString(), {
      "content-type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signTwilio(account.authToken, url, params),
    });
    expect(res.status).toBe(200);
    const inbound = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.direction, "inbound")));
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ status: "received", channel: "sms", recipient: "+46709999999", providerMessageId: params.MessageSid });
    const stopped = await send(key, { channel: "sms", config_id: config.id, to: "+46709999999", body: "Hej" });
    expect(stopped.json.error?.code).toBe("COMM_SUPPRESSED");
  });
});

describe("WhatsApp", () => {
  it("answers the hub challenge only with the verify token, records read, and stores inbound messages", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await simConfig(ctx, "whatsapp");
    const base = `${bridge.url}${hookPath("whatsapp", config.id)}`;
    const ok = await fetch(`${base}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(account.verifyToken)}&hub.challenge=12345`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("12345");
    expect((await fetch(`${base}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345`)).status).toBe(403);

    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "whatsapp", config_id: config.id, to: "+46701112233", body_text: "Hej" });
    await sim.flush();
    expect((await message(id)).status).toBe("delivered");
    const d = lastDelivery(account.id);
    expect((await post(d.url.replace(bridge.url, ""), flipByte(d.body), d.headers)).status).toBe(401);
    await sim.triggerEvent({ messageId: (await message(id)).providerMessageId!, event: "read" });
    const read = await message(id);
    expect(read.status).toBe("read");
    expect(read.readAt).not.toBeNull();

    await sim.triggerInbound({ accountId: account.id, from: "+46705556677", text: "Hello Herald", name: "Ada" });
    const [inbound] = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.direction, "inbound")));
    expect(inbound).toMatchObject({ channel: "whatsapp", status: "received", recipient: "+46705556677" });
    expect(inbound!.payload).toMatchObject({ body: "Hello Herald", name: "Ada" });
  });
});

describe("46elks and Infobip callback tokens", () => {
  it("46elks: a report with the token updates the message, a wrong token is refused, inbound SMS is stored", async () => {
    const { ctx, key } = await tenant();
    const { config, account, webhookUrl } = await simConfig(ctx, "elks");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "sms", config_id: config.id, to: "+46701234568", body: "Hej" });
    const m = await message(id);
    expect(m.status).toBe("delivered");
    const before = await eventCount(ctx.tenantId);
    const u = new URL(webhookUrl);
    const res = await post(`${u.pathname}?token=wrong`, new URLSearchParams({ id: m.providerMessageId!, status: "failed" }).toString(), { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(401);
    expect((await post(u.pathname, "id=x&status=failed", { "content-type": "application/x-www-form-urlencoded" })).status).toBe(401);
    expect(await eventCount(ctx.tenantId)).toBe(before);
    await sim.triggerInbound({ accountId: account.id, from: "+46708887766", text: "Hi" });
    const [inbound] = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.direction, "inbound")));
    expect(inbound).toMatchObject({ channel: "sms", status: "received", recipient: "+46708887766" });
  });

  it("Infobip: the delivery report updates the message and fills in parts and price", async () => {
    const { ctx, key } = await tenant();
    const { config } = await simConfig(ctx, "infobip");
    const id = await sendAndDeliver(key, ctx.tenantId, { channel: "sms", config_id: config.id, to: "+46701234569", body: "Hej" });
    const m = await message(id);
    expect(m).toMatchObject({ status: "delivered", costCurrency: "EUR", segments: 1 });
  });
});

describe("usage rollups", () => {
  it("equal the counts computed from the stored messages, and the usage API reports them", async () => {
    const { ctx, key } = await tenant();
    const { config, account } = await simConfig(ctx, "sendgrid");
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await sendAndDeliver(key, ctx.tenantId, { channel: "email", config_id: config.id, to: [{ email: `u${i}@example.com` }], subject: "Hi", body_text: "x" }));
    const simMsgs = sim.listMessages({ accountId: account.id });
    await sim.triggerEvent({ messageId: simMsgs[0]!.id, event: "open" });
    await sim.triggerEvent({ messageId: simMsgs[0]!.id, event: "open" });
    await sim.triggerEvent({ messageId: simMsgs[1]!.id, event: "click" });
    await sim.triggerEvent({ messageId: simMsgs[2]!.id, event: "bounce", bounceType: "block" });
    await sim.flush();

    const db = getDb();
    const [fromMessages] = await db
      .select({
        sent: sql<number>`count(*) filter (where sent_at is not null)::int`,
        // A bounce after delivery takes the delivery back (lib/usage/metric-definitions).
        delivered: sql<number>`count(*) filter (where delivered_at is not null and status <> 'bounced')::int`,
        opened: sql<number>`count(*) filter (where unique_opens > 0)::int`,
        clicked: sql<number>`count(*) filter (where unique_clicks > 0)::int`,
        bounced: sql<number>`count(*) filter (where status = 'bounced')::int`,
        failed: sql<number>`count(*) filter (where status in ('failed', 'undelivered'))::int`,
      })
      .from(messages)
      .where(eq(messages.tenantId, ctx.tenantId));
    // Increments are appended with each change and folded into the rollups (as reads do first).
    await foldUsageDeltas(db);
    const [fromConfigRollup] = await db
      .select({
        sent: sql<number>`sum(sent)::int`,
        delivered: sql<number>`sum(delivered)::int`,
        opened: sql<number>`sum(opened)::int`,
        clicked: sql<number>`sum(clicked)::int`,
        bounced: sql<number>`sum(bounced)::int`,
        failed: sql<number>`sum(failed)::int`,
      })
      .from(usageConfigHourly)
      .where(eq(usageConfigHourly.configId, config.id));
    const [fromTenantRollup] = await db
      .select({
        sent: sql<number>`sum(sent)::int`,
        delivered: sql<number>`sum(delivered)::int`,
        opened: sql<number>`sum(opened)::int`,
        clicked: sql<number>`sum(clicked)::int`,
        bounced: sql<number>`sum(bounced)::int`,
        failed: sql<number>`sum(failed)::int`,
      })
      .from(usageTenantHourly)
      .where(eq(usageTenantHourly.tenantId, ctx.tenantId));
    expect(fromMessages).toEqual({ sent: 4, delivered: 3, opened: 2, clicked: 1, bounced: 1, failed: 0 });
    expect(fromConfigRollup).toEqual(fromMessages);
    expect(fromTenantRollup).toEqual(fromMessages);

    const { GET } = await import("@/app/api/v1/usage/route");
    const res = await GET(request(`/api/v1/usage?config_id=${config.id}&granularity=day`, { key }), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { totals: Record<string, number>; series: unknown[] };
    expect(body.totals).toMatchObject({ sent: 4, delivered: 3, opened: 2, clicked: 1, bounced: 1, failed: 0, open_rate: 0.6667, click_rate: 0.3333 });
    expect(body.series.length).toBeGreaterThan(0);
    const bad = await GET(request(`/api/v1/usage?granularity=week`, { key }), { params: Promise.resolve({}) });
    expect(bad.status).toBe(422);
  });
});
