import { foldUsageDeltas } from "@/db/queries/usage";
// The delivery workflow end to end: outbox → pg-boss → provider simulator (HTTP) → Postgres → RabbitMQ.
import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from "amqplib";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { listAttemptsForMessage } from "@/db/queries/message-delivery";
import { communicationEvents, deviceTokens, messages, messageStatusHistory, providerConfigs } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { closeBroker, configureBroker, DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { emitEvent } from "@/lib/jobs/emit";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { outboxSettings, publishOnce } from "@/lib/broker/outbox-publisher";
import { communicationEventSource } from "@/lib/messaging/communication-events";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessage } from "@/lib/test/delivery";

const run = randomUUID().slice(0, 8);
const exchange = `herald-test-comm-${run}`;
const dlq = `herald-test-dlq-${run}`;
const brokerUrl = process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
process.env.HERALD_COMMUNICATION_EXCHANGE = exchange;
process.env.HERALD_COMMUNICATION_DLQ = dlq;
process.env.HERALD_DELIVERY_BACKOFF_MS = "50";
process.env.HERALD_BROKER_RETRY_BASE_MS = "100";
process.env.HERALD_BROKER_RETRY_MAX_MS = "500";

let sim: Simulator;
let admin: ChannelModel;
let ch: Channel;
const received: ConsumeMessage[] = [];

beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 11 });
  admin = await amqp.connect(brokerUrl);
  ch = await admin.createChannel();
  await ch.assertExchange(exchange, "topic", { durable: true });
  const q = await ch.assertQueue("", { exclusive: true });
  await ch.bindQueue(q.queue, exchange, "communication.#");
  await ch.consume(q.queue, (m) => m && received.push(m), { noAck: true });
  await startJobEngine({ workflows, runWorkers: true });
});

afterAll(async () => {
  await stopJobEngine();
  await ch.deleteExchange(exchange).catch(() => {});
  await ch.deleteQueue(dlq).catch(() => {});
  await admin.close();
  await closeBroker();
  await sim.close();
  await closeDb();
});

const email = (to = `u${randomUUID().slice(0, 6)}@example.com`) => ({
  recipient: to,
  payload: { to: [{ email: to }], subject: "Hello", body_text: "Hi there" },
});

async function terminal(tenantId: string, id: string, timeoutMs = 20_000) {
  return waitFor(async () => {
    const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
    return m && (m.status === "sent" || m.status === "failed") ? m : undefined;
  }, timeoutMs, 50);
}

async function published(messageId: string, timeoutMs = 10_000) {
  return waitFor(async () => {
    const got = received.filter((m) => m.properties.correlationId === messageId);
    return got.length > 0 ? got : undefined;
  }, timeoutMs, 50);
}

interface Envelope {
  event: string;
  meta: { process_ms: unknown };
  data: Record<string, unknown>;
  error: { error_message: string } & Record<string, unknown>;
}
const body = (m: ConsumeMessage) => JSON.parse(m.content.toString()) as Envelope;
const attemptsOf = (tenantId: string, messageId: string) => listAttemptsForMessage(getDb(), { tenantId, messageId });

describe("deliver-message workflow", () => {
  it("sends on the first hop, records attempt and history, and publishes one communication.sent.v1", async () => {
    const ctx = await makeContext("admin");
    const { config, account } = await makeSimConfig(ctx, sim, "sendgrid");
    const e = email();
    const msg = await queueMessage(ctx, {
      channel: "email",
      route: [config],
      ...e,
      actionId: "act_1",
      context: { device_id: "400000011D081B70", raw_id: 12345, iccid: null },
    });
    const done = await terminal(ctx.tenantId, msg.id);
    expect(done.status).toBe("sent");
    expect(done.attemptCount).toBe(1);
    const [request] = sim.listRequests({ accountId: account.id });
    expect(request!.idempotencyRef).toBe(msg.providerReference);
    expect(done.providerMessageId).toBe(request!.messageIds[0]);

    const attempts = await attemptsOf(ctx.tenantId, msg.id);
    expect(attempts.map((a) => a.outcome)).toEqual(["sent"]);
    expect(attempts[0]!.requestSummary).not.toHaveProperty("api_key_ref");
    expect(JSON.stringify(attempts[0]!.requestSummary)).not.toContain((account as { apiKey: string }).apiKey);
    const history = await getDb().select().from(messageStatusHistory).where(eq(messageStatusHistory.messageId, msg.id));
    expect(history.map((h) => h.toStatus)).toEqual(["queued", "sending", "sent"]);

    const [event] = await published(msg.id);
    expect(event!.fields.routingKey).toBe("communication.sent.v1");
    expect(event!.properties.deliveryMode).toBe(2);
    const envelope = body(event!);
    expect(envelope).toMatchObject({
      event: "communication.sent.v1",
      meta: { trace_id: msg.traceId, producer_service: "communication-service" },
      context: { device_id: "400000011D081B70", raw_id: 12345, iccid: null },
      data: { action_id: "act_1", channel: "email", recipient: e.recipient, provider: "sendgrid", provider_message_id: done.providerMessageId, attempt: 1 },
      error: null,
    });
    expect(typeof envelope.meta.process_ms).toBe("number");
    const [row] = await getDb().select().from(communicationEvents).where(eq(communicationEvents.messageId, msg.id));
    await waitFor(async () => {
      const [r] = await getDb().select().from(communicationEvents).where(eq(communicationEvents.id, row!.id));
      return r?.status === "published";
    });
    // Usage counters are batched once a second.
    // Usage is appended with the outcome and folded into the counters (as reads do).
    await foldUsageDeltas(getDb());
    await waitFor(async () => (await getDb().select().from(providerConfigs).where(eq(providerConfigs.id, config.id)))[0]?.sentCount === 1);
  });

  it("retries 5xx within the hop, then falls back SendGrid → Mailgun, recording every attempt", async () => {
    const ctx = await makeContext("admin");
    const sg = await makeSimConfig(ctx, sim, "sendgrid");
    const mg = await makeSimConfig(ctx, sim, "mailgun");
    sim.addFailureRule({ accountId: sg.account.id, mode: "server_error", status: 503 });
    const msg = await queueMessage(ctx, { channel: "email", route: [sg.config, mg.config], ...email() });
    const done = await terminal(ctx.tenantId, msg.id);
    expect(done.status).toBe("sent");
    expect(done.provider).toBe("mailgun");
    const attempts = await attemptsOf(ctx.tenantId, msg.id);
    expect(attempts.map((a) => [a.provider, a.outcome, a.responseCode])).toEqual([
      ["sendgrid", "retry", 503],
      ["sendgrid", "retry", 503],
      ["sendgrid", "fallback", 503],
      ["mailgun", "sent", 200],
    ]);
    // Every SendGrid call and the Mailgun call carried the same reference.
    const refs = [...sim.listRequests({ accountId: sg.account.id }), ...sim.listRequests({ accountId: mg.account.id })].map((r) => r.idempotencyRef);
    expect(new Set(refs)).toEqual(new Set([msg.providerReference]));
    const [event] = await published(msg.id);
    expect(body(event!).data).toMatchObject({ provider: "mailgun", attempt: 4 });
  });

  it("fails an invalid recipient at once, without fallback, with one communication.failed.v1", async () => {
    const ctx = await makeContext("admin");
    const sg = await makeSimConfig(ctx, sim, "sendgrid");
    const mg = await makeSimConfig(ctx, sim, "mailgun");
    sim.addFailureRule({ accountId: sg.account.id, mode: "invalid_recipient" });
    const msg = await queueMessage(ctx, { channel: "email", route: [sg.config, mg.config], ...email() });
    const done = await terminal(ctx.tenantId, msg.id);
    expect(done).toMatchObject({ status: "failed", errorCode: "COMM_INVALID_RECIPIENT", retryable: false, attemptCount: 1 });
    expect((await attemptsOf(ctx.tenantId, msg.id)).map((a) => a.outcome)).toEqual(["failed"]);
    expect(sim.listRequests({ accountId: mg.account.id })).toHaveLength(0);
    const [event] = await published(msg.id);
    expect(event!.fields.routingKey).toBe("communication.failed.v1");
    expect(body(event!)).toMatchObject({
      event: "communication.failed.v1",
      data: { channel: "email", provider: "sendgrid", attempt: 1 },
      error: { failed_stage: "communication", error_code: "COMM_INVALID_RECIPIENT", retryable: false },
    });
    expect(body(event!).error.error_message).toMatch(/sendgrid HTTP 400/);
  });

  it("honours Retry-After on a 429 before retrying the same provider", async () => {
    const ctx = await makeContext("admin");
    const { config, account } = await makeSimConfig(ctx, sim, "elks");
    sim.addFailureRule({ accountId: account.id, mode: "rate_limit", retryAfterSeconds: 1, count: 1 });
    const msg = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000100", payload: { to: "+46700000100", body: "Hej" } });
    const done = await terminal(ctx.tenantId, msg.id);
    expect(done.status).toBe("sent");
    const [first, second] = await attemptsOf(ctx.tenantId, msg.id);
    expect(first).toMatchObject({ outcome: "retry", responseCode: 429, retryable: true });
    expect(second!.outcome).toBe("sent");
    expect(second!.startedAt.getTime() - first!.finishedAt!.getTime()).toBeGreaterThanOrEqual(950);
  });

  it("moves a config whose credentials are refused to error and falls back 46elks → Twilio", async () => {
    const ctx = await makeContext("admin");
    const elks = await makeSimConfig(ctx, sim, "elks");
    const twilio = await makeSimConfig(ctx, sim, "twilio");
    sim.addFailureRule({ accountId: elks.account.id, mode: "auth_error" });
    const msg = await queueMessage(ctx, { channel: "sms", route: [elks.config, twilio.config], recipient: "+46700000101", payload: { to: "+46700000101", body: "Hej" } });
    const done = await terminal(ctx.tenantId, msg.id);
    expect(done).toMatchObject({ status: "sent", provider: "twilio" });
    expect((await attemptsOf(ctx.tenantId, msg.id)).map((a) => [a.provider, a.outcome])).toEqual([
      ["elks", "fallback"],
      ["twilio", "sent"],
    ]);
    const [cfg] = await getDb().select().from(providerConfigs).where(eq(providerConfigs.id, elks.config.id));
    expect(cfg!.status).toBe("error");
    expect(cfg!.lastError).toMatch(/credentials/);
  });

  it("skips a paused config, and fails with COMM_NO_ROUTE when nothing in the route is active", async () => {
    const ctx = await makeContext("admin");
    const paused = await makeSimConfig(ctx, sim, "sendgrid", { status: "paused" });
    const mg = await makeSimConfig(ctx, sim, "mailgun");
    const skipped = await queueMessage(ctx, { channel: "email", route: [paused.config, mg.config], ...email() });
    expect((await terminal(ctx.tenantId, skipped.id)).provider).toBe("mailgun");
    expect((await attemptsOf(ctx.tenantId, skipped.id)).map((a) => a.outcome)).toEqual(["skipped", "sent"]);
    expect(sim.listRequests({ accountId: paused.account.id })).toHaveLength(0);

    const none = await queueMessage(ctx, { channel: "email", route: [paused.config], ...email() });
    expect(await terminal(ctx.tenantId, none.id)).toMatchObject({ status: "failed", errorCode: "COMM_NO_ROUTE", attemptCount: 0 });
    const [event] = await published(none.id);
    expect(body(event!).error).toMatchObject({ error_code: "COMM_NO_ROUTE", retryable: false });
  });

  it("deactivates a device token FCM reports UNREGISTERED", async () => {
    const ctx = await makeContext("admin");
    const { config, account } = await makeSimConfig(ctx, sim, "fcm");
    const token = `tok-${randomUUID()}`;
    sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", recipient: token });
    const msg = await queueMessage(ctx, { channel: "push", route: [config], recipient: token, payload: { target: { device_token: token, platform: "android" }, title: "T" } });
    expect(await terminal(ctx.tenantId, msg.id)).toMatchObject({ status: "failed", errorCode: "COMM_DEVICE_UNREGISTERED" });
    const [row] = await getDb().select().from(deviceTokens).where(and(eq(deviceTokens.tenantId, ctx.tenantId), eq(deviceTokens.token, token)));
    expect(row).toMatchObject({ active: false, reason: "UNREGISTERED", lastMessageId: msg.id });
  });

  it("never sends twice: duplicate runs of the same message make one send and one event", async () => {
    const ctx = await makeContext("admin");
    const { config, account } = await makeSimConfig(ctx, sim, "onesignal");
    const msg = await queueMessage(ctx, { channel: "push", route: [config], recipient: "player-dup", payload: { target: { player_id: "player-dup", platform: "ios" }, title: "T" } });
    // Two more runs racing the first one (the engines dedupe by event id, so new ids).
    await Promise.all([1, 2].map(() => emitEvent("herald/message.queued", { tenantId: ctx.tenantId, messageId: msg.id }, { tenantId: ctx.tenantId, id: randomUUID() })));
    const done = await terminal(ctx.tenantId, msg.id);
    await published(msg.id);
    await new Promise((r) => setTimeout(r, 1500));
    const requests = sim.listRequests({ accountId: account.id });
    // A racing run may repeat the call, but always with the same reference: OneSignal dedupes it.
    expect(new Set(requests.map((r) => r.idempotencyRef)).size).toBe(1);
    expect(sim.listMessages({ accountId: account.id })).toHaveLength(1);
    expect(received.filter((m) => m.properties.correlationId === msg.id)).toHaveLength(1);
    expect((await attemptsOf(ctx.tenantId, msg.id)).filter((a) => a.outcome === "sent")).toHaveLength(1);

    // A run after the message was sent calls nobody.
    const before = sim.listRequests({ accountId: account.id }).length;
    await emitEvent("herald/message.queued", { tenantId: ctx.tenantId, messageId: msg.id }, { tenantId: ctx.tenantId, id: randomUUID() });
    await new Promise((r) => setTimeout(r, 1500));
    expect(sim.listRequests({ accountId: account.id })).toHaveLength(before);
    expect(done.status).toBe("sent");
  });
});

describe("communication event outbox", () => {
  it("keeps the event while the broker is down and publishes it once the broker is back", async () => {
    const ctx = await makeContext("admin");
    const { config } = await makeSimConfig(ctx, sim, "sendgrid");
    await configureBroker({ url: "amqp://guest:guest@127.0.0.1:1" });
    try {
      const msg = await queueMessage(ctx, { channel: "email", route: [config], ...email() });
      await terminal(ctx.tenantId, msg.id);
      const pending = await waitFor(async () => {
        const [r] = await getDb().select().from(communicationEvents).where(eq(communicationEvents.messageId, msg.id));
        return r && r.publishAttempts > 0 ? r : undefined;
      });
      expect(pending.status).toBe("pending");
      expect(pending.lastError).toMatch(/unreachable/);
      await configureBroker({ url: brokerUrl });
      const [event] = await published(msg.id, 20_000);
      expect(body(event!).event).toBe("communication.sent.v1");
      await waitFor(async () => {
        const [r] = await getDb().select().from(communicationEvents).where(eq(communicationEvents.messageId, msg.id));
        return r?.status === "published";
      });
    } finally {
      await configureBroker({ url: brokerUrl });
    }
  });

  it("holds events when no broker is configured, and dead-letters to the DLQ past the retry budget", async () => {
    const ctx = await makeContext("admin");
    const { config } = await makeSimConfig(ctx, sim, "sendgrid");
    // No broker configured: the engine runs without the broker outbox; events wait in their table.
    await stopJobEngine();
    const saved = { broker: process.env.HERALD_BROKER, url: process.env.RABBITMQ_URL };
    process.env.HERALD_BROKER = "off";
    delete process.env.RABBITMQ_URL;
    let eventId: string;
    let msgId: string;
    try {
      await startJobEngine({ workflows, runWorkers: true });
      const msg = await queueMessage(ctx, { channel: "email", route: [config], ...email() });
      msgId = msg.id;
      await terminal(ctx.tenantId, msg.id);
      const row = await waitFor(async () => (await getDb().select().from(communicationEvents).where(eq(communicationEvents.messageId, msg.id)))[0]);
      eventId = row.id;
      await new Promise((r) => setTimeout(r, 500));
      const [held] = await getDb().select().from(communicationEvents).where(eq(communicationEvents.id, eventId));
      expect(held).toMatchObject({ status: "pending", publishAttempts: 0 });
    } finally {
      await stopJobEngine();
      process.env.HERALD_BROKER = saved.broker;
      if (saved.url) process.env.RABBITMQ_URL = saved.url;
      if (saved.broker === undefined) delete process.env.HERALD_BROKER;
    }
    // The broker cannot take it (the exchange exists with another type) on the attempt that
    // runs out of the budget (0 ms here): dead-lettered, with a copy on the DLQ.
    const broken = `herald-test-broken-${run}`;
    await ch.assertExchange(broken, "direct", { durable: false, autoDelete: false });
    await getDb().update(communicationEvents).set({ exchange: broken }).where(eq(communicationEvents.id, eventId));
    const round = await publishOnce({ ...communicationEventSource, budgetMs: 0 }, outboxSettings());
    expect(round).toMatchObject({ published: 0, deadLettered: 1 });
    await ch.deleteExchange(broken);
    const [row] = await getDb().select().from(communicationEvents).where(eq(communicationEvents.id, eventId));
    expect(row).toMatchObject({ status: "dead_lettered" });
    expect(row!.deadLetteredAt).toBeInstanceOf(Date);
    const dead = await waitFor(async () => (await ch.get(dlq, { noAck: true })) || undefined);
    expect(dead.properties.correlationId).toBe(msgId);
    expect(dead.properties.headers?.["x-original-exchange"]).toBe(broken);
  });
});
