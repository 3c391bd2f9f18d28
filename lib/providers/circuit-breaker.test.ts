// The breaker end to end: simulator failing one provider → breaker opens → messages go straight
// to the fallback → provider recovers → cool-down → one probe → closed.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { listAttemptsForMessage } from "@/db/queries/message-delivery";
import { messages, providerConfigBreakerEvents } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { getConfig } from "./configs";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig, queueMessage } from "@/lib/test/delivery";
import { checkBreaker, recordBreakerOutcome } from "./circuit-breaker";

process.env.HERALD_DELIVERY_HOP_ATTEMPTS = "1";
process.env.HERALD_DELIVERY_BACKOFF_MS = "20";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 8 });
  await startJobEngine({ workflows, runWorkers: true });
});

afterAll(async () => {
  await stopJobEngine();
  await sim.close();
  await closeDb();
});

const email = (n: number) => {
  const to = `breaker${n}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  return { channel: "email" as const, recipient: to, payload: { to: [{ email: to }], subject: "Hi", body_text: "Hello" } };
};

async function terminal(tenantId: string, id: string, timeoutMs = 20_000) {
  return waitFor(async () => {
    const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
    return m && (m.status === "sent" || m.status === "failed") ? m : undefined;
  }, timeoutMs, 50);
}

const transitions = (configId: string) =>
  getDb().select().from(providerConfigBreakerEvents).where(eq(providerConfigBreakerEvents.configId, configId)).orderBy(asc(providerConfigBreakerEvents.id));

// A cool-down long enough that a loaded machine still checks the open state before it ends.
const fastBreaker = { breaker_consecutive_failures: 3, breaker_cooldown_seconds: 5 };

describe("circuit breaker", () => {
  it("opens after consecutive failures, routes to the fallback, probes after the cool-down and closes", async () => {
    const ctx = await makeContext();
    const primary = await makeSimConfig(ctx, sim, "sendgrid", { overrides: fastBreaker });
    const fallback = await makeSimConfig(ctx, sim, "mailgun");
    const route = [primary.config, fallback.config];
    const rule = sim.addFailureRule({ accountId: primary.account.id, mode: "server_error", status: 503 });

    // Three messages each fail once on the primary and fall back: the third failure opens it.
    for (let i = 0; i < 3; i++) {
      const m = await queueMessage(ctx, { ...email(i), route });
      const done = await terminal(ctx.tenantId, m.id);
      expect(done.status).toBe("sent");
      expect(done.provider).toBe("mailgun");
    }
    // The breaker's outcome is recorded just after the message's terminal write: wait for it.
    const opened = await waitFor(async () => {
      const c = await getConfig(ctx, primary.config.id);
      return c.health.state === "open" ? c : undefined;
    }, 5_000, 50);
    expect(opened.health.state).toBe("open");
    expect(opened.health.degraded).toBe(true);
    expect(opened.health.reason).toMatch(/3 consecutive provider failures/);
    expect(opened.health.error_rate).toBe(1);
    const primaryCallsWhileOpen = sim.listMessages({ accountId: primary.account.id }).length;

    // Open: the next message skips the primary without calling it.
    const skipped = await queueMessage(ctx, { ...email(10), route });
    expect((await terminal(ctx.tenantId, skipped.id)).provider).toBe("mailgun");
    const attempts = await listAttemptsForMessage(getDb(), { tenantId: ctx.tenantId, messageId: skipped.id });
    expect(attempts.map((a) => [a.provider, a.outcome, a.errorCode])).toEqual([
      ["sendgrid", "skipped", "circuit_open"],
      ["mailgun", "sent", null],
    ]);
    expect(attempts[0]!.errorMessage).toMatch(/degraded/);

    // The provider recovers; after the cool-down one probe goes through and closes the breaker.
    sim.removeFailureRule(rule.id);
    await new Promise((r) => setTimeout(r, 5_200));
    const probe = await queueMessage(ctx, { ...email(11), route });
    const probed = await terminal(ctx.tenantId, probe.id);
    expect(probed.status).toBe("sent");
    expect(probed.provider).toBe("sendgrid");
    expect(sim.listMessages({ accountId: primary.account.id }).length).toBeGreaterThan(primaryCallsWhileOpen);

    const closed = await waitFor(async () => {
      const c = await getConfig(ctx, primary.config.id);
      return c.health.state === "closed" ? c : undefined;
    }, 5_000, 50);
    expect(closed.health.state).toBe("closed");
    expect((await transitions(primary.config.id)).map((t) => [t.fromState, t.toState])).toEqual([
      ["closed", "open"],
      ["open", "half_open"],
      ["half_open", "closed"],
    ]);
    expect(closed.health.transitions.map((t) => t.to)).toEqual(["closed", "half_open", "open"]);
  }, 60_000);

  it("holds messages of a config without fallback until the cool-down, then delivers them", async () => {
    const ctx = await makeContext();
    const only = await makeSimConfig(ctx, sim, "sendgrid", { overrides: { breaker_consecutive_failures: 2, breaker_cooldown_seconds: 4 } });
    const rule = sim.addFailureRule({ accountId: only.account.id, mode: "server_error", status: 500 });
    for (let i = 0; i < 2; i++) {
      const m = await queueMessage(ctx, { ...email(20 + i), route: [only.config] });
      expect((await terminal(ctx.tenantId, m.id)).status).toBe("failed");
    }
    // The breaker's outcome is recorded just after the message's terminal write: wait for it.
    const opened = await waitFor(async () => {
      const c = await getConfig(ctx, only.config.id);
      return c.health.state === "open" ? c : undefined;
    }, 5_000, 50);
    expect(opened.health.state).toBe("open");

    // While open, new messages wait (queued) instead of failing; the provider recovers meanwhile.
    const waiting = await Promise.all([0, 1, 2].map((i) => queueMessage(ctx, { ...email(30 + i), route: [only.config] })));
    await new Promise((r) => setTimeout(r, 500));
    for (const w of waiting) {
      const [row] = await getDb().select().from(messages).where(eq(messages.id, w.id));
      expect(row!.status).toBe("queued");
    }
    sim.removeFailureRule(rule.id);
    for (const w of waiting) expect((await terminal(ctx.tenantId, w.id, 30_000)).status).toBe("sent");
    expect((await getConfig(ctx, only.config.id)).health.state).toBe("closed");
  }, 60_000);

  it("lets exactly one of several concurrent workers probe, and a failed probe re-opens", async () => {
    const ctx = await makeContext();
    const { config } = await makeSimConfig(ctx, sim, "mailgun", { overrides: { breaker_consecutive_failures: 1, breaker_cooldown_seconds: 1 } });
    const rec = { id: config.id, tenantId: ctx.tenantId, settings: { breaker_consecutive_failures: 1, breaker_cooldown_seconds: 1 } };
    const ids = Array.from({ length: 6 }, () => crypto.randomUUID());
    await recordBreakerOutcome(rec, ids[0]!, { ok: false, providerLevel: true, error: "HTTP 503" });
    expect(await checkBreaker(rec, ids[1]!)).toMatchObject({ allow: false });
    // Invalid recipients don't count: they prove the provider answers.
    await new Promise((r) => setTimeout(r, 1_100));
    const gates = await Promise.all(ids.map((id) => checkBreaker(rec, id)));
    const probes = gates.filter((g) => g.allow);
    expect(probes).toHaveLength(1);
    const prober = ids[gates.findIndex((g) => g.allow)]!;
    // A re-run of the probe message itself is still the probe.
    expect(await checkBreaker(rec, prober)).toEqual({ allow: true, probe: true });
    await recordBreakerOutcome(rec, prober, { ok: false, providerLevel: true, error: "HTTP 502" });
    expect((await getConfig(ctx, config.id)).health.state).toBe("open");
    expect((await transitions(config.id)).map((t) => t.toState)).toEqual(["open", "half_open", "open"]);
  }, 20_000);

  it("does not count refused recipients as provider failures", async () => {
    const ctx = await makeContext();
    const { config } = await makeSimConfig(ctx, sim, "mailgun");
    const rec = { id: config.id, tenantId: ctx.tenantId, settings: { breaker_consecutive_failures: 2 } };
    for (let i = 0; i < 5; i++) await recordBreakerOutcome(rec, crypto.randomUUID(), { ok: false, providerLevel: false, error: "invalid recipient" });
    expect((await getConfig(ctx, config.id)).health.state).toBe("closed");
  });
});
