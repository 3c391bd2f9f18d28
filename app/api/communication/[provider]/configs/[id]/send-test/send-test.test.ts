import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { workflows } from "@/inngest/workflows";
import { createApiKey } from "@/lib/auth/api-keys";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { makeContext, waitFor } from "@/lib/test/factories";
import { makeSimConfig } from "@/lib/test/delivery";
import { params, request } from "@/lib/test/http";
import { POST } from "./route";

process.env.HERALD_COMMUNICATION_EXCHANGE = `herald-test-sendtest-${Date.now().toString(36)}`;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, autoDelivery: false });
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  await stopJobEngine();
  await closeBroker();
  await sim.close();
  await closeDb();
});

const url = (provider: string, id: string) => `/api/communication/${provider}/configs/${id}/send-test`;

describe("POST /api/communication/{provider}/configs/{id}/send-test", () => {
  it("accepts a real test message for the config and the workflow delivers it", async () => {
    const ctx = await makeContext("admin");
    const { key } = await createApiKey(ctx, { name: "t", scopes: ["configs:write"] });
    const { config, account } = await makeSimConfig(ctx, sim, "sendgrid");
    const res = await POST(request(url("sendgrid", config.id), { method: "POST", key, body: { to: "ops@example.com" } }), params({ provider: "sendgrid", id: config.id }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; status: string; channel: string };
    expect(body).toMatchObject({ status: "queued", channel: "email" });
    const sent = await waitFor(async () => {
      const [m] = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.id, body.id)));
      return m?.status === "sent" ? m : undefined;
    });
    expect(sent.route).toEqual([{ configId: config.id, provider: "sendgrid" }]);
    expect(sent.context).toEqual({ herald_send_test: true });
    const [req] = sim.listRequests({ accountId: account.id });
    expect(req!.recipients).toEqual(["ops@example.com"]);
  });

  it("answers 422 for a bad recipient, 409 for a paused config, 404 across tenants or providers, 403 without configs:write", async () => {
    const ctx = await makeContext("admin");
    const { key } = await createApiKey(ctx, { name: "t", scopes: ["configs:write"] });
    const { key: readOnly } = await createApiKey(ctx, { name: "r", scopes: ["configs:read"] });
    const { config } = await makeSimConfig(ctx, sim, "elks");
    const { config: paused } = await makeSimConfig(ctx, sim, "twilio", { status: "paused" });
    const other = await makeContext("admin");
    const { config: foreign } = await makeSimConfig(other, sim, "elks");
    const post = (provider: string, id: string, body: unknown, k = key) => POST(request(url(provider, id), { method: "POST", key: k, body }), params({ provider, id }));

    const bad = await post("elks", config.id, { to: "0701234567" });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe("to");
    expect((await post("twilio", paused.id, { to: "+46700000001" })).status).toBe(409);
    expect((await post("elks", foreign.id, { to: "+46700000001" })).status).toBe(404);
    expect((await post("twilio", config.id, { to: "+46700000001" })).status).toBe(404);
    expect((await post("elks", "not-a-uuid", { to: "+46700000001" })).status).toBe(404);
    expect((await post("elks", config.id, { to: "+46700000001" }, readOnly)).status).toBe(403);
    expect((await post("elks", config.id, { to: "+46700000001", extra: 1 })).status).toBe(422);
  });
});
