import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import { and, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/call-events/route";
import { POST as retryRoute } from "@/app/api/v1/call-events/retry/route";
import { closeDb, getDb } from "@/db";
import { callEventLogs } from "@/db/schema";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { closeBroker, configureBroker, DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { drainOutbox, outboxSettings, publishOnce } from "@/lib/broker/outbox-publisher";
import { brokerOutboxSources } from "@/lib/broker/outbox-sources";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeContext, waitFor } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import { callEventSource } from "./publisher";
import { rotateTelephonyToken } from "./tokens";

/**
 * The delivery guarantees, end to end on the real engine and broker: with RabbitMQ unreachable
 * events are accepted and logged; once it is back every one lands on the queue exactly once,
 * in order per call_id. This file runs on its own database so no other test file's job engine
 * can pick up (and publish) its events while the broker is "down".
 */
const realUrl = process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
const downUrl = "amqp://guest:guest@127.0.0.1:1";
const queue = `herald-test-call-events-${randomUUID().slice(0, 8)}`;

let isolated: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TenantContext;
let token: string;
let admin: ChannelModel;
let ch: Channel;

beforeAll(async () => {
  isolated = await createTestDatabase();
  await closeDb();
  process.env.DATABASE_URL = isolated.url;
  process.env.HERALD_CALL_EVENTS_QUEUE = queue;
  process.env.HERALD_BROKER_RETRY_BASE_MS = "100";
  process.env.HERALD_BROKER_RETRY_MAX_MS = "500";
  ctx = await makeContext("admin");
  token = (await rotateTelephonyToken(ctx)).token;
  admin = await amqp.connect(realUrl);
  ch = await admin.createChannel();
}, 60_000);

afterAll(async () => {
  await stopJobEngine();
  await ch?.deleteQueue(queue).catch(() => {});
  await admin?.close().catch(() => {});
  await closeBroker();
  await closeDb();
  await isolated?.drop();
});

async function post(body: Record<string, unknown>) {
  const req = new NextRequest("http://herald.test/api/call-events", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-token": token },
    body: JSON.stringify(body),
  });
  const res = await ingest(req, { params: Promise.resolve({}) });
  return res.status;
}

async function consumeAll(expected: number, timeoutMs = 10_000) {
  const got: Record<string, unknown>[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = await ch.get(queue, { noAck: false });
    if (m) {
      got.push(JSON.parse(m.content.toString()));
      ch.ack(m);
      continue;
    }
    // Keep listening a little past the expected count so a duplicate would be seen.
    if (got.length >= expected) {
      await new Promise((r) => setTimeout(r, 1500));
      const extra = await ch.get(queue, { noAck: false });
      if (!extra) break;
      got.push(JSON.parse(extra.content.toString()));
      ch.ack(extra);
      continue;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

async function rows() {
  return getDb().select().from(callEventLogs).where(eq(callEventLogs.tenantId, ctx.tenantId));
}

const lifecycle = ["call_started", "call_ringing", "call_answered", "call_forwarded", "call_ended"] as const;

function eventsFor(callId: string) {
  return lifecycle.map((event_type, i) => ({
    call_id: callId,
    from_number: "+994501234567",
    to_number: "+994701234567",
    event_type,
    timestamp: new Date(Date.UTC(2025, 10, 30, 10, 0, i)).toISOString(),
    ...(event_type === "call_ended" ? { duration: 30 } : {}),
  }));
}

describe("publishing call events to RabbitMQ", () => {
  it("accepts and logs events while RabbitMQ is down, then delivers each exactly once, in order per call", async () => {
    await configureBroker({ url: downUrl });
    await startJobEngine({ workflows, runWorkers: true });

    const callIds = ["a", "b", "c", "d"].map((s) => `outage-${s}-${randomUUID().slice(0, 6)}`);
    // Interleave the calls' events, several in flight at once, as a busy PBX would post them.
    for (let i = 0; i < lifecycle.length; i++) {
      const statuses = await Promise.all(callIds.map((id) => post(eventsFor(id)[i]!)));
      expect(statuses).toEqual([202, 202, 202, 202]);
    }
    // A retried delivery from the PBX is acknowledged and changes nothing.
    expect(await post(eventsFor(callIds[0]!)[0]!)).toBe(202);
    expect(await rows()).toHaveLength(20);

    // The publisher tried, failed, recorded it and keeps everything queued.
    await waitFor(async () => {
      const r = await rows();
      return r.every((e) => e.publishStatus === "queued") && r.some((e) => e.publishAttempts >= 1 && e.lastPublishError);
    }, 20_000);
    const failing = (await rows()).find((e) => e.lastPublishError);
    expect(failing!.lastPublishError).toMatch(/RabbitMQ is unreachable/);
    expect((await rows()).some((e) => e.publishStatus === "published")).toBe(false);

    // Broker back: the retries (with backoff) drain everything.
    await configureBroker({ url: realUrl });
    await waitFor(async () => (await rows()).every((e) => e.publishStatus === "published"), 40_000, 250);

    const messages = await consumeAll(20);
    expect(messages).toHaveLength(20);
    const ids = messages.map((m) => m.event_id);
    expect(new Set(ids).size).toBe(20);
    const logged = await rows();
    expect(new Set(ids)).toEqual(new Set(logged.map((r) => r.id)));
    for (const callId of callIds) {
      const order = messages.filter((m) => m.call_id === callId).map((m) => m.event_type);
      expect(order).toEqual([...lifecycle]);
    }
    expect(messages[0]).toMatchObject({ tenant_id: ctx.tenantId, from_number: "+994501234567" });
    const ended = messages.find((m) => m.event_type === "call_ended");
    expect(ended!.duration).toBe(30);

    // Another round over published rows publishes nothing.
    expect((await drainOutbox(brokerOutboxSources)).published).toBe(0);
    expect(await consumeAll(0, 2_000)).toHaveLength(0);
  }, 90_000);

  it("dead-letters after the retry budget; later events queue behind it; an admin retry republishes it", async () => {
    // Stop the engine so the only publish attempts are the ones this test makes: a budget of
    // 0 ms plays the attempt that runs out of the ≈ 17 minutes.
    await stopJobEngine();
    await configureBroker({ url: downUrl });
    const blocked = `dead-${randomUUID().slice(0, 6)}`;
    const lone = `dead-${randomUUID().slice(0, 6)}`;
    const [started, , answered] = eventsFor(blocked);
    expect(await post(started!)).toBe(202);
    expect(await post(eventsFor(lone)[0]!)).toBe(202);
    const round = await publishOnce({ ...callEventSource, budgetMs: 0 }, outboxSettings());
    expect(round).toMatchObject({ claimed: 2, published: 0, failed: 2, deadLettered: 2 });
    const dead = (await rows()).filter((r) => r.callId === blocked || r.callId === lone);
    expect(dead.map((r) => [r.publishStatus, r.publishAttempts])).toEqual([
      ["dead_lettered", 1],
      ["dead_lettered", 1],
    ]);
    expect(dead[0]!.lastPublishError).toMatch(/RabbitMQ is unreachable/);

    await configureBroker({ url: realUrl });
    await startJobEngine({ workflows, runWorkers: true });
    // A new event of the blocked call must not overtake the dead-lettered one: both go, in order.
    expect(await post(answered!)).toBe(202);
    await waitFor(async () => (await rows()).filter((r) => r.callId === blocked).every((r) => r.publishStatus === "published"), 20_000);
    const msgs = await consumeAll(2);
    expect(msgs.map((m) => m.event_type)).toEqual(["call_started", "call_answered"]);
    // Nothing touched the other call: it waits for an admin.
    const [deadRow] = (await rows()).filter((r) => r.callId === lone);
    expect(deadRow!.publishStatus).toBe("dead_lettered");

    const key = await createApiKey(ctx, { name: "ops", scopes: ["calls:write"] });
    const res = await retryRoute(
      new NextRequest("http://herald.test/api/v1/call-events/retry", {
        method: "POST",
        headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
        body: JSON.stringify({ event_ids: [deadRow!.id] }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ requeued_events: 1, requeued_commands: 0 });
    await waitFor(async () => {
      const [r] = await getDb().select().from(callEventLogs).where(and(eq(callEventLogs.id, deadRow!.id)));
      return r?.publishStatus === "published";
    }, 20_000);
    const after = await consumeAll(1);
    expect(after.map((m) => m.event_id)).toEqual([deadRow!.id]);
  }, 90_000);
});
