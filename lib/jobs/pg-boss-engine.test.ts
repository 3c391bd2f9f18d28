import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, databaseUrl, getDb } from "@/db";
import { apiKeys, jobDeadLetters, outboxEvents } from "@/db/schema";
import { workflows } from "@/inngest/workflows";
import { authenticateApiKey, createApiKey } from "@/lib/auth/api-keys";
import { makeContext, waitFor } from "@/lib/test/factories";
import { startJobEngine, stopJobEngine } from "./job-engine";
import { PgBossEngine } from "./pg-boss-engine";
import { deadLetterIsTerminal, defineWorkflow } from "./workflow";

const engines: PgBossEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  await stopJobEngine();
  await closeDb();
});

describe("pg-boss engine", () => {
  it("runs a real workflow end to end: emit in outbox → relay → pg-boss → api key last-used", async () => {
    const ctx = await makeContext("admin");
    const created = await createApiKey(ctx, { name: "ci", scopes: ["messages:send"] });
    await startJobEngine({ workflows, runWorkers: true });

    const auth = await authenticateApiKey(created.key);
    expect(auth?.tenantId).toBe(ctx.tenantId);

    const row = await waitFor(async () => {
      const [k] = await getDb().select().from(apiKeys).where(eq(apiKeys.id, created.id));
      return k?.lastUsedAt ? k : undefined;
    });
    expect(row.lastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const pending = await getDb()
      .select()
      .from(outboxEvents)
      .where(and(eq(outboxEvents.tenantId, ctx.tenantId), eq(outboxEvents.name, "herald/api-key.used")));
    expect(pending.every((e) => e.dispatchedAt !== null)).toBe(true);
  });

  it("retries with memoized steps and records a dead letter after the last attempt", async () => {
    const calls = { first: 0, second: 0 };
    const failures: { attempts: number; error: string; apiKeyId: string }[] = [];
    const id = `test-failing-${randomUUID().slice(0, 8)}`;
    const wf = defineWorkflow({
      id,
      name: "always fails in step two",
      event: "herald/api-key.used",
      retries: 2,
      handler: async ({ step }) => {
        await step.run("first", async () => ++calls.first);
        await step.run("second", async () => {
          calls.second++;
          throw new Error("provider said no");
        });
      },
      onFailure: async ({ event, error, attempts }) => {
        failures.push({ attempts, error: (error as Error).message, apiKeyId: event.data.apiKeyId });
      },
    });
    const engine = new PgBossEngine({ connectionString: databaseUrl(), workflows: [wf], runWorkers: true });
    engines.push(engine);
    await engine.start();
    const eventId = randomUUID();
    const tenantId = randomUUID();
    await engine.enqueue([
      { id: eventId, name: "herald/api-key.used", payload: { tenantId, apiKeyId: randomUUID(), usedAt: new Date().toISOString() } },
    ]);
    // Relaying the same outbox row again must not create a second run.
    await engine.enqueue([
      { id: eventId, name: "herald/api-key.used", payload: { tenantId, apiKeyId: randomUUID(), usedAt: new Date().toISOString() } },
    ]);

    const dead = await waitFor(async () => {
      const [d] = await getDb().select().from(jobDeadLetters).where(eq(jobDeadLetters.functionId, id));
      return d;
    }, 30_000);
    expect(dead.attempts).toBe(3);
    expect(dead.error).toContain("provider said no");
    expect(dead.tenantId).toBe(tenantId);
    expect(dead.eventId).toBe(eventId);
    // Step one finished on the first attempt and was never run again; step two ran on every attempt.
    expect(calls.first).toBe(1);
    expect(calls.second).toBe(3);
    // onFailure ran once, after the last attempt, with the run's event and error.
    expect(failures).toEqual([{ attempts: 3, error: "provider said no", apiKeyId: expect.any(String) }]);
  });

  it("dead-letters a malformed event at once instead of retrying it", async () => {
    let ran = 0;
    const id = `test-malformed-${randomUUID().slice(0, 8)}`;
    const wf = defineWorkflow({ id, name: "never runs", event: "herald/api-key.used", retries: 5, handler: async () => void ran++, onFailure: deadLetterIsTerminal });
    const engine = new PgBossEngine({ connectionString: databaseUrl(), workflows: [wf], runWorkers: true });
    engines.push(engine);
    await engine.start();
    await engine.enqueue([{ id: randomUUID(), name: "herald/api-key.used", payload: { tenantId: "not-a-uuid" } }]);
    const dead = await waitFor(async () => {
      const [d] = await getDb().select().from(jobDeadLetters).where(eq(jobDeadLetters.functionId, id));
      return d;
    });
    expect(dead.attempts).toBe(1);
    expect(ran).toBe(0);
  });

  it("drains for a switch to Inngest: keeps running what it holds, drops the cron schedules, then counts nothing open", async () => {
    let ran = 0;
    const id = `test-drain-${randomUUID().slice(0, 8)}`;
    const wf = defineWorkflow({ id, name: "drained", event: "herald/api-key.used", retries: 0, cron: "0 0 1 1 *", handler: async () => void ran++, onFailure: deadLetterIsTerminal });
    const scheduling = new PgBossEngine({ connectionString: databaseUrl(), workflows: [wf], runWorkers: false });
    engines.push(scheduling);
    await scheduling.start();
    expect((await scheduling.instance.getSchedules()).map((x) => x.name)).toContain(id);
    const payload = { tenantId: randomUUID(), apiKeyId: randomUUID(), usedAt: new Date().toISOString() };
    await scheduling.enqueue([{ id: randomUUID(), name: "herald/api-key.used", payload }]);
    expect(await scheduling.openJobs()).toBe(1);

    const draining = new PgBossEngine({ connectionString: databaseUrl(), workflows: [wf], runWorkers: true, schedules: false });
    engines.push(draining);
    await draining.start();
    expect((await draining.instance.getSchedules()).map((x) => x.name)).not.toContain(id);
    await waitFor(async () => (await draining.openJobs()) === 0);
    expect(ran).toBe(1);
  });

  it("runs a batch concurrently and fails one run alone: its job is retried, the rest complete once; a stop fails what still runs", async () => {
    const id = `test-pool-${randomUUID().slice(0, 8)}`;
    const runs = new Map<string, number>();
    // The event schema wants UUIDs: two of them stand for the failing and the slow run.
    const bad = randomUUID();
    const slow = randomUUID();
    let inFlight = 0;
    let maxInFlight = 0;
    const wf = defineWorkflow({
      id,
      name: "pool",
      event: "herald/api-key.used",
      retries: 1,
      concurrency: 6,
      handler: async ({ event }) => {
        const k = event.data.apiKeyId;
        runs.set(k, (runs.get(k) ?? 0) + 1);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, k === slow ? 8_000 : 50));
        inFlight--;
        if (k === bad && runs.get(k) === 1) throw new Error("first try fails");
      },
      onFailure: deadLetterIsTerminal,
    });
    const engine = new PgBossEngine({ connectionString: databaseUrl(), workflows: [wf], runWorkers: true });
    engines.push(engine);
    await engine.start();
    const keys = [bad, ...Array.from({ length: 17 }, () => randomUUID())];
    await engine.enqueue(keys.map((k) => ({ id: randomUUID(), name: "herald/api-key.used", payload: { tenantId: randomUUID(), apiKeyId: k, usedAt: new Date().toISOString() } })));
    await waitFor(async () => keys.every((k) => (runs.get(k) ?? 0) >= (k === bad ? 2 : 1)) && (await engine.openJobs()) === 0, 15_000);
    // The pool filled its room (more than one at a time), never beyond `concurrency`.
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(6);
    // Only the failed run ran again.
    expect(runs.get(bad)).toBe(2);
    expect(keys.filter((k) => k !== bad).every((k) => runs.get(k) === 1)).toBe(true);

    // A run still going when the engine stops is failed (not left active), so another worker retries it.
    process.env.HERALD_SHUTDOWN_TIMEOUT_SECONDS = "0.5";
    await engine.enqueue([{ id: randomUUID(), name: "herald/api-key.used", payload: { tenantId: randomUUID(), apiKeyId: slow, usedAt: new Date().toISOString() } }]);
    await waitFor(async () => runs.get(slow) === 1);
    const [job] = await getDb().execute<{ id: string }>(sql`select id from pgboss.job where name = ${id} and state = 'active'`);
    await engine.stop();
    delete process.env.HERALD_SHUTDOWN_TIMEOUT_SECONDS;
    const [after] = await getDb().execute<{ state: string }>(sql`select state from pgboss.job where id = ${job!.id}::uuid`);
    expect(after!.state).toBe("retry");
  });
});
