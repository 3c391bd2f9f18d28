// Bus ingress end to end on the real RabbitMQ: actions for two tenants' bindings (valid, invalid,
// duplicated, refused), the broker "restarted" mid-run through a proxy Herald connects by, then:
// one message per valid action id per tenant, every invalid one in the DLQ with its reason and in
// Herald's dead letters, one communication.* event per message carrying action id, trace id and
// context, nothing lost. BUS_TEST_ACTIONS sets the count (the suite runs a short variant;
// `npm run test:bus` runs 1,000).
import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Message } from "amqplib";
import { eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { busDeadLetters, messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { closeBroker, configureBroker, DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { createContact } from "@/lib/contacts/contacts";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { listDeadLetters, replayDeadLetters } from "@/lib/messaging/dead-letters";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { startTcpProxy } from "@/lib/test/tcp-proxy";
import { createTemplate, publishTemplate } from "@/lib/templates/templates";
import type { TenantContext } from "@/lib/tenancy/context";
import { createBinding } from "./bindings";
import { busConsumerHealth, busConsumerStats } from "./consumer";
import { bindingQueue, bindingRoutingKey, busSettings } from "./settings";

const N = Number(process.env.BUS_TEST_ACTIONS ?? 150);
const run = randomUUID().slice(0, 8);
const real = new URL(process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL);
Object.assign(process.env, {
  HERALD_ACTIONS_EXCHANGE: `herald-test-actions-${run}`,
  HERALD_ACTIONS_QUEUE: `herald-test-actions-${run}`,
  HERALD_ACTIONS_ROUTING_KEY: `test.${run}.action`,
  HERALD_ACTIONS_DLQ: `herald-test-actions-dlq-${run}`,
  HERALD_ACTIONS_SYNC_MS: "200",
  HERALD_ACTIONS_RECONNECT_BASE_MS: "100",
  HERALD_ACTIONS_RECONNECT_MAX_MS: "1000",
  HERALD_ACTIONS_RETRY_BASE_MS: "200",
  HERALD_COMMUNICATION_EXCHANGE: `herald-test-comm-${run}`,
  HERALD_COMMUNICATION_DLQ: `herald-test-comm-dlq-${run}`,
  HERALD_BROKER_RETRY_BASE_MS: "100",
  HERALD_BROKER_RETRY_MAX_MS: "500",
  HERALD_DELIVERY_BACKOFF_MS: "20",
});
const settings = busSettings();

let sim: Simulator;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let admin: ChannelModel;
let ch: Channel;
let pub: ConfirmChannel;
let tenantA: TenantContext;
let tenantB: TenantContext;
const keys = { a: `a-${run}`, b: `b-${run}` };
const events: ConsumeMessage[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 19, autoDelivery: false });
  proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5672) });
  const viaProxy = new URL(real);
  viaProxy.port = String(proxy.port);
  await configureBroker({ url: viaProxy.toString() });
  admin = await amqp.connect(real.toString());
  ch = await admin.createChannel();
  pub = await admin.createConfirmChannel();
  await ch.assertExchange(process.env.HERALD_COMMUNICATION_EXCHANGE!, "topic", { durable: true });
  const q = await ch.assertQueue("", { exclusive: true });
  await ch.bindQueue(q.queue, process.env.HERALD_COMMUNICATION_EXCHANGE!, "communication.#");
  await ch.consume(q.queue, (m) => m && events.push(m), { noAck: true });

  [tenantA, tenantB] = await Promise.all([makeContext("admin"), makeContext("admin")]);
  for (const ctx of [tenantA, tenantB]) {
    await makeSimConfig(ctx, sim, "elks");
    await createTemplate(ctx, { key: "alert", name: "Alert", content: { default_locale: "en", locales: { en: { sms: { body: "Voltage high on {{ data.device }}" } } } } });
    await publishTemplate(ctx, "alert", {});
  }
  await createContact(tenantA, { external_id: "c-1", name: "Ada", phone: "+46701110001" });
  await createBinding(tenantA, { key: keys.a, description: "", enabled: true });
  await createBinding(tenantB, { key: keys.b, description: "", enabled: true });
  await startJobEngine({ workflows, runWorkers: true });
  await waitFor(async () => busConsumerHealth().consumers === 2, 30_000, 50);
}, 90_000);

afterAll(async () => {
  await stopJobEngine();
  for (const q of [bindingQueue(keys.a, settings), bindingQueue(keys.b, settings), settings.deadLetterQueue, process.env.HERALD_COMMUNICATION_DLQ!]) await ch?.deleteQueue(q).catch(() => {});
  for (const x of [settings.exchange, process.env.HERALD_COMMUNICATION_EXCHANGE!]) await ch?.deleteExchange(x).catch(() => {});
  await admin?.close().catch(() => {});
  await closeBroker();
  await proxy?.close();
  await sim?.close();
  await closeDb();
});

type Kind = "valid" | "refused" | "invalid_json" | "unknown_event" | "validation_failed" | "TEMPLATE_NOT_FOUND";
interface Planned {
  i: number;
  tenant: "a" | "b";
  kind: Kind;
  actionId: string;
  body: Buffer;
  amqpId: string;
  traceId: string;
  context: Record<string, unknown>;
}

function plan(): { actions: Planned[]; publishes: Planned[] } {
  const actions: Planned[] = [];
  const publishes: Planned[] = [];
  const invalidKinds: Kind[] = ["invalid_json", "unknown_event", "validation_failed", "TEMPLATE_NOT_FOUND"];
  for (let i = 0; i < N; i++) {
    const valid = publishes.filter((p) => p.kind === "valid");
    // 5 % are a second copy of an earlier valid action (same body, same action id).
    if (i % 20 === 7 && valid.length > 0) {
      const original = valid[(i * 7) % valid.length]!;
      publishes.push({ ...original, amqpId: `dup-${i}-${run}` });
      continue;
    }
    const tenant = i % 5 === 1 || i % 20 === 13 ? "b" : "a";
    const kind: Kind = i % 10 === 3 ? invalidKinds[Math.floor(i / 10) % invalidKinds.length]! : i % 25 === 11 ? "refused" : "valid";
    const actionId = `act_${run}_${i}`;
    const traceId = `trace-${run}-${i}`;
    const context = { device_id: `dev-${i}`, raw_id: i, stream_id: 9_000_000 + i, iccid: null };
    const recipient = kind === "refused" ? "+12025550100" /* no active config serves US numbers */ : i % 50 === 19 && tenant === "a" ? { external_id: "c-1" } : `+4670${String(1_000_000 + i).slice(-7)}`;
    const envelope = {
      event: kind === "unknown_event" ? "action.cancel.requested.v1" : "action.execute.requested.v1",
      meta: { trace_id: traceId, producer_service: "action-service", produced_at: new Date().toISOString() },
      context,
      data: {
        action_id: actionId,
        channel: "sms",
        ...(kind === "validation_failed" ? {} : { recipient }),
        template_id: kind === "TEMPLATE_NOT_FOUND" ? `missing-${i}` : "alert",
        template_data: { device: `dev-${i}` },
      },
    };
    const text = JSON.stringify(envelope);
    const p: Planned = { i, tenant, kind, actionId, traceId, context, amqpId: `m-${i}-${run}`, body: Buffer.from(kind === "invalid_json" ? text.slice(0, text.length - 3) : text) };
    actions.push(p);
    publishes.push(p);
  }
  return { actions, publishes };
}

async function publish(items: Planned[]) {
  for (const p of items) {
    pub.publish(settings.exchange, bindingRoutingKey(keys[p.tenant], settings), p.body, { persistent: true, mandatory: true, messageId: p.amqpId, contentType: "application/json" });
  }
  await pub.waitForConfirms();
}

describe("bus ingress", () => {
  it("sends each valid action once per tenant across a broker restart, dead-letters the invalid ones with their reason", async () => {
    const { actions, publishes } = plan();
    const half = Math.floor(publishes.length / 2);
    const started = Date.now();
    await publish(publishes.slice(0, half));
    // Cut once the consumer is mid-stream, so deliveries in flight lose their acks.
    await waitFor(async () => (busConsumerStats()?.accepted ?? 0) > 0, 30_000, 10);
    const acceptedBeforeCut = busConsumerStats()!.accepted;
    const connectionsBefore = proxy.accepted();
    proxy.set("cut");
    // Producers keep publishing while Herald is cut off.
    await publish(publishes.slice(half));
    await new Promise((r) => setTimeout(r, 1_500));
    proxy.set("forward");

    const expected = { a: actions.filter((p) => p.tenant === "a" && (p.kind === "valid" || p.kind === "refused")), b: actions.filter((p) => p.tenant === "b" && (p.kind === "valid" || p.kind === "refused")) };
    const invalid = actions.filter((p) => p.kind !== "valid" && p.kind !== "refused");
    const total = expected.a.length + expected.b.length;
    const rowsOf = (ctx: TenantContext) => getDb().select().from(messages).where(eq(messages.tenantId, ctx.tenantId));
    await waitFor(async () => (await rowsOf(tenantA)).length + (await rowsOf(tenantB)).length >= total, Math.max(120_000, N * 120), 100);
    const acceptedMs = Date.now() - started;
    await waitFor(
      async () => {
        const [a, b] = await Promise.all([rowsOf(tenantA), rowsOf(tenantB)]);
        const terminal = [...a, ...b].filter((m) => m.status === "sent" || m.status === "failed" || m.status === "delivered").length;
        const distinctEvents = new Set(events.map((e) => e.properties.messageId)).size;
        return terminal >= total && distinctEvents >= total;
      },
      Math.max(120_000, N * 300),
      200,
    );
    const elapsed = Date.now() - started;

    // Exactly one message per valid action id per tenant, and none for the other tenant.
    const [rowsA, rowsB] = await Promise.all([rowsOf(tenantA), rowsOf(tenantB)]);
    for (const [rows, want] of [
      [rowsA, expected.a],
      [rowsB, expected.b],
    ] as const) {
      expect(rows.map((m) => m.actionId).sort()).toEqual(want.map((p) => p.actionId).sort());
      for (const m of rows) {
        const p = want.find((w) => w.actionId === m.actionId)!;
        expect(m.traceId).toBe(p.traceId);
        expect(m.context).toEqual(p.context);
        expect(m.idempotencyKey).toBe(`action:${p.actionId}`);
        if (p.kind === "refused") expect(m).toMatchObject({ status: "failed", errorCode: "COMM_NO_ROUTE" });
        if (p.i % 50 === 19 && p.tenant === "a") expect(m).toMatchObject({ recipient: "+46701110001", contactId: expect.any(String) });
      }
    }

    // One communication.* event per message (deduped on the AMQP message id, as consumers do),
    // carrying action_id, trace_id and context.
    const byMessage = new Map<string, { event: string; meta: { trace_id: string }; context: unknown; data: { action_id: string } }[]>();
    const distinct = new Map<string, ConsumeMessage>();
    for (const e of events) distinct.set(String(e.properties.messageId), e);
    for (const e of distinct.values()) {
      const list = byMessage.get(String(e.properties.correlationId)) ?? [];
      list.push(JSON.parse(e.content.toString()));
      byMessage.set(String(e.properties.correlationId), list);
    }
    const all = [...rowsA, ...rowsB];
    expect(byMessage.size).toBe(all.length);
    for (const m of all) {
      const got = byMessage.get(m.id)!;
      expect(got).toHaveLength(1);
      const env = got[0]!;
      expect(["communication.sent.v1", "communication.failed.v1"]).toContain(env.event);
      expect(env.event === "communication.sent.v1").toBe(m.status !== "failed");
      expect(env.data.action_id).toBe(m.actionId);
      expect(env.meta.trace_id).toBe(m.traceId);
      expect(env.context).toEqual(m.context);
    }

    // Every invalid one is in the DLQ with its reason, and in the tenant's dead letters.
    const dlq: Message[] = [];
    await waitFor(async () => {
      for (let m = await ch.get(settings.deadLetterQueue, { noAck: true }); m; m = await ch.get(settings.deadLetterQueue, { noAck: true })) dlq.push(m);
      return new Set(dlq.map((m) => m.properties.messageId)).size >= invalid.length;
    }, 30_000, 100);
    const dlqById = new Map(dlq.map((m) => [String(m.properties.messageId), m]));
    expect(dlqById.size).toBe(invalid.length);
    for (const p of invalid) {
      const m = dlqById.get(p.amqpId)!;
      expect(m, p.amqpId).toBeDefined();
      expect(m.properties.headers?.["x-herald-reason"]).toBe(p.kind);
      expect(String(m.properties.headers?.["x-herald-reason-message"]).length).toBeGreaterThan(0);
      expect(m.properties.headers?.["x-herald-tenant"]).toBe((p.tenant === "a" ? tenantA : tenantB).tenantSlug);
      expect(m.content.equals(p.body)).toBe(true);
    }
    for (const [ctx, t] of [
      [tenantA, "a"],
      [tenantB, "b"],
    ] as const) {
      const rows = await getDb().select().from(busDeadLetters).where(eq(busDeadLetters.tenantId, ctx.tenantId));
      const want = invalid.filter((p) => p.tenant === t);
      expect(rows.map((r) => r.amqpMessageId).sort()).toEqual(want.map((p) => p.amqpId).sort());
      for (const r of rows) expect(r.reasonCode).toBe(want.find((p) => p.amqpId === r.amqpMessageId)!.kind);
      const listed = await listDeadLetters(ctx, { kind: "bus_action", limit: 200 });
      expect(listed.data.length).toBe(Math.min(200, want.length));
      // Listed, not replayed here: the producer fixes and republishes it.
      expect(listed.data.length).toBeGreaterThan(0);
      const replay = await replayDeadLetters(ctx, { ids: [listed.data[0]!.id] });
      expect(replay).toMatchObject({ replayed: [], skipped: [{ id: listed.data[0]!.id, reason: expect.stringContaining("publish it again") }] });
    }

    // Both binding queues drained; the consumer came back through the proxy.
    for (const k of [keys.a, keys.b]) expect((await ch.checkQueue(bindingQueue(k, settings))).messageCount).toBe(0);
    expect(proxy.accepted()).toBeGreaterThan(connectionsBefore);
    const stats = busConsumerStats()!;
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    console.log(
      `bus ingress: ${publishes.length} published (${actions.length} actions, ${publishes.length - actions.length} duplicates, ${invalid.length} invalid, ` +
        `${expected.b.length} for tenant B); ${acceptedBeforeCut} accepted before the cut; ${all.length} messages, ${distinct.size} events ` +
        `(${events.length - distinct.size} redelivered); ${stats.accepted} acks, ${stats.poison} dead-lettered, ${stats.retried} requeued, ${stats.reconnects} reconnect(s); ` +
        `all accepted after ${acceptedMs} ms, all delivered and published after ${elapsed} ms`,
    );
  }, 180_000);
  it("holds and requeues a batch it cannot commit, then accepts it once", async () => {
    // A constraint that refuses these actions' rows makes the batch's statement fail, the way a
    // database outage fails it; dropping it is the database coming back.
    const before = busConsumerStats()!.retried;
    const ids = Array.from({ length: 5 }, (_, i) => `act_${run}_held_${i}`);
    const db = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await db.unsafe(`alter table messages add constraint bus_test_refuse check (action_id not like 'act_${run}_held_%') not valid`);
      await publish(
        ids.map((actionId, i) => ({
          i,
          tenant: "a" as const,
          kind: "valid" as const,
          actionId,
          traceId: `trace-${actionId}`,
          context: {},
          amqpId: `held-${i}-${run}`,
          body: Buffer.from(JSON.stringify({ event: "action.execute.requested.v1", meta: {}, data: { action_id: actionId, channel: "sms", recipient: `+4670555000${i}`, template_id: "alert", template_data: { device: "d" } } })),
        })),
      );
      await waitFor(async () => busConsumerStats()!.retried >= before + ids.length, 30_000, 50);
      expect(await getDb().select().from(messages).where(inArray(messages.actionId, ids))).toEqual([]);
    } finally {
      await db.unsafe("alter table messages drop constraint if exists bus_test_refuse");
      await db.end();
    }
    await waitFor(async () => (await getDb().select().from(messages).where(inArray(messages.actionId, ids))).length === ids.length, 60_000, 100);
    const rows = await getDb().select().from(messages).where(inArray(messages.actionId, ids));
    expect(rows.map((m) => m.actionId).sort()).toEqual([...ids].sort());
    expect(rows.every((m) => m.tenantId === tenantA.tenantId)).toBe(true);
  }, 120_000);
});
