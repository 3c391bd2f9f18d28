// Chaos: 1,000 sends with the simulator failing 30 % of provider calls (5xx, 429, dropped connections).
import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from "amqplib";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { communicationEvents, messageAttempts, messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { closeBroker, DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessages, type QueueInput } from "@/lib/test/delivery";

const run = randomUUID().slice(0, 8);
const exchange = `herald-test-chaos-${run}`;
process.env.HERALD_COMMUNICATION_EXCHANGE = exchange;
process.env.HERALD_COMMUNICATION_DLQ = `herald-test-chaos-dlq-${run}`;
process.env.HERALD_DELIVERY_BACKOFF_MS = "100";
// Generous: the failure rules decide what fails, not a loaded machine's scheduling delay.
process.env.HERALD_PROVIDER_TIMEOUT_MS = "3000";
process.env.DATABASE_POOL_SIZE = "20";

const N = 1000;
let sim: Simulator;
let admin: ChannelModel;
let ch: Channel;
const received: ConsumeMessage[] = [];

beforeAll(async () => {
  // Rules are tried in order, each with its own probability: 10 % + 10 % + 10 % of all calls.
  sim = await startSimulator({ webhookDelayMs: 5, seed: 2024 });
  sim.addFailureRule({ mode: "server_error", status: 503, rate: 0.1 });
  sim.addFailureRule({ mode: "rate_limit", retryAfterSeconds: 1, rate: 0.1 / 0.9 });
  sim.addFailureRule({ mode: "timeout", holdMs: 300, rate: 0.1 / 0.8 });
  admin = await amqp.connect(process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL);
  ch = await admin.createChannel();
  await ch.assertExchange(exchange, "topic", { durable: true });
  const q = await ch.assertQueue("", { exclusive: true });
  await ch.bindQueue(q.queue, exchange, "communication.*.v1");
  await ch.consume(q.queue, (m) => m && received.push(m), { noAck: true });
  await startJobEngine({
    workflows: workflows.map((w) => (w.id === "deliver-message" ? { ...w, concurrency: 64 } : w)),
    runWorkers: true,
  });
});

afterAll(async () => {
  await stopJobEngine();
  await ch.deleteExchange(exchange).catch(() => {});
  await admin.close();
  await closeBroker();
  await sim.close();
  await closeDb();
});

describe("delivery under 30 % provider failures", () => {
  it("brings 1,000 sends to a terminal state with fallbacks, losing none, one event each on RabbitMQ", { timeout: 200_000 }, async () => {
    const ctx = await makeContext("admin");
    const sg = await makeSimConfig(ctx, sim, "sendgrid");
    const mg = await makeSimConfig(ctx, sim, "mailgun");
    const elks = await makeSimConfig(ctx, sim, "elks");
    const twilio = await makeSimConfig(ctx, sim, "twilio");
    const inputs: QueueInput[] = Array.from({ length: N }, (_, i) => {
      if (i % 2 === 0) {
        const to = `user${i}@example.com`;
        return { channel: "email", route: [sg.config, mg.config], recipient: to, payload: { to: [{ email: to }], subject: `#${i}`, body_text: "chaos" } };
      }
      const to = `+4670${String(1_000_000 + i)}`;
      return { channel: "sms", route: [elks.config, twilio.config], recipient: to, payload: { to, body: `chaos ${i}` } };
    });
    const started = Date.now();
    const ids = await queueMessages(ctx, inputs);

    const db = getDb();
    await waitFor(
      async () => {
        const [row] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(messages)
          .where(and(eq(messages.tenantId, ctx.tenantId), inArray(messages.status, ["sent", "failed"])));
        return row!.n === N;
      },
      // A bound for a loaded 2-core machine running other test files alongside, not a speed
      // target (those live in npm run bench:deliver): alone it finishes in about 30 s.
      180_000,
      250,
    );
    const elapsed = Date.now() - started;

    // None lost: every message terminal, with exactly one outbox event.
    const rows = await db.select().from(messages).where(eq(messages.tenantId, ctx.tenantId));
    expect(rows).toHaveLength(N);
    const events = await db.select().from(communicationEvents).where(eq(communicationEvents.tenantId, ctx.tenantId));
    expect(new Set(events.map((e) => e.messageId))).toEqual(new Set(ids));

    // Failures were retried and fallbacks used and recorded.
    const outcomes = await db
      .select({ outcome: messageAttempts.outcome, n: sql<number>`count(*)::int` })
      .from(messageAttempts)
      .where(eq(messageAttempts.tenantId, ctx.tenantId))
      .groupBy(messageAttempts.outcome);
    const count = Object.fromEntries(outcomes.map((o) => [o.outcome, o.n]));
    expect(count.retry).toBeGreaterThan(200);
    expect(count.fallback).toBeGreaterThan(0);
    const viaFallback = rows.filter((m) => m.status === "sent" && (m.provider === "mailgun" || m.provider === "twilio"));
    expect(viaFallback.length).toBeGreaterThan(0);
    const sent = rows.filter((m) => m.status === "sent");
    expect(sent.length).toBeGreaterThan(N * 0.99);
    // Every sent message's provider id is one the simulator actually issued.
    const issued = new Set(sim.listMessages().map((m) => m.id));
    expect(sent.every((m) => issued.has(m.providerMessageId!))).toBe(true);

    // Exactly one sent/failed event per message on RabbitMQ.
    await waitFor(async () => new Set(received.map((m) => m.properties.correlationId)).size >= N, 30_000, 100);
    await new Promise((r) => setTimeout(r, 500));
    const perMessage = new Map<string, number>();
    for (const m of received) perMessage.set(m.properties.correlationId as string, (perMessage.get(m.properties.correlationId as string) ?? 0) + 1);
    expect(received).toHaveLength(N);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(perMessage.keys())).toEqual(new Set(ids));
    const sentEvents = received.filter((m) => m.fields.routingKey === "communication.sent.v1").length;
    expect(sentEvents).toBe(sent.length);

    console.log(
      `chaos: ${N} messages terminal in ${elapsed} ms; attempts ${JSON.stringify(count)}; via fallback ${viaFallback.length}; failed ${N - sent.length}`,
    );
  });
});
