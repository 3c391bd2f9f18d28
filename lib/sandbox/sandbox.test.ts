// The sandbox: refused in production; in development a send through a sandbox config reaches
// delivered and opened through the in-process simulator's signed webhooks.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { POST as sendPost } from "@/app/api/v1/messages/route";
import { POST as sandboxPost } from "@/app/api/v1/sandbox/route";
import { createApiKey } from "@/lib/auth/api-keys";
import { runDeliveryAttempt } from "@/lib/messaging/delivery";
import { queueMessage } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { request } from "@/lib/test/http";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import { drainWebhookEvents } from "@/lib/webhooks/process";
import { ensureSandboxConfigs, runningSandbox, sandboxRefusal, startDemoSandbox, startSandboxSimulator } from "./sandbox";
import { registerSandbox } from "./sandbox-hook";

let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
const previousPublicUrl = process.env.HERALD_PUBLIC_URL;
const previousNodeEnv = process.env.NODE_ENV;

beforeAll(async () => {
  bridge = await startWebhookBridge();
  // The simulator posts to Herald's webhook routes at this origin.
  process.env.HERALD_PUBLIC_URL = bridge.url;
});
afterAll(async () => {
  process.env.HERALD_PUBLIC_URL = previousPublicUrl;
  await (await runningSandbox())?.close();
  await bridge?.close();
  await closeDb();
});

describe("sandbox providers", () => {
  it("are refused when NODE_ENV is production, by the function and by the API", async () => {
    // As scripts/start.ts does in development once the demo sandbox runs.
    registerSandbox((c) => ensureSandboxConfigs(c));
    const production = { ...process.env, NODE_ENV: "production" } as NodeJS.ProcessEnv;
    expect(sandboxRefusal(production)).toMatch(/production/);
    expect(sandboxRefusal({ ...process.env, NODE_ENV: "development" } as NodeJS.ProcessEnv)).toBeNull();
    await expect(startSandboxSimulator(production)).rejects.toMatchObject({ status: 403 });
    const ctx = await makeContext("owner");
    await expect(ensureSandboxConfigs(ctx, production)).rejects.toMatchObject({ status: 403 });
    const { key } = await createApiKey(ctx, { name: "s", scopes: ["configs:write"] });
    (process.env as Record<string, string>).NODE_ENV = "production";
    try {
      const res = await sandboxPost(request("/api/v1/sandbox", { method: "POST", key }), { params: Promise.resolve({}) });
      expect(res.status).toBe(403);
    } finally {
      (process.env as Record<string, string>).NODE_ENV = previousNodeEnv!;
    }
    expect(runningSandbox()).toBeUndefined();
  });

  it("sends through the simulator: queued → sent → delivered → opened, webhooks signed and verified", async () => {
    const ctx = await makeContext("owner");
    const { key } = await createApiKey(ctx, { name: "s", scopes: ["configs:write"] });
    const res = await sandboxPost(request("/api/v1/sandbox", { method: "POST", key }), { params: Promise.resolve({}) });
    const answer = (await res.clone().json()) as unknown;
    expect(res.status, JSON.stringify(answer)).toBe(201);
    const configs = ((await res.json()) as { data: { id: string; provider: string; display_name: string; status: string }[] }).data;
    expect(configs.map((c) => [c.provider, c.status])).toEqual([
      ["sendgrid", "active"],
      ["elks", "active"],
      ["fcm", "active"],
      ["whatsapp", "active"],
    ]);
    for (const c of configs) expect(c.display_name).toMatch(/^Sandbox · /);
    // Asking again re-binds the same configs rather than adding more.
    expect((await ensureSandboxConfigs(ctx)).map((c) => c.id)).toEqual(configs.map((c) => c.id));

    const email = configs.find((c) => c.provider === "sendgrid")!;
    const sms = configs.find((c) => c.provider === "elks")!;
    const m = await queueMessage(ctx, { channel: "email", route: [email], recipient: "newcomer@example.com", payload: { subject: "Hello", body_text: "First send" } });
    const s = await queueMessage(ctx, { channel: "sms", route: [sms], recipient: "+46700000001", payload: { body: "First SMS" } });
    expect(await runDeliveryAttempt({ tenantId: ctx.tenantId, messageId: m.id, cursor: { hop: 0, tryInHop: 0 } })).toMatchObject({ status: "sent" });
    expect(await runDeliveryAttempt({ tenantId: ctx.tenantId, messageId: s.id, cursor: { hop: 0, tryInHop: 0 } })).toMatchObject({ status: "sent" });
    const statusOf = async (id: string) => {
      await drainWebhookEvents(ctx.tenantId);
      const [row] = await getDb().select({ status: messages.status }).from(messages).where(eq(messages.id, id));
      return row!.status;
    };
    await waitFor(async () => (await statusOf(s.id)) === "delivered", 10_000, 200);
    await waitFor(async () => (await statusOf(m.id)) === "opened", 10_000, 200);
  });

  it("on first start gives the demo tenant sandbox configs and a curl that sends (the printed command works)", async () => {
    const { seedDemoTenant } = await import("@/db/seed");
    const owner = await seedDemoTenant({ generatePassword: () => "demo-password-123456", hashPassword: async (p) => `hash:${p}` });
    expect(owner).not.toBeNull();
    const started = await startDemoSandbox({ firstStart: true });
    const curl = started!.curl!;
    expect(curl).toContain(`${bridge.url}/api/v1/messages`);
    const key = /Bearer (\S+)'/.exec(curl)![1]!;
    const body = JSON.parse(/-d '(.+)'$/.exec(curl)![1]!) as Record<string, unknown>;
    const sent = await sendPost(request("/api/v1/messages", { method: "POST", key, body }), { params: Promise.resolve({}) });
    const answer = (await sent.json()) as { id: string };
    expect(sent.status, JSON.stringify(answer)).toBe(202);
    const [row] = await getDb().select().from(messages).where(eq(messages.id, answer.id));
    expect(await runDeliveryAttempt({ tenantId: row!.tenantId, messageId: row!.id, cursor: { hop: 0, tryInHop: 0 } })).toMatchObject({ status: "sent" });
    await waitFor(async () => {
      await drainWebhookEvents(row!.tenantId);
      const [m] = await getDb().select({ status: messages.status }).from(messages).where(eq(messages.id, row!.id));
      return m!.status === "opened";
    }, 10_000, 200);
    // A later start re-binds the same configs and prints no new key.
    expect(await startDemoSandbox({ firstStart: false })).toEqual({ curl: null });
  });
});
