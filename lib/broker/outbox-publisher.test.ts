import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/call-events/route";
import { GET as listCalls } from "@/app/api/v1/calls/route";
import { getDb } from "@/db";
import { callEventLogs } from "@/db/schema";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { startTcpProxy } from "@/lib/test/tcp-proxy";
import type { TenantContext } from "@/lib/tenancy/context";
import { rotateTelephonyToken } from "@/lib/telephony/tokens";
import { closeBroker, configureBroker, DEFAULT_RABBITMQ_URL } from "./rabbitmq";

/**
 * The broker outbox under an outage: Herald talks to RabbitMQ through a TCP proxy this test runs.
 * "Down" is the nasty kind — connections are accepted and then never answered, so every connect
 * waits out its 5 s timeout — while call events pour in and the API is read. No database session
 * may sit in a transaction while the broker is waited on (a publisher that did would hold its
 * pooled connection, and its row locks, for the whole connect timeout), every request must be
 * answered, and once the proxy forwards again every event is on the queue exactly once, in order
 * per call_id. Latencies are printed, not asserted: the machine may be shared.
 */
const real = new URL(process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL);
const OUTAGE_MS = Number(process.env.TEST_BROKER_OUTAGE_MS ?? 12_000);
const CALLS = 40;
const lifecycle = ["call_started", "call_ringing", "call_answered", "call_forwarded", "call_ended"] as const;
const queue = `herald-test-outage-${randomUUID().slice(0, 8)}`;

let ctx: TenantContext;
let token: string;
let apiKey: string;
let admin: ChannelModel;
let ch: Channel;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;

beforeAll(async () => {
  process.env.HERALD_CALL_EVENTS_QUEUE = queue;
  process.env.HERALD_BROKER_RETRY_BASE_MS = "200";
  process.env.HERALD_BROKER_RETRY_MAX_MS = "1000";
  // Black-holes on demand: accepts, then stays silent.
  proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5672) });
  const url = new URL(real);
  url.port = String(proxy.port);
  await configureBroker({ url: url.toString() });
  ctx = await makeContext("admin");
  token = (await rotateTelephonyToken(ctx)).token;
  apiKey = (await createApiKey(ctx, { name: "reader", scopes: ["calls:read"] })).key;
  admin = await amqp.connect(real.toString());
  ch = await admin.createChannel();
  await ch.assertQueue(queue, { durable: true });
  await startJobEngine({ workflows, runWorkers: true });
}, 60_000);

afterAll(async () => {
  await stopJobEngine();
  await ch?.deleteQueue(queue).catch(() => {});
  await admin?.close().catch(() => {});
  await closeBroker();
  await proxy?.close();
});

async function timed(fn: () => Promise<Response>): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

const postEvent = (body: Record<string, unknown>) =>
  timed(() =>
    ingest(
      new NextRequest("http://herald.test/api/call-events", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-token": token },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({}) },
    ),
  );

const readCalls = () =>
  timed(() =>
    listCalls(new NextRequest("http://herald.test/api/v1/calls?per_page=20", { headers: { authorization: `Bearer ${apiKey}` } }), {
      params: Promise.resolve({}),
    }),
  );

function event(callId: string, i: number) {
  return {
    call_id: callId,
    from_number: "+994501234567",
    to_number: "+994701234567",
    event_type: lifecycle[i]!,
    timestamp: new Date(Date.UTC(2025, 10, 30, 10, 0, i)).toISOString(),
    ...(lifecycle[i] === "call_ended" ? { duration: 30 } : {}),
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

describe("broker outbox during a RabbitMQ outage", () => {
  it("keeps the API answering, loses nothing and lands every event once, in order per call", async () => {
    proxy.set("blackhole");
    const callIds = Array.from({ length: CALLS }, (_, i) => `outage-${i}-${randomUUID().slice(0, 6)}`);
    const latencies: { post: number[]; read: number[] } = { post: [], read: [] };
    const statuses = new Set<number>();
    const started = Date.now();
    // Writers: every call's lifecycle, calls interleaved, 8 requests in flight; readers beside them.
    let step = 0;
    const jobs = callIds.flatMap((id) => lifecycle.map((_, i) => ({ id, i }))).sort((a, b) => a.i - b.i);
    const writer = async () => {
      for (let j = step++; j < jobs.length; j = step++) {
        const r = await postEvent(event(jobs[j]!.id, jobs[j]!.i));
        statuses.add(r.status);
        latencies.post.push(r.ms);
        // Spread the load over the outage.
        await new Promise((res) => setTimeout(res, (OUTAGE_MS * 0.7 * 8) / jobs.length));
      }
    };
    const reader = async () => {
      while (Date.now() - started < OUTAGE_MS) {
        const r = await readCalls();
        statuses.add(r.status);
        latencies.read.push(r.ms);
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    // Watches, from a connection of its own, for sessions of this database idle inside a transaction.
    const watcher = postgres(process.env.DATABASE_URL!, { max: 1 });
    let longestIdleInTx = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const [row] = await watcher<{ s: number | null }[]>`
          select extract(epoch from max(now() - state_change))::float8 as s from pg_stat_activity
          where datname = current_database() and state = 'idle in transaction'`;
        longestIdleInTx = Math.max(longestIdleInTx, row?.s ?? 0);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await Promise.all([...Array.from({ length: 8 }, writer), reader(), reader()]);
    const rowsDuring = await getDb().select().from(callEventLogs).where(eq(callEventLogs.tenantId, ctx.tenantId));
    expect(rowsDuring).toHaveLength(CALLS * lifecycle.length);
    expect(rowsDuring.some((r) => r.publishStatus === "published")).toBe(false);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - started))));
    const failing = await getDb().select().from(callEventLogs).where(eq(callEventLogs.tenantId, ctx.tenantId));
    expect(failing.some((r) => r.publishAttempts > 0 && /RabbitMQ/.test(r.lastPublishError ?? ""))).toBe(true);

    watching = false;
    await watch;
    await watcher.end();

    proxy.set("forward");
    const back = Date.now();
    await waitFor(
      async () => (await getDb().select().from(callEventLogs).where(eq(callEventLogs.tenantId, ctx.tenantId))).every((r) => r.publishStatus === "published"),
      60_000,
      200,
    );
    const drainedMs = Date.now() - back;

    // Consume everything: raw deliveries, and per messageId as a deduping consumer sees them.
    const raw: { messageId: string; body: { call_id: string; event_type: string } }[] = [];
    for (let idle = 0; idle < 10; ) {
      const m = await ch.get(queue, { noAck: true });
      if (!m) {
        idle++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      idle = 0;
      raw.push({ messageId: String(m.properties.messageId), body: JSON.parse(m.content.toString()) });
    }
    const firstSeen = new Map<string, (typeof raw)[number]>();
    for (const m of raw) if (!firstSeen.has(m.messageId)) firstSeen.set(m.messageId, m);
    const logged = await getDb().select().from(callEventLogs).where(eq(callEventLogs.tenantId, ctx.tenantId));
    console.log(
      `broker outage ${OUTAGE_MS} ms: ${logged.length} events accepted; POST p50 ${pct(latencies.post, 50).toFixed(0)} ms, p99 ${pct(latencies.post, 99).toFixed(0)} ms, max ${Math.max(...latencies.post).toFixed(0)} ms; ` +
        `GET /api/v1/calls p99 ${pct(latencies.read, 99).toFixed(0)} ms over ${latencies.read.length} reads; drained ${drainedMs} ms after the broker returned; ` +
        `${raw.length} raw deliveries, ${firstSeen.size} distinct messageIds (${raw.length - firstSeen.size} redelivered); ` +
        `longest idle-in-transaction session ${longestIdleInTx.toFixed(2)} s`,
    );
    expect([...statuses].sort()).toEqual([200, 202]);
    // Holding a transaction across a connect attempt would show as ≥ 5 s (the connect timeout).
    expect(longestIdleInTx).toBeLessThan(4.5);
    // 0 lost, nothing unknown, exactly once per messageId.
    expect(new Set(firstSeen.keys())).toEqual(new Set(logged.map((r) => r.id)));
    // The proxy never passed a byte during the outage, so nothing was confirmed twice either.
    expect(raw).toHaveLength(logged.length);
    const deduped = [...firstSeen.values()];
    for (const id of callIds) {
      expect(deduped.filter((m) => m.body.call_id === id).map((m) => m.body.event_type)).toEqual([...lifecycle]);
    }
  }, 120_000);
});
