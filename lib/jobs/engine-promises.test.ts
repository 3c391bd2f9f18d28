// Every workflow setting means the same on pg-boss and Inngest: the bindings of each workflow, refusals, global concurrency, slots released on throw.
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { databaseUrl, getDb } from "@/db";
import { countLiveSlots } from "@/db/queries/send-limits";
import { countWorkflowSlots } from "@/db/queries/workflow-slots";
import { jobDeadLetters, messages, secrets } from "@/db/schema";
import { startSimulator } from "@/e2e/simulator/server";
import { toInngestFunction } from "@/inngest/bind";
import { deliverMessage } from "@/inngest/functions/deliver-message";
import { workflows } from "@/inngest/workflows";
import { setTenantLimits } from "@/lib/messaging/fair-share";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessage } from "@/lib/test/delivery";
import { PgBossEngine } from "./pg-boss-engine";
import { deterministicUuid } from "./run-id";
import { deadLetterIsTerminal, defineWorkflow, type AnyWorkflow } from "./workflow";
import { assertWorkflowSettings, DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES, workflowSettingProblems } from "./workflow-settings";

const engines: PgBossEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
});

async function engineWith(wfs: AnyWorkflow[], runWorkers = true) {
  const engine = new PgBossEngine({ connectionString: databaseUrl(), workflows: wfs, runWorkers });
  engines.push(engine);
  await engine.start();
  return engine;
}

describe("the bindings of every workflow", () => {
  it("Inngest: retries, triggers, concurrency, throttle and onFailure exactly as defined (nothing clamped)", () => {
    for (const wf of workflows) {
      const opts = toInngestFunction(wf)["opts"] as {
        id: string;
        retries: number;
        triggers: ({ event: string } | { cron: string })[];
        concurrency?: unknown;
        throttle?: unknown;
        onFailure?: unknown;
      };
      expect(opts.id, wf.id).toBe(wf.id);
      expect(opts.retries, wf.id).toBe(wf.retries);
      expect(opts.triggers, wf.id).toEqual(wf.cron ? [{ event: wf.event }, { cron: `TZ=UTC ${wf.cron}` }] : [{ event: wf.event }]);
      const overall = wf.concurrency ? { limit: wf.concurrency } : undefined;
      const perTenant = wf.tenantConcurrency ? { key: "event.data.tenantId", limit: wf.tenantConcurrency } : undefined;
      expect(opts.concurrency, wf.id).toEqual(overall && perTenant ? [overall, perTenant] : (overall ?? perTenant));
      expect(opts.throttle, wf.id).toEqual(wf.throttle ? { key: wf.throttle.key, limit: wf.throttle.limit, period: `${wf.throttle.periodSeconds}s` } : undefined);
      expect(typeof opts.onFailure, wf.id).toBe("function");
    }
  });

  it("pg-boss: each queue has the workflow's retry limit and lease; the sweeper is scheduled once", async () => {
    await engineWith(workflows, false);
    const queues = await getDb().execute<{ name: string; retry_limit: number; expire_seconds: number }>(
      sql`select name, retry_limit, expire_seconds from pgboss.queue`,
    );
    for (const wf of workflows) {
      const q = queues.find((r) => r.name === wf.id);
      expect(q, wf.id).toMatchObject({ retry_limit: wf.retries, expire_seconds: wf.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS });
    }
    const schedules = await getDb().execute<{ name: string; cron: string }>(sql`select name, cron from pgboss.schedule`);
    expect(schedules.filter((s) => s.name === "sweep-stuck-work")).toEqual([{ name: "sweep-stuck-work", cron: "* * * * *" }]);
  });

  it("settings one engine cannot honour are refused at start-up with a clear message", async () => {
    const base = { name: "t", event: "herald/api-key.used" as const, handler: async () => null, onFailure: deadLetterIsTerminal };
    expect(workflowSettingProblems(workflows, "pg-boss")).toEqual([]);
    expect(workflowSettingProblems(workflows, "inngest")).toEqual([]);
    const tooMany = defineWorkflow({ ...base, id: "too-many", retries: MAX_RETRIES + 1 });
    expect(() => assertWorkflowSettings([tooMany], "inngest")).toThrow(/too-many: retries must be an integer from 0 to 20/);
    expect(() => toInngestFunction(tooMany)).toThrow(/retries must be an integer from 0 to 20/);
    const throttled = defineWorkflow({ ...base, id: "throttled", retries: 1, throttle: { key: "event.data.tenantId", limit: 5, periodSeconds: 1 } });
    expect(workflowSettingProblems([throttled], "inngest")).toEqual([]);
    await expect(engineWith([throttled])).rejects.toThrow(/throttled: a throttle .* is Inngest-only; pg-boss cannot honour it/);
    const noFailure = { ...base, id: "no-failure", retries: 1, onFailure: undefined } as unknown as AnyWorkflow;
    expect(workflowSettingProblems([noFailure], "pg-boss")).toEqual([expect.stringMatching(/no-failure: has no onFailure/)]);
  });
});

describe("pg-boss concurrency is global, as on Inngest", () => {
  it("two engine processes never run more than `concurrency` runs of a workflow at once, and run them all", async () => {
    const id = `global-${randomUUID().slice(0, 8)}`;
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    const wf = defineWorkflow({
      id,
      name: "slow",
      event: "herald/api-key.used",
      retries: 2,
      concurrency: 2,
      timeoutSeconds: 30,
      handler: async ({ step }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await step.run("work", () => new Promise((r) => setTimeout(r, 150)));
        inFlight--;
        done++;
      },
      onFailure: deadLetterIsTerminal,
    });
    // Each engine runs two worker loops (concurrency 2): four loops in all, for a limit of two.
    const a = await engineWith([wf]);
    await engineWith([wf]);
    const events = Array.from({ length: 12 }, () => ({
      id: randomUUID(),
      name: "herald/api-key.used",
      payload: { tenantId: randomUUID(), apiKeyId: randomUUID(), usedAt: new Date().toISOString() },
    }));
    await a.enqueue(events);
    await waitFor(async () => done === events.length, 30_000, 50);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBe(2);
    // Waiting for a slot spends no attempt: nothing was dead-lettered, every slot is back.
    expect(await getDb().select().from(jobDeadLetters).where(eq(jobDeadLetters.functionId, id))).toEqual([]);
    await waitFor(async () => (await countWorkflowSlots(getDb(), { key: `workflow:${id}` })) === 0, 5_000, 50);
  }, 40_000);
});

describe("tenant delivery slots", () => {
  it("a delivery run that throws between admit and release gives its slot back at once (not after the slot's TTL)", async () => {
    const sim = await startSimulator({ webhookDelayMs: 5, autoDelivery: false });
    try {
      const ctx = await makeContext("admin");
      await setTenantLimits(ctx, { sendsPerSecond: null, maxConcurrentDeliveries: 1 });
      const { config } = await makeSimConfig(ctx, sim, "elks");
      const msg = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000911", payload: { to: "+46700000911", body: "Hej" } });
      // Every attempt throws after admission (the config's credentials are gone).
      await getDb().delete(secrets).where(eq(secrets.tenantId, ctx.tenantId));
      const wf = { ...deliverMessage, id: `deliver-slots-${randomUUID().slice(0, 8)}`, retries: 2 };
      const engine = await engineWith([wf]);
      const key = `tenant-deliveries:${ctx.tenantId}`;
      await engine.enqueue([{ id: msg.id, name: "herald/message.queued", payload: { tenantId: ctx.tenantId, messageId: msg.id } }]);
      // After the first attempt threw and before its retry: the slot is already free.
      const jobId = deterministicUuid(msg.id, wf.id);
      await waitFor(async () => {
        const [j] = await getDb().execute<{ state: string }>(sql`select state from pgboss.job where id = ${jobId}`);
        return j?.state === "retry";
      }, 20_000, 20);
      expect(await countLiveSlots(getDb(), { key })).toBe(0);
      await waitFor(async () => {
        const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.id, msg.id)));
        return m?.status === "failed";
      }, 30_000);
      expect(await countLiveSlots(getDb(), { key })).toBe(0);
    } finally {
      await sim.close();
    }
  }, 40_000);
});
