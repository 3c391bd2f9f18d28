// The setup checklist ticks from real state: a config, a received webhook, a key, a send, a delivery.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { GET as onboardingGet } from "@/app/api/v1/onboarding/route";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { createApiKey } from "@/lib/auth/api-keys";
import { runDeliveryAttempt } from "@/lib/messaging/delivery";
import { publicBaseUrl } from "@/lib/providers/callback-urls";
import { getConfig } from "@/lib/providers/configs";
import { queueMessage } from "@/lib/test/delivery";
import { makeContext } from "@/lib/test/factories";
import { request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import { drainWebhookEvents } from "@/lib/webhooks/process";
import { getOnboarding } from "./onboarding";

let sim: Simulator;
let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 3 });
  bridge = await startWebhookBridge();
});
afterAll(async () => {
  await sim?.close();
  await bridge?.close();
  await closeDb();
});

const doneOf = (o: { steps: { id: string; done: boolean }[] }) => Object.fromEntries(o.steps.map((s) => [s.id, s.done]));

describe("onboarding checklist", () => {
  it("ticks each step from the tenant's real state, and only that tenant's", async () => {
    const ctx = await makeContext("owner");
    const other = await makeContext("owner");
    const fresh = await getOnboarding(ctx);
    expect(fresh).toMatchObject({ done: 0, total: 5, complete: false });
    expect(fresh.steps.map((s) => s.href)).toEqual(["/providers", "/providers", "/settings?tab=api-keys", "/messages", "/messages?status=delivered"]);

    const account = sim.createAccount({ provider: "sendgrid" });
    const a = account as unknown as Record<string, string>;
    const config = await makeConfig(ctx, "sendgrid", { overrides: { api_base_url: sim.url, credentials: { api_key_ref: a.apiKey!, webhook_signing_key_ref: a.publicKey! } } });
    expect(doneOf(await getOnboarding(ctx))).toEqual({ provider: true, webhook: false, api_key: false, first_send: false, first_delivery: false });

    const { key } = await createApiKey(ctx, { name: "app", scopes: ["messages:send"] });
    const read = async () => {
      const res = await onboardingGet(request("/api/v1/onboarding", { key }), { params: Promise.resolve({}) });
      expect(res.status).toBe(200);
      return (await res.json()) as Awaited<ReturnType<typeof getOnboarding>>;
    };
    expect(doneOf(await read())).toEqual({ provider: true, webhook: false, api_key: true, first_send: false, first_delivery: false });

    // A send without the webhook URL pasted: sent, but no event comes back.
    const m = await queueMessage(ctx, { channel: "email", route: [config], recipient: "first@example.com", payload: { subject: "Hi", body_text: "Hello" } });
    expect(await runDeliveryAttempt({ tenantId: ctx.tenantId, messageId: m.id, cursor: { hop: 0, tryInHop: 0 } })).toMatchObject({ status: "sent" });
    await sim.flush();
    expect(doneOf(await read())).toEqual({ provider: true, webhook: false, api_key: true, first_send: true, first_delivery: false });

    // The card shows the URL to paste and that nothing arrived yet.
    const waiting = await getConfig(ctx, config.id);
    expect(waiting).toMatchObject({ webhook_url: `${publicBaseUrl()}/api/webhooks/sendgrid/${config.id}`, last_event_at: null });

    // The user pastes the webhook URL into the provider's console: the delivery report arrives.
    sim.updateAccount(account.id, { webhookUrl: `${bridge.url}/api/webhooks/sendgrid/${config.id}` });
    const simMessage = sim.listMessages({ accountId: account.id })[0]!;
    await sim.triggerEvent({ messageId: simMessage.id, event: "delivered" });
    await sim.flush();
    await drainWebhookEvents(ctx.tenantId);
    expect(await read()).toMatchObject({ done: 5, complete: true });
    const heard = await getConfig(ctx, config.id);
    expect(Date.now() - Date.parse(heard.last_event_at!)).toBeLessThan(60_000);

    // Another tenant sees none of it.
    expect(await getOnboarding(other)).toMatchObject({ done: 0, complete: false });
  });
});
