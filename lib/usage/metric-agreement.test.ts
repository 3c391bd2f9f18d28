// Every surface shows the same numbers: a known mix of outcomes is sent through the real adapters,
// the simulator posts its signed webhooks to the real route, and the Overview, the per-config
// usage, the usage API and the config counters must all agree with the mix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { listMessageStatusHistory } from "@/db/queries/messages";
import { foldUsageDeltas } from "@/db/queries/usage";
import { GET as usageGet } from "@/app/api/v1/usage/route";
import { GET as overviewGet } from "@/app/api/v1/usage/overview/route";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { createApiKey } from "@/lib/auth/api-keys";
import { replayDeadLetters } from "@/lib/messaging/dead-letters";
import { deliveryPolicy, runDeliveryAttempt, type AttemptCursor } from "@/lib/messaging/delivery";
import { getConfig } from "@/lib/providers/configs";
import { makeContext } from "@/lib/test/factories";
import { drainWebhookEvents } from "@/lib/webhooks/process";
import { request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import { queueMessage } from "@/lib/test/delivery";
import { getOverview, getUsage } from "./usage";
import { errorBudget } from "./metric-definitions";

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
const previousPublicUrl = process.env.HERALD_PUBLIC_URL;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 7 });
  bridge = await startWebhookBridge();
  // 46elks reports to the config's delivery report URL, built from this origin.
  process.env.HERALD_PUBLIC_URL = bridge.url;
});
afterAll(async () => {
  process.env.HERALD_PUBLIC_URL = previousPublicUrl;
  await sim?.close();
  await bridge?.close();
  await closeDb();
});

type Ctx = Awaited<ReturnType<typeof makeContext>>;

async function sendgridConfig(ctx: Ctx) {
  const account = sim.createAccount({ provider: "sendgrid" });
  const a = account as unknown as Record<string, string>;
  const config = await makeConfig(ctx, "sendgrid", { overrides: { api_base_url: sim.url, credentials: { api_key_ref: a.apiKey!, webhook_signing_key_ref: a.publicKey! } } });
  sim.updateAccount(account.id, { webhookUrl: `${bridge.url}/api/webhooks/sendgrid/${config.id}` });
  return { config, account };
}

async function elksConfig(ctx: Ctx) {
  const account = sim.createAccount({ provider: "elks" });
  const a = account as unknown as Record<string, string>;
  const config = await makeConfig(ctx, "elks", { overrides: { api_base_url: sim.url, credentials: { api_username_ref: a.username!, api_password_ref: a.password! } } });
  sim.updateAccount(account.id, { webhookUrl: (config as unknown as { dlr_callback_url: string }).dlr_callback_url });
  return { config, account };
}

/**
 * Waits for the simulator's webhooks, then drains what inline processing left pending (two
 * webhooks of one tenant at once: one skips the other's locked rows), as the job would.
 */
async function settle(tenantId: string) {
  await sim.flush();
  await drainWebhookEvents(tenantId);
}

/** Runs the delivery workflow's attempts back to back (no waits) until the message ends. */
async function deliver(tenantId: string, messageId: string) {
  let cursor: AttemptCursor = { hop: 0, tryInHop: 0 };
  for (let i = 0; i < 20; i++) {
    const r = await runDeliveryAttempt({ tenantId, messageId, cursor });
    if (r.kind !== "retry") return r;
    cursor = { hop: r.hop, tryInHop: r.tryInHop };
  }
  throw new Error("delivery did not end");
}

describe("metric definitions across surfaces", () => {
  it("the Overview, per-config usage, the usage API and config counters agree on a seeded mix", async () => {
    const ctx = await makeContext("owner");
    const { key } = await createApiKey(ctx, { name: "metrics", scopes: ["usage:read"] });
    const email = await sendgridConfig(ctx);
    const sms = await elksConfig(ctx);
    const run = Date.now();
    const mail = (name: string) => ({ channel: "email" as const, route: [email.config], recipient: `${name}-${run}@example.com`, payload: { subject: "Hi", body_text: "Hello" } });
    const text = (n: number) => ({ channel: "sms" as const, route: [sms.config], recipient: `+4670${String(run).slice(-6)}${n}`, payload: { body: "Hello" } });

    // Email: opened twice, clicked, bounced after delivery, plain delivered, failed then replayed.
    const e = await Promise.all(["opened", "clicked", "bounced", "plain", "replayed"].map((n) => queueMessage(ctx, mail(n))));
    sim.addFailureRule({ accountId: email.account.id, mode: "server_error", recipient: e[4]!.recipient, count: deliveryPolicy().hopAttempts });
    // SMS: two delivered, one refused for good (never sent).
    const s = await Promise.all([1, 2, 3].map((n) => queueMessage(ctx, text(n))));
    sim.addFailureRule({ accountId: sms.account.id, mode: "invalid_recipient", recipient: s[2]!.recipient, count: 1 });

    for (const m of [...e, ...s]) await deliver(ctx.tenantId, m.id);
    await settle(ctx.tenantId);

    const simId = (recipient: string) => sim.listMessages({ accountId: email.account.id }).find((m) => m.recipients.includes(recipient))!.id;
    await sim.triggerEvent({ messageId: simId(e[0]!.recipient), event: "open" });
    await sim.triggerEvent({ messageId: simId(e[0]!.recipient), event: "open" });
    await sim.triggerEvent({ messageId: simId(e[1]!.recipient), event: "click", url: "https://example.com/a" });
    await sim.triggerEvent({ messageId: simId(e[2]!.recipient), event: "bounce", bounceType: "hard" });
    await settle(ctx.tenantId);

    // The failed email is replayed from the dead letters and delivered this time.
    const replay = await replayDeadLetters(ctx, { ids: [e[4]!.id] });
    expect(replay.replayed.map((r) => r.id)).toEqual([e[4]!.id]);
    expect(await deliver(ctx.tenantId, e[4]!.id)).toMatchObject({ kind: "done", status: "sent" });
    await settle(ctx.tenantId);

    // The status history reads in the order things happened, whole-second provider stamps or not.
    const history = await listMessageStatusHistory(getDb(), { tenantId: ctx.tenantId, messageId: e[2]!.id });
    expect(history.map((h) => h.toStatus)).toEqual(["queued", "sending", "sent", "delivered", "bounced"]);
    const replayedHistory = await listMessageStatusHistory(getDb(), { tenantId: ctx.tenantId, messageId: e[4]!.id });
    expect(replayedHistory.map((h) => h.toStatus)).toEqual(["queued", "sending", "failed", "queued", "sending", "sent", "delivered"]);

    const expected = {
      all: { sent: 7, delivered: 6, bounced: 1, failed: 1, opened: 2, clicked: 1 },
      email: { sent: 5, delivered: 4, bounced: 1, failed: 0, opened: 2, clicked: 1 },
      sms: { sent: 2, delivered: 2, bounced: 0, failed: 1, opened: 0, clicked: 0 },
    };
    const rates = {
      delivery_rate: 0.8571, // 6 of 7 sent; the bounce is not delivered
      open_rate: 0.5, // 2 unique opens of 4 delivered emails; SMS never in the denominator
      click_rate: 0.25,
      bounce_rate: 0.1429,
      error_rate: 0.25, // (1 failed + 1 bounced) / (7 sent + 1 failed)
    };

    const check = async () => {
      const overview = await getOverview(ctx, "24h");
      expect(overview.totals).toMatchObject({ ...expected.all, ...rates });
      expect(overview.error_budget).toMatchObject({ remaining: 0, exhausted: true });
      expect(overview.error_budget.explanation).toContain("Exhausted");

      const to = new Date(Date.now() + 3_600_000);
      const from = new Date(Date.now() - 3 * 3_600_000);
      const emailUsage = await getUsage(ctx, { config_id: email.config.id, from, to });
      expect(emailUsage.totals).toMatchObject({ ...expected.email, delivery_rate: 0.8, open_rate: 0.5, click_rate: 0.25, bounce_rate: 0.2, error_rate: 0.2 });
      const smsUsage = await getUsage(ctx, { config_id: sms.config.id, from, to });
      // No open or click rate where the channel has none.
      expect(smsUsage.totals).toMatchObject({ ...expected.sms, delivery_rate: 1, open_rate: null, click_rate: null, bounce_rate: 0 });

      // The HTTP API answers the same figures as the lib functions behind the pages.
      const api = (await (await usageGet(request(`/api/v1/usage?from=${from.toISOString()}&to=${to.toISOString()}`, { key }), { params: Promise.resolve({}) })).json()) as { totals: unknown };
      expect(api.totals).toMatchObject({ ...expected.all, ...rates });
      const ov = (await (await overviewGet(request("/api/v1/usage/overview?range=24h", { key }), { params: Promise.resolve({}) })).json()) as { totals: unknown; error_budget: unknown };
      expect(ov.totals).toMatchObject({ ...expected.all, ...rates });
      expect(ov.error_budget).toMatchObject({ remaining: 0 });
    };
    await check();
    // Folding moves the increments into the rollups and config counters: nothing may change.
    await foldUsageDeltas(getDb());
    await check();
    expect((await getConfig(ctx, email.config.id)).usage).toMatchObject({ sent: 5, delivered: 4, failed: 0 });
    expect((await getConfig(ctx, sms.config.id)).usage).toMatchObject({ sent: 2, delivered: 2, failed: 1 });
  });

  it("the error budget is clamped to [0, 1] and explained", () => {
    expect(errorBudget(null, 0.99)).toMatchObject({ remaining: null, exhausted: false });
    expect(errorBudget(0, 0.99)).toMatchObject({ remaining: 1, exhausted: false });
    expect(errorBudget(0.005, 0.99)).toMatchObject({ remaining: 0.5, exhausted: false });
    const over = errorBudget(0.1, 0.99);
    expect(over).toMatchObject({ remaining: 0, exhausted: true });
    expect(over.explanation).toMatch(/10% .* above the 1%/);
  });
});
