// Dead letters: 100 messages fail on every route, are listed with their history, and replayed
// concurrently — each is sent exactly once more, keeps its idempotency key, and the replay is recorded.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { auditLog, communicationEvents, deadLetterReplays, messages, messageStatusHistory } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessages } from "@/lib/test/delivery";
import { params, request } from "@/lib/test/http";
import type { DeadLetterListOut, ReplayResultOut } from "@/lib/validations/dead-letters";
import { POST as replay } from "./replay/route";
import { GET as list } from "./route";

process.env.HERALD_DELIVERY_HOP_ATTEMPTS = "1";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 5 });
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await sim.close();
  await closeDb();
});

const N = 100;

async function countByStatus(tenantId: string, status: "failed" | "sent") {
  const rows = await getDb().select({ id: messages.id }).from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.status, status)));
  return rows.length;
}

describe("dead letters", () => {
  it("lists messages that exhausted their route and replays each at most once more", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "ops", scopes: ["messages:send", "messages:read"] })).key;
    const readOnly = (await createApiKey(ctx, { name: "ro", scopes: ["messages:read"] })).key;
    // The breaker stays out of it: this test is about every route failing.
    const a = await makeSimConfig(ctx, sim, "sendgrid", { overrides: { breaker_consecutive_failures: 1000, breaker_min_calls: 100_000 } });
    const b = await makeSimConfig(ctx, sim, "mailgun", { overrides: { breaker_consecutive_failures: 1000, breaker_min_calls: 100_000 } });
    const ruleA = sim.addFailureRule({ accountId: a.account.id, mode: "server_error", status: 503 });
    const ruleB = sim.addFailureRule({ accountId: b.account.id, mode: "server_error", status: 502 });
    const ids = await queueMessages(
      ctx,
      Array.from({ length: N }, (_, i) => ({
        channel: "email" as const,
        route: [a.config, b.config],
        recipient: `dl${i}@example.com`,
        payload: { to: [{ email: `dl${i}@example.com` }], subject: "Hi", body_text: "Hello" },
      })),
    );
    await getDb().$client`update messages set idempotency_key = 'key-' || id::text where tenant_id = ${ctx.tenantId}`;
    await waitFor(async () => (await countByStatus(ctx.tenantId, "failed")) === N, 90_000, 200);

    // Listed with the full attempt history and the last error, paged by cursor.
    const page = async (q: string) => {
      const res = await list(request(`/api/v1/dead-letters?${q}`, { key }), params({}));
      expect(res.status).toBe(200);
      return (await res.json()) as DeadLetterListOut;
    };
    const first = await page("kind=message&limit=60");
    expect(first.data).toHaveLength(60);
    expect(first.next_cursor).toBeTruthy();
    const second = await page(`kind=message&limit=60&cursor=${first.next_cursor}`);
    expect(second.data).toHaveLength(40);
    expect(second.next_cursor).toBeNull();
    expect(new Set([...first.data, ...second.data].map((d) => d.id))).toEqual(new Set(ids));
    const one = first.data[0]!;
    expect(one.kind).toBe("message");
    expect(one.last_error).toMatch(/mailgun HTTP 502/);
    expect(one.attempts.map((x) => [x.provider, x.outcome, x.response_code])).toEqual([
      ["sendgrid", "fallback", 503],
      ["mailgun", "failed", 502],
    ]);
    expect((await page("provider=mailgun&limit=200")).data).toHaveLength(N);
    expect((await page("provider=sendgrid")).data).toHaveLength(0);
    expect((await page(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).data).toHaveLength(0);
    expect((await list(request("/api/v1/dead-letters?kind=nope", { key }), params({}))).status).toBe(422);
    expect((await list(request("/api/v1/dead-letters?cursor=zzz", { key }), params({}))).status).toBe(400);

    // Replay needs messages:send; a bad body is a 422.
    const post = (k: string, body: unknown) => replay(request("/api/v1/dead-letters/replay", { method: "POST", key: k, body }), params({}));
    expect((await post(readOnly, { ids })).status).toBe(403);
    expect((await post(key, { ids: ["not-a-uuid"] })).status).toBe(422);
    expect((await post(key, {})).status).toBe(422);

    sim.removeFailureRule(ruleA.id);
    sim.removeFailureRule(ruleB.id);
    const sentBefore = sim.listMessages({ accountId: a.account.id }).length;
    expect(sentBefore).toBe(0);

    // A double click and a concurrent replay of the same 100 ids: exactly one wins per id.
    const results = await Promise.all([post(key, { ids }), post(key, { ids }), post(key, { filter: { kind: "message" } })]);
    const bodies = (await Promise.all(results.map((r) => r.json()))) as ReplayResultOut[];
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    const replayed = bodies.flatMap((x) => x.replayed.map((r) => r.id));
    expect(replayed).toHaveLength(N);
    expect(new Set(replayed)).toEqual(new Set(ids));

    await waitFor(async () => (await countByStatus(ctx.tenantId, "sent")) === N, 60_000, 200);
    // Give any duplicate run a moment to (wrongly) send again before counting provider sends.
    await new Promise((r) => setTimeout(r, 500));
    const sends = sim.listMessages({ accountId: a.account.id });
    expect(sends).toHaveLength(N);
    expect(new Set(sends.map((s) => s.recipients[0]))).toHaveProperty("size", N);

    const db = getDb();
    const rows = await db.select().from(messages).where(inArray(messages.id, ids));
    for (const m of rows) {
      expect(m.idempotencyKey).toBe(`key-${m.id}`);
      expect(m.replayCount).toBe(1);
    }
    const recorded = await db.select().from(deadLetterReplays).where(eq(deadLetterReplays.tenantId, ctx.tenantId));
    expect(recorded).toHaveLength(N);
    expect(new Set(recorded.map((r) => r.actorLabel))).toEqual(new Set(["api key ops"]));
    const history = await db
      .select()
      .from(messageStatusHistory)
      .where(and(eq(messageStatusHistory.tenantId, ctx.tenantId), eq(messageStatusHistory.fromStatus, "failed")));
    expect(history).toHaveLength(N);
    expect(history[0]!.reason).toBe("replayed by api key ops");
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, ctx.tenantId), eq(auditLog.action, "dead_letters.replayed")));
    expect(audits.reduce((n, x) => n + Number((x.details as { count: number }).count), 0)).toBe(N);
    // One communication event per delivery round: the failure, then the send.
    const events = await db.select().from(communicationEvents).where(eq(communicationEvents.messageId, ids[0]!));
    expect(events.map((e) => [e.deliveryRound, e.name]).sort()).toEqual([
      [0, "communication.failed.v1"],
      [1, "communication.sent.v1"],
    ]);

    // Sent now: nothing left to replay, and a replay of them sends nothing.
    expect((await page("kind=message")).data).toHaveLength(0);
    const again = (await (await post(key, { ids: ids.slice(0, 5) })).json()) as ReplayResultOut;
    expect(again.replayed).toHaveLength(0);
    expect(again.skipped).toHaveLength(5);
    // The history shows who replayed.
    expect(sim.listMessages({ accountId: a.account.id })).toHaveLength(N);
  }, 180_000);

  it("keeps tenants apart", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "other", scopes: ["messages:send", "messages:read"] })).key;
    const res = await list(request("/api/v1/dead-letters", { key }), params({}));
    expect(((await res.json()) as DeadLetterListOut).data).toHaveLength(0);
  });
});
