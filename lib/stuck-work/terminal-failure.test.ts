// Every failure path ends in a terminal state the tenant can see, with one event: pg-boss for real, Inngest's onFailure binding, the sweeper.
import { randomUUID } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, databaseUrl, getDb } from "@/db";
import { callEventLogs, communicationEvents, jobDeadLetters, media, messages, secrets, webhookDeliveries } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { toInngestFunction } from "@/inngest/bind";
import { inngest } from "@/lib/jobs/inngest-client";
import { deliverMessage } from "@/inngest/functions/deliver-message";
import { deliverWebhook } from "@/inngest/functions/deliver-webhook";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { PgBossEngine } from "@/lib/jobs/pg-boss-engine";
import type { AnyWorkflow } from "@/lib/jobs/workflow";
import { createEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { enqueueWebhookDeliveries } from "@/lib/outbound-webhooks/enqueue";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessage } from "@/lib/test/delivery";
import { getStuckCounts, sweepStuckWork } from "./sweep";

process.env.HERALD_DELIVERY_BACKOFF_MS = "20";
process.env.HERALD_DELIVERY_HOP_ATTEMPTS = "2";
process.env.HERALD_PROVIDER_TIMEOUT_MS = "400";
process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

let sim: Simulator;
const engines: PgBossEngine[] = [];
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, autoDelivery: false });
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  await closeBroker();
  await sim.close();
  await closeDb();
});

/** The real delivery workflow on a real pg-boss engine, with a short retry budget so "past retries" comes quickly. */
async function engineWith(wf: AnyWorkflow) {
  const engine = new PgBossEngine({ connectionString: databaseUrl(), workflows: [wf], runWorkers: true });
  engines.push(engine);
  await engine.start();
  return engine;
}

async function eventsOf(tenantId: string, messageId: string) {
  return getDb()
    .select()
    .from(communicationEvents)
    .where(and(eq(communicationEvents.tenantId, tenantId), eq(communicationEvents.messageId, messageId)));
}

async function messageRow(tenantId: string, id: string) {
  const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
  return m!;
}

describe("pg-boss: a run that fails for good ends its message", () => {
  it("engine error (a step throws past its retries): failed with COMM_INTERNAL, one communication.failed.v1, a dead letter", async () => {
    const ctx = await makeContext("admin");
    const { config } = await makeSimConfig(ctx, sim, "elks");
    const msg = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000901", payload: { to: "+46700000901", body: "Hej" } });
    // Herald's own trouble, not the provider's: the config's stored credentials are gone, so every attempt throws.
    await getDb().delete(secrets).where(eq(secrets.tenantId, ctx.tenantId));
    const wf = { ...deliverMessage, id: `deliver-message-${randomUUID().slice(0, 8)}`, retries: 1 };
    const engine = await engineWith(wf);
    await engine.enqueue([{ id: msg.id, name: "herald/message.queued", payload: { tenantId: ctx.tenantId, messageId: msg.id } }]);

    const row = await waitFor(async () => {
      const m = await messageRow(ctx.tenantId, msg.id);
      return m.status === "failed" ? m : undefined;
    }, 30_000);
    expect(row).toMatchObject({ status: "failed", errorCode: "COMM_INTERNAL" });
    expect(row.errorMessage).toMatch(/after 2 attempts/);
    const events = await eventsOf(ctx.tenantId, msg.id);
    expect(events.map((e) => e.name)).toEqual(["communication.failed.v1"]);
    expect(events[0]!.payload).toMatchObject({ error: { error_code: "COMM_INTERNAL" } });
    const dead = await waitFor(async () => (await getDb().select().from(jobDeadLetters).where(eq(jobDeadLetters.functionId, wf.id)))[0]);
    expect(dead).toMatchObject({ attempts: 2, tenantId: ctx.tenantId });
    // A second failure report (a duplicate onFailure, the sweeper) changes nothing and emits nothing.
    await wf.onFailure({ event: { name: "herald/message.queued", id: msg.id, data: { tenantId: ctx.tenantId, messageId: msg.id } }, error: new Error("again"), runId: "x", attempts: 2, log: console as never });
    expect(await eventsOf(ctx.tenantId, msg.id)).toHaveLength(1);
  }, 40_000);

  it("provider hanging past its timeout: the delivery's own retries end it failed, one event, nothing stuck", async () => {
    const ctx = await makeContext("admin");
    const { config, account } = await makeSimConfig(ctx, sim, "elks");
    sim.addFailureRule({ mode: "timeout", accountId: account.id, holdMs: 5_000 });
    const msg = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000902", payload: { to: "+46700000902", body: "Hej" } });
    const engine = await engineWith({ ...deliverMessage, id: `deliver-message-${randomUUID().slice(0, 8)}`, retries: 1 });
    await engine.enqueue([{ id: msg.id, name: "herald/message.queued", payload: { tenantId: ctx.tenantId, messageId: msg.id } }]);
    const row = await waitFor(async () => {
      const m = await messageRow(ctx.tenantId, msg.id);
      return m.status === "failed" ? m : undefined;
    }, 30_000);
    expect(row.errorCode).toBe("COMM_PROVIDER_UNAVAILABLE");
    expect(row.attemptCount).toBe(2);
    expect((await eventsOf(ctx.tenantId, msg.id)).map((e) => e.name)).toEqual(["communication.failed.v1"]);
    expect((await getStuckCounts(ctx)).total).toBe(0);
  }, 40_000);
});

describe("the stuck-work sweeper: work whose run is gone (a worker killed on its last attempt, a lost job)", () => {
  it("resolves a message left sending, a delivery left delivering and a call event left queued past their deadlines; the Overview counts go to 0", async () => {
    const ctx = await makeContext("admin");
    const { config } = await makeSimConfig(ctx, sim, "elks");
    const sending = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000903", payload: { to: "+46700000903", body: "Hej" } });
    const fresh = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000904", payload: { to: "+46700000904", body: "Hej" } });
    // The worker took the message to `sending` and was killed; pg-boss gave up on the job without calling onFailure.
    await getDb().execute(sql`update messages set status = 'sending', updated_at = now() - interval '2 hours' where id = ${sending.id}`);

    const endpoint = await createEndpoint(ctx, { url: "http://127.0.0.1:9/never", description: "", event_types: ["communication.sent.v1"] });
    await getDb().transaction((tx) =>
      enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, eventType: "communication.sent.v1", eventId: randomUUID(), payload: { type: "communication.sent.v1" } }),
    );
    await getDb().execute(sql`update webhook_deliveries set status = 'delivering', attempt_count = 1, last_attempt_at = now() - interval '2 hours' where endpoint_id = ${endpoint.id}`);

    // A logged call event whose publish job was lost.
    await getDb().insert(callEventLogs).values({
      tenantId: ctx.tenantId,
      callId: `call-${randomUUID().slice(0, 8)}`,
      eventType: "call_started",
      fromNumber: "+46700000001",
      toNumber: "+46700000002",
      occurredAt: new Date(),
      payload: {},
      createdTime: new Date(Date.now() - 2 * 3600_000),
    });

    // An inbound media download whose run died on its last attempt (and a fresh one, left alone).
    const mediaRow = (id: string, createdAt: Date) => ({
      id,
      tenantId: ctx.tenantId,
      status: "pending" as const,
      source: "inbound" as const,
      backend: "filesystem" as const,
      storageKey: `t/${ctx.tenantId}/${id}`,
      createdByType: "system" as const,
      createdByLabel: "inbound message",
      createdAt,
    });
    const [lostMedia, freshMedia] = [randomUUID(), randomUUID()];
    await getDb().insert(media).values([mediaRow(lostMedia, new Date(Date.now() - 3 * 3600_000)), mediaRow(freshMedia, new Date())]);

    const before = await getStuckCounts(ctx);
    expect(before.counts).toMatchObject({ message: 1, webhook_delivery: 1, call_event: 1, inbound_media: 1 });

    const resolved = await sweepStuckWork();
    expect(resolved.message).toBeGreaterThanOrEqual(1);
    const m = await messageRow(ctx.tenantId, sending.id);
    expect(m).toMatchObject({ status: "failed", errorCode: "COMM_INTERNAL" });
    expect((await eventsOf(ctx.tenantId, sending.id)).map((e) => e.name)).toEqual(["communication.failed.v1"]);
    // Young work is left alone.
    expect((await messageRow(ctx.tenantId, fresh.id)).status).toBe("queued");
    const [d] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
    expect(d).toMatchObject({ status: "exhausted" });
    expect(d!.lastError).toMatch(/stuck-work sweeper/);
    const after = await getDb().select().from(callEventLogs).where(eq(callEventLogs.tenantId, ctx.tenantId));
    expect(after.every((e) => e.publishStatus !== "queued")).toBe(true);
    const mediaAfter = await getDb().select().from(media).where(eq(media.tenantId, ctx.tenantId));
    expect(Object.fromEntries(mediaAfter.map((r) => [r.id, r.status]))).toEqual({ [lostMedia]: "failed", [freshMedia]: "pending" });
    expect(mediaAfter.find((r) => r.id === lostMedia)!.error).toMatch(/stuck-work sweeper/);
    expect((await getStuckCounts(ctx)).total).toBe(0);

    // A second sweep finds nothing and emits nothing.
    await sweepStuckWork();
    expect(await eventsOf(ctx.tenantId, sending.id)).toHaveLength(1);
  });
});

describe("Inngest: onFailure bindings (@inngest/test)", () => {
  /** Runs the function's bound onFailure as Inngest would: an inngest/function.failed event carrying the original. */
  async function fail(wf: AnyWorkflow, original: { name: string; data: Record<string, unknown>; id: string }) {
    const fn = toInngestFunction(wf);
    const handler = (fn as unknown as { onFailureFn: Parameters<typeof inngest.createFunction>[1] }).onFailureFn;
    const failure = inngest.createFunction({ id: `${wf.id}-failure-test`, triggers: [{ event: "inngest/function.failed" }] }, handler);
    const t = new InngestTestEngine({
      function: failure,
      events: [{ name: "inngest/function.failed", data: { function_id: wf.id, run_id: `run-${randomUUID()}`, error: { name: "Error", message: "step threw past its retries" }, event: original } }],
    });
    return t.execute();
  }

  it("deliver-message: the message ends failed with COMM_INTERNAL and one event; attempts = retries + 1 in the dead letter", async () => {
    const ctx = await makeContext("admin");
    const { config } = await makeSimConfig(ctx, sim, "elks");
    const msg = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000905", payload: { to: "+46700000905", body: "Hej" } });
    const original = { name: "herald/message.queued", id: msg.id, data: { tenantId: ctx.tenantId, messageId: msg.id } };
    await fail(deliverMessage, original);
    await fail(deliverMessage, original);
    expect(await messageRow(ctx.tenantId, msg.id)).toMatchObject({ status: "failed", errorCode: "COMM_INTERNAL" });
    expect(await eventsOf(ctx.tenantId, msg.id)).toHaveLength(1);
    const dead = await getDb().select().from(jobDeadLetters).where(and(eq(jobDeadLetters.tenantId, ctx.tenantId), eq(jobDeadLetters.functionId, "deliver-message")));
    expect(dead[0]).toMatchObject({ engine: "inngest", attempts: deliverMessage.retries + 1 });
  });

  it("deliver-webhook: the delivery ends exhausted with the reason", async () => {
    const ctx = await makeContext("admin");
    const endpoint = await createEndpoint(ctx, { url: "http://127.0.0.1:9/never", description: "", event_types: ["communication.sent.v1"] });
    await getDb().transaction((tx) =>
      enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, eventType: "communication.sent.v1", eventId: randomUUID(), payload: { type: "communication.sent.v1" } }),
    );
    const [d] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
    await fail(deliverWebhook, { name: "herald/webhook-delivery.due", id: randomUUID(), data: { tenantId: ctx.tenantId, deliveryId: d!.id, attempt: 0 } });
    const [after] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d!.id));
    expect(after).toMatchObject({ status: "exhausted" });
    expect(after!.lastError).toContain("step threw past its retries");

  });
});
