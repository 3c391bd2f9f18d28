// 1,000 events to one endpoint at once through the real pg-boss engine: none deadlock, none stick, every retry is made.
import { createHash } from "node:crypto";
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { jobDeadLetters, webhookDeliveries, webhookDeliveryAttempts } from "@/db/schema";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { startWebhookReceiver } from "@/lib/test/webhook-receiver";
import { createEndpoint } from "./endpoints";
import { enqueueWebhookDeliveries, type OutboundEvent } from "./enqueue";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";
// The Standard Webhooks schedule scaled down ~1000×: eight attempts within ~3 s.
const SCALED_DELAYS = [20, 50, 100, 200, 400, 800, 1500];
process.env.HERALD_WEBHOOK_RETRY_DELAYS_MS = SCALED_DELAYS.join(",");

const EVENTS = 1000;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await receiver?.close();
  delete process.env.HERALD_WEBHOOK_RETRY_DELAYS_MS;
});

/** A stable pseudo-random fraction per webhook-id, so the failing 30 % is the same on every request. */
function fraction(id: string): number {
  return createHash("sha256").update(id).digest().readUInt32BE(0) / 0x1_0000_0000;
}

describe("outbound webhooks under load to one endpoint", () => {
  it("1,000 concurrent events, 30 % of first attempts failing and 1 % always failing: every delivery terminal, each attempt posted once", async () => {
    const ctx = await makeContext("admin");
    const endpoint = await createEndpoint(ctx, { url: `${receiver.url}/one`, description: "load", event_types: ["communication.sent.v1"] });
    receiver.setSecrets([endpoint.secret]);
    const seen = new Map<string, number>();
    receiver.setResponder((r) => {
      const id = String(r.headers["webhook-id"]);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (!r.verified) return { status: 400 };
      const f = fraction(id);
      if (f < 0.01) return { status: 500, body: "always down for this one" };
      if (f < 0.31 && n === 1) return { status: 500, body: "first attempt fails" };
      return { status: 200 };
    });

    const events: OutboundEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
      eventType: "communication.sent.v1",
      eventId: randomUUID(),
      data: { message_id: randomUUID(), n: i },
      occurredAt: new Date(),
    }));
    await getDb().transaction((tx) => enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, events }));

    const open = async () => {
      const [r] = await getDb()
        .select({ n: sql<number>`count(*)::int` })
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.tenantId, ctx.tenantId), sql`${webhookDeliveries.status} in ('pending', 'delivering', 'failed')`));
      return r!.n;
    };
    await waitFor(async () => (await open()) === 0, 120_000, 250).catch(async (err: unknown) => {
      const left = await getDb().execute(sql`select status, attempt_count, count(*)::int as n from webhook_deliveries where tenant_id = ${ctx.tenantId} group by 1, 2 order by 1, 2`);
      const slots = await getDb().execute(sql`select key, count(*)::int as n from delivery_slots where expires_at > now() group by key`);
      throw new Error(`${(err as Error).message}; deliveries by status: ${JSON.stringify(left)}; run slots held ${JSON.stringify(slots)}`);
    });

    const rows = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, ctx.tenantId));
    expect(rows).toHaveLength(EVENTS);
    const attempts = await getDb().select().from(webhookDeliveryAttempts).where(eq(webhookDeliveryAttempts.tenantId, ctx.tenantId));
    const attemptsBy = new Map<string, number>();
    for (const a of attempts) attemptsBy.set(a.deliveryId, (attemptsBy.get(a.deliveryId) ?? 0) + 1);

    const hits = new Map<string, { n: number; timestamps: Set<string> }>();
    for (const r of receiver.received.filter((x) => x.path === "/one")) {
      const id = String(r.headers["webhook-id"]);
      const h = hits.get(id) ?? { n: 0, timestamps: new Set<string>() };
      h.n++;
      h.timestamps.add(String(r.headers["webhook-timestamp"]));
      hits.set(id, h);
    }

    const expected = { succeeded: 0, exhausted: 0, retried: 0 };
    for (const d of rows) {
      const f = fraction(d.eventId);
      const alwaysFails = f < 0.01;
      const failsFirst = !alwaysFails && f < 0.31;
      // Terminal exactly as the schedule says: the 1 % after all eight attempts, the rest succeeded.
      expect(d.status, d.id).toBe(alwaysFails ? "exhausted" : "succeeded");
      expect(d.attemptCount, d.id).toBe(alwaysFails ? SCALED_DELAYS.length + 1 : failsFirst ? 2 : 1);
      // Each attempt reached the receiver exactly once, under the delivery's one webhook-id, and has one log row.
      expect(hits.get(d.eventId)?.n, d.id).toBe(d.attemptCount);
      expect(attemptsBy.get(d.id), d.id).toBe(d.attemptCount);
      if (alwaysFails) expected.exhausted++;
      else expected.succeeded++;
      if (failsFirst) expected.retried++;
    }
    // The webhook-ids the receiver saw are exactly the deliveries' ids: no stray or duplicated delivery.
    expect(new Set(hits.keys())).toEqual(new Set(rows.map((d) => d.eventId)));
    expect(expected.retried).toBeGreaterThan(200);
    expect(expected.exhausted).toBeGreaterThan(0);
    const dead = await getDb().select().from(jobDeadLetters).where(eq(jobDeadLetters.tenantId, ctx.tenantId));
    expect(dead).toEqual([]);
  }, 150_000);
});
