// Back-pressure: the tenant send quota at the API (429 + Retry-After), per-tenant delivery
// concurrency on the pg-boss engine, and the Inngest declaration of the same limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { countLiveSlots } from "@/db/queries/send-limits";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { POST as sendBatch } from "@/app/api/v1/messages/batch/route";
import { POST as send } from "@/app/api/v1/messages/route";
import { toInngestFunction } from "@/inngest/bind";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { deadLetterIsTerminal, defineWorkflow } from "@/lib/jobs/workflow";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessages } from "@/lib/test/delivery";
import { params, request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { admitDelivery, releaseDelivery, setTenantLimits } from "./fair-share";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 3 });
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await sim.close();
  await closeDb();
});

const email = (n: number) => ({ channel: "email", to: [{ email: `q${n}@example.com` }], subject: "Hi", body_text: "Hello" });

describe("tenant send quota at the API", () => {
  it("answers 429 with Retry-After past the quota, single and batch, and drops nothing silently", async () => {
    const ctx = await makeContext("owner");
    await makeConfig(ctx, "sendgrid");
    // One a second: the slowest refill a quota can have, so a loaded machine cannot refill it between steps.
    await setTenantLimits(ctx, { sendsPerSecond: 1, maxConcurrentDeliveries: null });
    const key = (await createApiKey(ctx, { name: "send", scopes: ["messages:send"] })).key;
    const post = (n: number) => send(request("/api/v1/messages", { method: "POST", key, body: email(n) }), params({}));

    // At once, so the bucket cannot refill between them.
    const statuses = await Promise.all([0, 1].map((i) => post(i)));
    expect(statuses.map((r) => r.status).sort()).toEqual([202, 429]);
    const refused = statuses.find((r) => r.status === 429)!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { code: string; details: { retry_after_seconds: number } } };
    expect(body.error.code).toBe("tenant_send_quota_exceeded");
    expect(body.error.details.retry_after_seconds).toBeGreaterThanOrEqual(1);

    // A batch with the quota used up is a 429 as a whole.
    const none = await sendBatch(request("/api/v1/messages/batch", { method: "POST", key, body: { messages: [email(10)] } }), params({}));
    expect(none.status).toBe(429);
    expect(none.headers.get("retry-after")).toBeTruthy();

    // After a second: the first item is accepted, the other 2 answered 429 each, with Retry-After.
    await new Promise((r) => setTimeout(r, 1_100));
    const part = await sendBatch(
      request("/api/v1/messages/batch", { method: "POST", key, body: { messages: [0, 1, 2].map((i) => email(20 + i)) } }),
      params({}),
    );
    expect(part.status).toBe(200);
    expect(Number(part.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const result = (await part.json()) as { accepted: number; rejected: number; results: { index: number; status: number; error?: { code: string } }[] };
    expect(result.accepted).toBe(1);
    expect(result.rejected).toBe(2);
    expect(result.results.map((r) => [r.index, r.status])).toEqual([[0, 202], [1, 429], [2, 429]]);
    expect(result.results[2]!.error?.code).toBe("tenant_send_quota_exceeded");
    const [row] = await getDb().$client`select count(*)::int as n from messages where tenant_id = ${ctx.tenantId}`;
    expect(row!.n).toBe(2);
  });

  it("leaves tenants without a quota alone", async () => {
    const ctx = await makeContext("owner");
    await makeConfig(ctx, "sendgrid");
    const key = (await createApiKey(ctx, { name: "send", scopes: ["messages:send"] })).key;
    for (let i = 0; i < 5; i++) {
      expect((await send(request("/api/v1/messages", { method: "POST", key, body: email(i) }), params({}))).status).toBe(202);
    }
  });
});

describe("per-tenant delivery concurrency", () => {
  it("admits up to the limit, defers the rest, and admits again when a slot frees", async () => {
    const ctx = await makeContext("owner");
    await setTenantLimits(ctx, { sendsPerSecond: null, maxConcurrentDeliveries: 2 });
    const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    expect(await admitDelivery({ tenantId: ctx.tenantId, messageId: a })).toEqual({ kind: "admitted", slot: true });
    expect(await admitDelivery({ tenantId: ctx.tenantId, messageId: b })).toEqual({ kind: "admitted", slot: true });
    expect(await admitDelivery({ tenantId: ctx.tenantId, messageId: c })).toMatchObject({ kind: "defer" });
    // A re-run of an admitted delivery keeps its slot rather than taking a second one.
    expect(await admitDelivery({ tenantId: ctx.tenantId, messageId: b })).toEqual({ kind: "admitted", slot: true });
    await releaseDelivery({ tenantId: ctx.tenantId, messageId: a });
    expect(await admitDelivery({ tenantId: ctx.tenantId, messageId: c })).toEqual({ kind: "admitted", slot: true });
    // Another tenant is not affected.
    const other = await makeContext("owner");
    await setTenantLimits(other, { sendsPerSecond: null, maxConcurrentDeliveries: 1 });
    expect(await admitDelivery({ tenantId: other.tenantId, messageId: a })).toEqual({ kind: "admitted", slot: true });
  });

  it("never runs more of a tenant's deliveries at once than its limit, and delivers them all", async () => {
    const ctx = await makeContext("owner");
    await setTenantLimits(ctx, { sendsPerSecond: null, maxConcurrentDeliveries: 2 });
    const { config, account } = await makeSimConfig(ctx, sim, "sendgrid");
    const ids = await queueMessages(
      ctx,
      Array.from({ length: 12 }, (_, i) => ({
        channel: "email" as const,
        route: [config],
        recipient: `c${i}@example.com`,
        payload: { to: [{ email: `c${i}@example.com` }], subject: "Hi", body_text: "Hello" },
      })),
    );
    let peak = 0;
    const key = `tenant-deliveries:${ctx.tenantId}`;
    await waitFor(async () => {
      peak = Math.max(peak, await countLiveSlots(getDb(), { key }));
      const [row] = await getDb().$client`select count(*)::int as n from messages where tenant_id = ${ctx.tenantId} and status = 'sent'`;
      return row!.n === ids.length;
    }, 30_000, 10);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    expect(sim.listMessages({ accountId: account.id })).toHaveLength(ids.length);
    // Each run gives its slot back once its message is done.
    await waitFor(async () => (await countLiveSlots(getDb(), { key })) === 0, 5_000, 20);
  }, 40_000);
});

describe("Inngest declaration", () => {
  it("binds per-tenant concurrency and throttle keys", () => {
    const wf = defineWorkflow({
      id: "fair-test",
      name: "FairTest",
      event: "herald/message.queued",
      retries: 3,
      concurrency: 32,
      tenantConcurrency: 4,
      throttle: { key: "event.data.tenantId", limit: 50, periodSeconds: 1 },
      handler: async () => null,
      onFailure: deadLetterIsTerminal,
    });
    const opts = toInngestFunction(wf)["opts"] as { concurrency: unknown; throttle: unknown };
    expect(opts.concurrency).toEqual([{ limit: 32 }, { key: "event.data.tenantId", limit: 4 }]);
    expect(opts.throttle).toEqual({ key: "event.data.tenantId", limit: 50, period: "1s" });
  });

  it("declares the delivery workflow's tenant limits from the environment", async () => {
    process.env.HERALD_TENANT_MAX_CONCURRENCY = "6";
    process.env.HERALD_TENANT_DELIVERIES_PER_SECOND = "40";
    try {
      const { vi } = await import("vitest");
      vi.resetModules();
      const { deliverMessage } = await import("@/inngest/functions/deliver-message");
      const { toInngestFunction: bind } = await import("@/inngest/bind");
      const opts = bind(deliverMessage)["opts"] as { concurrency: { key?: string; limit: number }[]; throttle: unknown };
      expect(opts.concurrency).toContainEqual({ key: "event.data.tenantId", limit: 6 });
      expect(opts.throttle).toEqual({ key: "event.data.tenantId", limit: 40, period: "1s" });
    } finally {
      delete process.env.HERALD_TENANT_MAX_CONCURRENCY;
      delete process.env.HERALD_TENANT_DELIVERIES_PER_SECOND;
    }
  });
});
