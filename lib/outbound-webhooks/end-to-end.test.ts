// A real message to a signed delivery: send API → pg-boss delivery → simulator → provider webhooks → outbound webhooks.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages, webhookDeliveries } from "@/db/schema";
import { POST as sendPost } from "@/app/api/v1/messages/route";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { startWebhookReceiver } from "@/lib/test/webhook-receiver";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import { createEndpoint } from "./endpoints";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const previousPublicUrl = process.env.HERALD_PUBLIC_URL;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 7 });
  bridge = await startWebhookBridge();
  receiver = await startWebhookReceiver();
  process.env.HERALD_PUBLIC_URL = bridge.url;
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  process.env.HERALD_PUBLIC_URL = previousPublicUrl;
  await sim?.close();
  await bridge?.close();
  await receiver?.close();
  await closeDb();
});

describe("outbound webhooks end to end", () => {
  it("a sent, delivered, opened and clicked email reaches the tenant's endpoint signed; a failing endpoint is retried by the engine 5 s later", async () => {
    const ctx = await makeContext("owner");
    const { key } = await createApiKey(ctx, { name: "t", scopes: ["messages:send", "messages:read"] });
    const account = sim.createAccount({ provider: "sendgrid" });
    const a = account as unknown as Record<string, string>;
    const config = await makeConfig(ctx, "sendgrid", { overrides: { api_base_url: sim.url, credentials: { api_key_ref: a.apiKey!, webhook_signing_key_ref: a.publicKey! } } });
    sim.updateAccount(a.id!, { webhookUrl: `${bridge.url}/api/webhooks/sendgrid/${config.id}` });

    const all = await createEndpoint(ctx, {
      url: `${receiver.url}/all`,
      description: "everything",
      event_types: ["communication.sent.v1", "communication.failed.v1", "message.delivered.v1", "message.opened.v1", "message.clicked.v1"],
    });
    const flaky = await createEndpoint(ctx, { url: `${receiver.url}/flaky`, description: "fails once", event_types: ["communication.sent.v1"] });
    receiver.setSecrets([all.secret, flaky.secret]);
    let flakyCalls = 0;
    receiver.setResponder((r) => {
      if (r.path === "/flaky" && flakyCalls++ === 0) return { status: 503, body: "warming up" };
      return { status: r.verified ? 200 : 400 };
    });

    const res = await sendPost(
      request("/api/v1/messages", { method: "POST", key, body: { channel: "email", config_id: config.id, to: [{ email: "ada@example.com" }], subject: "Hi", body_text: "Hello" } }),
      { params: Promise.resolve({}) },
    );
    const sent = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(sent)).toBe(202);

    const byType = (path: string, type: string) => receiver.received.filter((r) => r.path === path && JSON.parse(r.body).type === type);
    await waitFor(async () => byType("/all", "communication.sent.v1").length > 0 && byType("/all", "message.delivered.v1").length > 0, 20_000);
    const simMsg = sim.listMessages({ accountId: account.id })[0]!;
    await sim.triggerEvent({ messageId: simMsg.id, event: "open" });
    await sim.triggerEvent({ messageId: simMsg.id, event: "click", url: "https://example.com/a" });
    await waitFor(async () => byType("/all", "message.clicked.v1").length > 0 && byType("/all", "message.opened.v1").length > 0, 20_000);

    const [msg] = await getDb().select().from(messages).where(eq(messages.id, sent.id));
    const sentHook = byType("/all", "communication.sent.v1")[0]!;
    expect(sentHook.verified).toBe(true);
    expect(JSON.parse(sentHook.body)).toMatchObject({
      type: "communication.sent.v1",
      data: { message_id: sent.id, channel: "email", recipient: "ada@example.com", provider: "sendgrid", provider_message_id: msg!.providerMessageId, error: null },
    });
    expect(JSON.parse(byType("/all", "message.delivered.v1")[0]!.body)).toMatchObject({ data: { message_id: sent.id, status: "delivered", provider: "sendgrid" } });
    expect(JSON.parse(byType("/all", "message.clicked.v1")[0]!.body)).toMatchObject({ data: { message_id: sent.id, url: "https://example.com/a", status: "clicked" } });
    expect(receiver.received.filter((r) => r.path === "/all").every((r) => r.verified)).toBe(true);
    // One delivery per event: every webhook-id arrives once at this endpoint.
    const ids = receiver.received.filter((r) => r.path === "/all").map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(ids.length);

    // The flaky endpoint answered 503 first; the engine ran the retry ~5 s later (a delayed job).
    const flakyHits = await waitFor(async () => {
      const hits = receiver.received.filter((r) => r.path === "/flaky");
      return hits.length >= 2 ? hits : undefined;
    }, 20_000);
    expect(flakyHits[0]!.headers["webhook-id"]).toBe(flakyHits[1]!.headers["webhook-id"]);
    const gap = Number(flakyHits[1]!.headers["webhook-timestamp"]) - Number(flakyHits[0]!.headers["webhook-timestamp"]);
    expect(gap).toBeGreaterThanOrEqual(4);
    expect(flakyHits[1]!.verified).toBe(true);
    // The receiver answered before the worker recorded the outcome: wait for the record.
    const flakyDelivery = await waitFor(async () => {
      const [d] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, flaky.id));
      return d?.status === "succeeded" ? d : undefined;
    }, 10_000);
    expect(flakyDelivery).toMatchObject({ status: "succeeded", attemptCount: 2, lastResponseCode: 200 });
  }, 60_000);
});
