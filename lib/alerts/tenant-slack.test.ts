// A tenant's own Slack webhook: write-only and encrypted, SSRF-checked, tested on demand, and the
// destination of the tenant's alerts (never of the deployment's error log lines).
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { auditLog, secrets } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext, waitFor } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { DELETE as removeRoute, GET as getRoute, PUT as putRoute } from "@/app/api/v1/alerts/slack/route";
import { POST as testRoute } from "@/app/api/v1/alerts/slack/test/route";
import { appendUsage } from "@/db/queries/usage";
import { makeConfig } from "@/lib/test/provider-configs";
import { alertBreakerOpened, noteDeadLetters } from "./ops-alerts";
import { checkQuotaAlerts } from "./quota-alerts";
import { startAlertRouter, stopAlerts } from "./alert-router";
import { raiseAlert } from "./raise-alert";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";
delete process.env.HERALD_SLACK_WEBHOOK_URL;
const spoolDir = mkdtempSync(path.join(tmpdir(), "herald-tenant-spool-"));

const received: string[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { blocks: { text: { text: string } }[] };
    received.push(...body.blocks.map((b) => b.text.text));
    res.writeHead(200).end("ok");
  });
});
let hookUrl = "";

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  startAlertRouter({ spoolDir });
  hookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/services/T1/B1/s3cr3tpath`;
});

afterAll(async () => {
  await stopAlerts();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(spoolDir, { recursive: true, force: true });
});

async function call(handler: (req: never, route: never) => Promise<Response>, key: string, init: { method?: string; body?: unknown } = {}) {
  const res = await handler(request("/api/v1/alerts/slack", { method: init.method ?? "GET", key, body: init.body }) as never, params({}) as never);
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, any>) : null };
}

describe("tenant Slack alerts", () => {
  it("stores the webhook encrypted and write-only, tests it, routes the tenant's alerts to it, and removes it", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "alerts", scopes: ["configs:read", "configs:write"] })).key;
    const readOnly = (await createApiKey(ctx, { name: "read", scopes: ["configs:read"] })).key;

    expect((await call(getRoute, key)).json).toMatchObject({ configured: false, webhook_host: null });
    expect((await call(testRoute, key, { method: "POST" })).status).toBe(409);
    const refused = await call(putRoute, key, { method: "PUT", body: { webhook_url: "http://10.1.2.3/services/x" } });
    expect(refused.status).toBe(422);
    expect(refused.json!.error.details[0].path).toBe("webhook_url");
    expect((await call(putRoute, key, { method: "PUT", body: { webhook_url: "not a url" } })).status).toBe(422);
    expect((await call(putRoute, readOnly, { method: "PUT", body: { webhook_url: hookUrl } })).status).toBe(403);

    const saved = await call(putRoute, key, { method: "PUT", body: { webhook_url: hookUrl } });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ configured: true, webhook_host: "127.0.0.1" });
    const shown = await call(getRoute, readOnly);
    for (const text of [saved.text, shown.text]) expect(text).not.toContain("s3cr3tpath");
    const [secret] = await getDb().select().from(secrets).where(eq(secrets.tenantId, ctx.tenantId));
    expect(secret!.label).toBe("alerts.slack_webhook_url");
    expect(secret!.ciphertext).not.toContain("s3cr3tpath");

    const tested = await call(testRoute, key, { method: "POST" });
    expect(tested.json).toEqual({ delivered: true, status: 200, error: null });
    expect(received.at(-1)).toContain("Test alert from Herald");
    expect((await call(getRoute, key)).json!.last_delivered_at).not.toBeNull();

    // The tenant's alerts reach its webhook; a deployment error line about the tenant does not.
    raiseAlert({ kind: "error_log", severity: "error", title: "Error: something internal", tenantId: ctx.tenantId });
    alertBreakerOpened({ id: "cfg-1", tenantId: ctx.tenantId, provider: "sendgrid", displayName: "Marketing mail" }, "10 consecutive provider failures");
    await waitFor(async () => received.some((t) => t.includes("Circuit breaker opened: Marketing mail (sendgrid)")), 15_000, 50);
    expect(received.some((t) => t.includes("something internal"))).toBe(false);

    expect((await call(removeRoute, key, { method: "DELETE" })).status).toBe(204);
    expect((await call(removeRoute, key, { method: "DELETE" })).status).toBe(404);
    expect((await call(getRoute, key)).json).toMatchObject({ configured: false });
    expect(await getDb().select().from(secrets).where(eq(secrets.tenantId, ctx.tenantId))).toHaveLength(0);
    const actions = (await getDb().select().from(auditLog).where(and(eq(auditLog.tenantId, ctx.tenantId)))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["alerts.slack_webhook.set", "alerts.slack_webhook.tested", "alerts.slack_webhook.removed"]));
  });

  it("raises quota alerts at 80 % and 100 % once per config and month, and a dead-letter alert once per hour", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "alerts", scopes: ["configs:read", "configs:write"] })).key;
    expect((await call(putRoute, key, { method: "PUT", body: { webhook_url: hookUrl } })).status).toBe(200);
    const config = await makeConfig(ctx, "sendgrid", { overrides: { monthly_quota: 10, display_name: "Quota mail" } });
    const now = new Date();
    const send = (n: number) => appendUsage(getDb(), [{ tenantId: ctx.tenantId, configId: config.id, provider: "sendgrid", channel: "email", at: now, sent: n }]);
    const quotaAlerts = () => received.filter((t) => t.includes("Quota mail"));

    await send(7);
    await checkQuotaAlerts(now);
    expect(quotaAlerts()).toHaveLength(0);
    await send(1);
    await checkQuotaAlerts(now);
    await checkQuotaAlerts(now);
    await waitFor(async () => quotaAlerts().length === 1, 15_000, 50);
    expect(quotaAlerts()[0]).toContain("Monthly quota 80 % used: Quota mail (sendgrid)");
    await send(2);
    await checkQuotaAlerts(now);
    await waitFor(async () => quotaAlerts().length === 2, 15_000, 50);
    expect(quotaAlerts()[1]).toContain("Monthly quota used up");
    await checkQuotaAlerts(now);

    // Ten dead letters of one tenant in an hour: one alert, however many processes count them.
    for (let i = 0; i < 12; i++) noteDeadLetters(ctx.tenantId, 1, `message m${i}`);
    await waitFor(async () => received.some((t) => t.includes("Dead letters piling up") && t.includes(ctx.tenantSlug)), 15_000, 50);
    expect(quotaAlerts()).toHaveLength(2);
    expect(received.filter((t) => t.includes("Dead letters piling up") && t.includes(ctx.tenantSlug))).toHaveLength(1);
  });
});
