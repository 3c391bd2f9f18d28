// Attempts against a real receiver on 127.0.0.1 and real Postgres; time is driven by an injected clock.
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { and, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { outboxEvents, webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "@/db/schema";
import { makeContext } from "@/lib/test/factories";
import { startWebhookReceiver } from "@/lib/test/webhook-receiver";
import type { OutboundEventType } from "@/lib/validations/outbound-webhooks";
import { ATTEMPT_LEASE_MS, attemptWebhookDelivery } from "./deliver";
import { createEndpoint, listDeliveries, resendDelivery, rotateEndpointSecret, updateEndpoint } from "./endpoints";
import { enqueueWebhookDeliveries } from "./enqueue";
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from "./schedule";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await closeDb();
});

type Ctx = Awaited<ReturnType<typeof makeContext>>;

async function setup(eventTypes: OutboundEventType[] = ["communication.sent.v1"], path = `/h/${randomUUID()}`) {
  const ctx = await makeContext("admin");
  const endpoint = await createEndpoint(ctx, { url: `${receiver.url}${path}`, description: "test", event_types: eventTypes });
  return { ctx, endpoint, path };
}

async function enqueue(ctx: Ctx, eventType: OutboundEventType = "communication.sent.v1", data: Record<string, unknown> = { message_id: randomUUID() }) {
  const sourceId = randomUUID();
  const n = await getDb().transaction((tx) =>
    enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, eventType, eventId: sourceId, payload: { type: eventType, timestamp: new Date().toISOString(), data } }),
  );
  const rows = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, ctx.tenantId));
  return { n, rows, sourceId };
}

const at = (path: string) => receiver.received.filter((r) => r.path === path);
const fixedRandom = () => 0.5; // no jitter

describe("signing (Standard Webhooks reference library as the receiver)", () => {
  it("every delivery verifies; a body changed by one byte is rejected", async () => {
    const { ctx, endpoint, path } = await setup();
    receiver.setSecrets([endpoint.secret]);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    for (let i = 0; i < 3; i++) await enqueue(ctx, "communication.sent.v1", { message_id: randomUUID(), n: i, text: "héllo ✓" });
    const rows = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
    expect(rows).toHaveLength(3);
    for (const d of rows) {
      const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 });
      expect(out).toMatchObject({ kind: "attempted", status: "succeeded", responseCode: 204 });
    }
    const got = at(path);
    expect(got).toHaveLength(3);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got.map((r) => r.headers["webhook-id"])).toEqual(expect.arrayContaining(rows.map((d) => d.eventId)));
    expect(JSON.parse(got[0]!.body)).toMatchObject({ type: "communication.sent.v1", data: { message_id: expect.any(String) } });
    expect(got[0]!.headers["content-type"]).toBe("application/json");

    // Replay the first delivery with a tampered body over real HTTP: the receiver refuses it.
    const first = got[0]!;
    const tampered = first.body.replace('"type"', '"typf"');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${receiver.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": String(first.headers["webhook-id"]),
          "webhook-timestamp": String(first.headers["webhook-timestamp"]),
          "webhook-signature": String(first.headers["webhook-signature"]),
        },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(tampered);
    });
    expect(status).toBe(400);
    expect(at(path).at(-1)).toMatchObject({ verified: false, error: "No matching signature found" });

    const log = await listDeliveries(ctx, endpoint.id, { limit: 10 });
    expect(log.data.every((d) => d.status === "succeeded" && d.last_response_code === 204 && d.attempts.length === 1)).toBe(true);
  });

  it("a re-run of an attempt that already happened sends nothing (the claim is the guard)", async () => {
    const { ctx, endpoint, path } = await setup();
    receiver.setSecrets([endpoint.secret]);
    const { rows } = await enqueue(ctx);
    const d = rows[0]!;
    await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 });
    const again = await Promise.all([0, 1, 2].map(() => attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 })));
    expect(again.every((o) => o.kind === "superseded")).toBe(true);
    expect(at(path)).toHaveLength(1);
  });

  it("an attempt held by a worker that died is re-checked when its lease ends and then made again, same webhook-id", async () => {
    const { ctx, endpoint, path } = await setup();
    receiver.setSecrets([endpoint.secret]);
    const { rows } = await enqueue(ctx);
    const d = rows[0]!;
    // A worker claimed attempt 1 and died before recording it.
    const claimedAt = new Date();
    await getDb()
      .update(webhookDeliveries)
      .set({ status: "delivering", attemptCount: 1, roundAttempts: 1, lastAttemptAt: claimedAt })
      .where(eq(webhookDeliveries.id, d.id));
    const held = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 });
    expect(held).toMatchObject({ kind: "in_progress" });
    // Not a run retry: a delayed event for when the lease is up (a second look schedules nothing new).
    await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 });
    const rechecks = (await getDb().select().from(outboxEvents).where(eq(outboxEvents.tenantId, ctx.tenantId))).filter(
      (j) => j.name === "herald/webhook-delivery.due" && j.startAfter,
    );
    expect(rechecks).toHaveLength(1);
    expect(rechecks[0]!.startAfter!.getTime()).toBeGreaterThanOrEqual(claimedAt.getTime() + ATTEMPT_LEASE_MS);
    expect(at(path)).toHaveLength(0);
    // When the re-check runs after the lease, the attempt is taken over and made.
    const later = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 }, { now: () => new Date(claimedAt.getTime() + ATTEMPT_LEASE_MS + 1000) });
    expect(later).toMatchObject({ kind: "attempted", status: "succeeded" });
    expect(at(path).map((r) => r.headers["webhook-id"])).toEqual([d.eventId]);
  });

  it("only deliveries for subscribed, enabled endpoints are written; a repeat of the same event is dropped", async () => {
    const { ctx, endpoint } = await setup(["message.delivered.v1"]);
    const other = await createEndpoint(ctx, { url: `${receiver.url}/other`, description: "", event_types: ["communication.sent.v1", "message.delivered.v1"] });
    await updateEndpoint(ctx, other.id, { status: "disabled" });
    expect((await enqueue(ctx, "communication.sent.v1")).n).toBe(0);
    const sourceId = randomUUID();
    const write = () =>
      getDb().transaction((tx) => enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, eventType: "message.delivered.v1", eventId: sourceId, payload: { type: "message.delivered.v1" } }));
    expect(await write()).toBe(1);
    expect(await write()).toBe(0);
    const rows = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, ctx.tenantId));
    expect(rows.map((r) => r.endpointId)).toEqual([endpoint.id]);
    const jobs = await getDb().select().from(outboxEvents).where(eq(outboxEvents.tenantId, ctx.tenantId));
    expect(jobs.filter((j) => j.name === "herald/webhook-delivery.due")).toHaveLength(1);
  });
});

describe("retries", () => {
  it("follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then the delivery is exhausted; each retry is a delayed job", async () => {
    const { ctx, endpoint, path } = await setup();
    receiver.setSecrets([endpoint.secret]);
    const { rows } = await enqueue(ctx);
    const d = rows[0]!;
    receiver.setResponder((r) => (r.path === path ? { status: 500, body: "boom" } : { status: 204 }));
    let clock = Date.now();
    const waits: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: i }, { now: () => new Date(clock), random: fixedRandom, allowLoopback: true });
      expect(out.kind).toBe("attempted");
      if (out.kind !== "attempted") break;
      if (i < MAX_ATTEMPTS - 1) {
        expect(out.status).toBe("failed");
        const next = out.nextAttemptAt!.getTime();
        waits.push(next - clock);
        // The retry is an outbox event held until next_attempt_at, not a sleeping worker.
        const [job] = await getDb().select().from(outboxEvents).where(and(eq(outboxEvents.tenantId, ctx.tenantId), eq(outboxEvents.name, "herald/webhook-delivery.due"))).orderBy(outboxEvents.createdAt).offset(i + 1);
        expect(job?.startAfter?.getTime()).toBe(next);
        expect(job?.payload).toMatchObject({ deliveryId: d.id, attempt: i + 1 });
        const [row] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d.id));
        expect(row!.nextAttemptAt!.getTime()).toBe(next);
        clock = next;
      } else {
        expect(out).toMatchObject({ status: "exhausted", nextAttemptAt: null });
      }
    }
    // Latency of the local call is added on top of each wait.
    waits.forEach((w, i) => expect(w - RETRY_DELAYS_MS[i]!).toBeGreaterThanOrEqual(0));
    waits.forEach((w, i) => expect(w - RETRY_DELAYS_MS[i]!).toBeLessThan(2000));
    expect(RETRY_DELAYS_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    const attempts = await getDb().select().from(webhookDeliveryAttempts).where(eq(webhookDeliveryAttempts.deliveryId, d.id));
    expect(attempts.map((a) => a.responseCode)).toEqual(Array(8).fill(500));
    expect(at(path)).toHaveLength(8);
    expect(at(path).every((r) => r.headers["webhook-id"] === d.eventId)).toBe(true);
    const [final] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d.id));
    expect(final).toMatchObject({ status: "exhausted", attemptCount: 8, lastResponseCode: 500, lastResponseBody: "boom" });

    // Resend: the same webhook-id again, a fresh round.
    receiver.setResponder(undefined);
    const resent = await resendDelivery(ctx, d.id);
    expect(resent.status).toBe("pending");
    const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 8 });
    expect(out).toMatchObject({ status: "succeeded" });
    expect(at(path).at(-1)).toMatchObject({ verified: true });
    expect(at(path).at(-1)!.headers["webhook-id"]).toBe(d.eventId);
  });

  it("jitter stays within ±10 % and a Retry-After on 429/503 is honoured when longer", async () => {
    const { ctx, endpoint, path } = await setup();
    receiver.setSecrets([endpoint.secret]);
    const { rows } = await enqueue(ctx);
    receiver.setResponder((r) => (r.path === path ? { status: 429, headers: { "retry-after": "3600" } } : { status: 204 }));
    const now = Date.now();
    const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: rows[0]!.id, expectedAttempt: 0 }, { now: () => new Date(now), random: () => 0 });
    if (out.kind !== "attempted") throw new Error("not attempted");
    expect(out.nextAttemptAt!.getTime() - now).toBeGreaterThanOrEqual(3600_000);
    expect(out.nextAttemptAt!.getTime() - now).toBeLessThan(3602_000);

    const second = await enqueue(ctx);
    const d2 = second.rows.find((r) => r.id !== rows[0]!.id)!;
    receiver.setResponder((r) => (r.path === path ? { status: 503 } : { status: 204 }));
    const lo = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d2.id, expectedAttempt: 0 }, { now: () => new Date(now), random: () => 0 });
    if (lo.kind !== "attempted") throw new Error("not attempted");
    const wait = lo.nextAttemptAt!.getTime() - now;
    expect(wait).toBeGreaterThanOrEqual(4500);
    expect(wait).toBeLessThan(4500 + 2000);
    receiver.setResponder(undefined);
  });

  it("410 Gone disables the endpoint with a visible reason and ends its other open deliveries", async () => {
    const { ctx, endpoint, path } = await setup();
    const a = await enqueue(ctx);
    const b = await enqueue(ctx);
    const first = a.rows[0]!;
    const other = b.rows.find((r) => r.id !== first.id)!;
    receiver.setResponder((r) => (r.path === path ? { status: 410 } : { status: 204 }));
    const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: first.id, expectedAttempt: 0 });
    expect(out).toMatchObject({ kind: "attempted", status: "exhausted", endpointDisabled: true, responseCode: 410 });
    const [ep] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep).toMatchObject({ status: "disabled", disabledReason: expect.stringMatching(/410 Gone/) });
    const [o] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, other.id));
    expect(o).toMatchObject({ status: "exhausted", lastError: expect.stringMatching(/endpoint disabled/) });
    expect(await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: other.id, expectedAttempt: 0 })).toEqual({ kind: "superseded" });
    expect(at(path)).toHaveLength(1);
    await expect(resendDelivery(ctx, other.id)).rejects.toMatchObject({ status: 409 });
    receiver.setResponder(undefined);
    // New events skip the disabled endpoint.
    expect((await enqueue(ctx)).n).toBe(0);
  });

  it("an endpoint failing continuously for 5 days is disabled with the reason; any success resets the clock", async () => {
    const { ctx, endpoint, path } = await setup();
    receiver.setResponder((r) => (r.path === path ? { status: 500 } : { status: 204 }));
    const t0 = Date.now();
    const d1 = (await enqueue(ctx)).rows[0]!;
    await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d1.id, expectedAttempt: 0 }, { now: () => new Date(t0) });
    let [ep] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep!.failingSince!.getTime()).toBe(t0);
    const d2 = (await enqueue(ctx)).rows.find((r) => r.id !== d1.id)!;
    const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d2.id, expectedAttempt: 0 }, { now: () => new Date(t0 + 5 * 86_400_000 + 60_000) });
    expect(out).toMatchObject({ status: "exhausted", endpointDisabled: true });
    [ep] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep).toMatchObject({ status: "disabled", disabledReason: expect.stringMatching(/failed for 5 day\(s\).*HTTP 500/) });
    const [first] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d1.id));
    expect(first!.status).toBe("exhausted");

    // Enabling clears the reason and the clock; a success keeps it clear.
    const enabled = await updateEndpoint(ctx, endpoint.id, { status: "enabled" });
    expect(enabled).toMatchObject({ status: "enabled", disabled_reason: null, failing_since: null });
    receiver.setResponder(undefined);
    receiver.setSecrets([endpoint.secret]);
    await resendDelivery(ctx, d1.id);
    expect(await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d1.id, expectedAttempt: 1 })).toMatchObject({ status: "succeeded" });
    [ep] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(ep).toMatchObject({ failingSince: null, lastSuccessAt: expect.any(Date) });
  });
});

describe("secret rotation", () => {
  it("during the overlap both signatures are sent and each verifies; afterwards only the new one", async () => {
    const { ctx, endpoint, path } = await setup();
    const rotated = await rotateEndpointSecret(ctx, endpoint.id, { overlap_hours: 24 });
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previous_secret_expires_at).not.toBeNull();
    receiver.setSecrets([endpoint.secret, rotated.secret]);
    const d = (await enqueue(ctx)).rows[0]!;
    await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 });
    const got = at(path).at(-1)!;
    const sigs = String(got.headers["webhook-signature"]).split(" ");
    expect(sigs).toHaveLength(2);
    expect(sigs.every((s) => s.startsWith("v1,"))).toBe(true);
    expect(got.verifiedWith).toEqual([endpoint.secret, rotated.secret]);
    const headers = { "webhook-id": String(got.headers["webhook-id"]), "webhook-timestamp": String(got.headers["webhook-timestamp"]), "webhook-signature": String(got.headers["webhook-signature"]) };
    expect(() => new Webhook(endpoint.secret).verify(got.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(got.body, headers)).not.toThrow();

    // After the overlap the old secret no longer signs (clock moved 25 h; the receiver checks the signature only).
    const later = Date.now() + 25 * 3600_000;
    const d2 = (await enqueue(ctx)).rows.find((r) => r.id !== d.id)!;
    receiver.setResponder(() => ({ status: 204 }));
    await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d2.id, expectedAttempt: 0 }, { now: () => new Date(later) });
    receiver.setResponder(undefined);
    expect(String(at(path).at(-1)!.headers["webhook-signature"]).split(" ")).toHaveLength(1);

    // Rotating with no overlap retires the current secret at once.
    const again = await rotateEndpointSecret(ctx, endpoint.id, { overlap_hours: 0 });
    expect(again.previous_secret_expires_at).toBeNull();
    receiver.setSecrets([again.secret]);
    const d3 = (await enqueue(ctx)).rows.find((r) => r.id !== d.id && r.id !== d2.id)!;
    await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d3.id, expectedAttempt: 0 });
    expect(at(path).at(-1)).toMatchObject({ verified: true, verifiedWith: [again.secret] });
    expect(String(at(path).at(-1)!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
  });
});

describe("SSRF guard at delivery time", () => {
  it("an endpoint whose host now points at loopback is not contacted when loopback is not allowed", async () => {
    const { ctx, path } = await setup();
    const d = (await enqueue(ctx)).rows[0]!;
    const out = await attemptWebhookDelivery({ tenantId: ctx.tenantId, deliveryId: d.id, expectedAttempt: 0 }, { allowLoopback: false, random: fixedRandom });
    expect(out).toMatchObject({ kind: "attempted", status: "failed", responseCode: null });
    const [row] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, d.id));
    expect(row!.lastError).toMatch(/refused: .*loopback/);
    expect(at(path)).toHaveLength(0);
  });
});
