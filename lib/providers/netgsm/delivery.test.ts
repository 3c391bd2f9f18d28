// Netgsm in the delivery path: the default SMS route claims +90 numbers for an active Netgsm config
// (Twilio follows), and a failing Netgsm opens its breaker while messages fall back to Twilio.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { listAttemptsForMessage } from "@/db/queries/message-delivery";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { resolveRoute } from "@/lib/messaging/routing";
import { makeSimConfig, queueMessage } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { getConfig } from "../configs";

process.env.HERALD_DELIVERY_HOP_ATTEMPTS = "1";
process.env.HERALD_DELIVERY_BACKOFF_MS = "20";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 9 });
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await sim.close();
  await closeDb();
});

async function terminal(tenantId: string, id: string, timeoutMs = 20_000) {
  return waitFor(async () => {
    const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
    return m && (m.status === "sent" || m.status === "failed") ? m : undefined;
  }, timeoutMs, 50);
}

const sms = (to: string) => ({ channel: "sms" as const, recipient: to, payload: { to, body: "Merhaba" } });

describe("netgsm routing and fallback", () => {
  it("routes +90 numbers to an active Netgsm config then Twilio, and other numbers past it", async () => {
    const ctx = await makeContext("admin");
    const twilio = await makeSimConfig(ctx, sim, "twilio");
    expect((await resolveRoute(ctx.tenantId, "sms", "+905321110000")).map((h) => h.provider)).toEqual(["twilio"]);
    const netgsm = await makeSimConfig(ctx, sim, "netgsm");
    expect(await resolveRoute(ctx.tenantId, "sms", "+905321110000")).toEqual([
      { configId: netgsm.config.id, provider: "netgsm" },
      { configId: twilio.config.id, provider: "twilio" },
    ]);
    expect((await resolveRoute(ctx.tenantId, "sms", "+14155550100")).map((h) => h.provider)).toEqual(["twilio"]);
  });

  it("delivers through Netgsm, and when Netgsm fails opens its breaker and falls back to Twilio for +90", async () => {
    const ctx = await makeContext("admin");
    const netgsm = await makeSimConfig(ctx, sim, "netgsm", { overrides: { breaker_consecutive_failures: 3, breaker_cooldown_seconds: 60 } });
    const twilio = await makeSimConfig(ctx, sim, "twilio");
    const route = await resolveRoute(ctx.tenantId, "sms", "+905321110001");
    const hops = route.map((h) => (h.provider === "netgsm" ? netgsm.config : twilio.config));

    const ok = await queueMessage(ctx, { ...sms("+905321110001"), route: hops });
    const sent = await terminal(ctx.tenantId, ok.id);
    expect(sent).toMatchObject({ status: "sent", provider: "netgsm" });
    expect(sim.getMessage(sent.providerMessageId!).recipients).toEqual(["5321110001"]);

    sim.addFailureRule({ accountId: netgsm.account.id, mode: "server_error", status: 500 });
    for (let i = 0; i < 3; i++) {
      const m = await queueMessage(ctx, { ...sms(`+90532111001${i}`), route: hops });
      expect(await terminal(ctx.tenantId, m.id)).toMatchObject({ status: "sent", provider: "twilio" });
      expect((await listAttemptsForMessage(getDb(), { tenantId: ctx.tenantId, messageId: m.id })).map((a) => [a.provider, a.outcome, a.errorCode])).toEqual([
        ["netgsm", "fallback", "100"],
        ["twilio", "sent", null],
      ]);
    }
    const opened = await getConfig(ctx, netgsm.config.id);
    expect(opened.health.state).toBe("open");

    const skipped = await queueMessage(ctx, { ...sms("+905321110020"), route: hops });
    expect(await terminal(ctx.tenantId, skipped.id)).toMatchObject({ status: "sent", provider: "twilio" });
    const attempts = await listAttemptsForMessage(getDb(), { tenantId: ctx.tenantId, messageId: skipped.id });
    expect(attempts.map((a) => [a.provider, a.outcome, a.errorCode])).toEqual([
      ["netgsm", "skipped", "circuit_open"],
      ["twilio", "sent", null],
    ]);
  }, 60_000);
});
