import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { auditLog, secrets, webhookEndpoints } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { enqueueWebhookDeliveries } from "@/lib/outbound-webhooks/enqueue";
import { POST as resend } from "../webhook-deliveries/[id]/resend/route";
import { GET as deliveries } from "./[id]/deliveries/route";
import { POST as enable } from "./[id]/enable/route";
import { POST as rotate } from "./[id]/rotate-secret/route";
import { DELETE, GET as getOne, PATCH } from "./[id]/route";
import { GET as list, POST as create } from "./route";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

afterAll(async () => {
  await closeDb();
});

type J = Record<string, any>;

describe("/api/v1/webhook-endpoints", () => {
  it("registers, shows the secret once, lists, patches, rotates, logs deliveries, resends, enables and deletes", async () => {
    const ctx = await makeContext("owner");
    const key = (await createApiKey(ctx, { name: "wh", scopes: ["webhooks:read", "webhooks:write"] })).key;
    const readOnly = (await createApiKey(ctx, { name: "ro", scopes: ["webhooks:read"] })).key;
    const body = { url: "http://127.0.0.1:9/hooks", description: "CRM", event_types: ["communication.sent.v1", "message.delivered.v1"] };

    expect((await create(request("/api/v1/webhook-endpoints", { method: "POST", key: readOnly, body }), params({}))).status).toBe(403);
    const res = await create(request("/api/v1/webhook-endpoints", { method: "POST", key, body }), params({}));
    const ep = (await res.json()) as J;
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(ep).toMatchObject({ url: body.url, status: "enabled", event_types: body.event_types, secret: expect.stringMatching(/^whsec_/) });
    // Stored encrypted: the plaintext is nowhere in the endpoint or secrets tables.
    const [row] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
    expect(JSON.stringify(row)).not.toContain(ep.secret.slice(6));
    const stored = await getDb().select().from(secrets).where(eq(secrets.tenantId, ctx.tenantId));
    expect(JSON.stringify(stored)).not.toContain(ep.secret.slice(6));

    const one = (await (await getOne(request(`/api/v1/webhook-endpoints/${ep.id}`, { key: readOnly }), params({ id: ep.id }))).json()) as J;
    expect(one).not.toHaveProperty("secret");
    const all = (await (await list(request("/api/v1/webhook-endpoints", { key: readOnly }), params({}))).json()) as J;
    expect(all.data.map((e: J) => e.id)).toEqual([ep.id]);
    expect(JSON.stringify(all)).not.toContain(ep.secret);

    const cases: [unknown, number, string?][] = [
      [{ ...body, url: "http://10.0.0.1/x" }, 422, "url"],
      [{ ...body, url: "ftp://example.com/x" }, 422, "url"],
      [{ ...body, url: "http://169.254.169.254/latest" }, 422, "url"],
      [{ ...body, event_types: [] }, 422, "event_types"],
      [{ ...body, event_types: ["message.teleported.v1"] }, 422, "event_types[0]"],
    ];
    for (const [b, status, path] of cases) {
      const r = await create(request("/api/v1/webhook-endpoints", { method: "POST", key, body: b }), params({}));
      const j = (await r.json()) as J;
      expect(r.status, JSON.stringify(j)).toBe(status);
      expect(j.error.details.map((d: J) => d.path)).toContain(path);
    }
    const prev = process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS;
    process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "false";
    const lo = await create(request("/api/v1/webhook-endpoints", { method: "POST", key, body }), params({}));
    process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = prev;
    expect(lo.status).toBe(422);
    expect(((await lo.json()) as J).error.details[0].message).toMatch(/loopback/);

    const patched = await PATCH(request(`/api/v1/webhook-endpoints/${ep.id}`, { method: "PATCH", key, body: { description: "CRM v2", status: "disabled" } }), params({ id: ep.id }));
    expect(((await patched.json()) as J)).toMatchObject({ description: "CRM v2", status: "disabled", disabled_reason: expect.stringContaining("Disabled by") });
    expect((await PATCH(request(`/api/v1/webhook-endpoints/${ep.id}`, { method: "PATCH", key, body: {} }), params({ id: ep.id }))).status).toBe(422);
    const enabled = (await (await enable(request(`/api/v1/webhook-endpoints/${ep.id}/enable`, { method: "POST", key }), params({ id: ep.id }))).json()) as J;
    expect(enabled).toMatchObject({ status: "enabled", disabled_reason: null });

    const rot = await rotate(request(`/api/v1/webhook-endpoints/${ep.id}/rotate-secret`, { method: "POST", key }), params({ id: ep.id }));
    const rotated = (await rot.json()) as J;
    expect(rot.status).toBe(200);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(ep.secret);
    const overlapMs = new Date(rotated.previous_secret_expires_at).getTime() - Date.now();
    expect(overlapMs).toBeGreaterThan(23.9 * 3600_000);
    const bad = await rotate(request(`/api/v1/webhook-endpoints/${ep.id}/rotate-secret`, { method: "POST", key, body: { overlap_hours: -1 } }), params({ id: ep.id }));
    expect(bad.status).toBe(422);

    await getDb().transaction((tx) =>
      enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, eventType: "communication.sent.v1", eventId: randomUUID(), payload: { type: "communication.sent.v1", data: {} } }),
    );
    const log = (await (await deliveries(request(`/api/v1/webhook-endpoints/${ep.id}/deliveries?limit=10`, { key: readOnly }), params({ id: ep.id }))).json()) as J;
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ status: "pending", event_type: "communication.sent.v1", event_id: expect.stringMatching(/^evt_/), attempts: [] });
    expect((await deliveries(request(`/api/v1/webhook-endpoints/${ep.id}/deliveries?status=nope`, { key }), params({ id: ep.id }))).status).toBe(422);
    const rs = await resend(request(`/api/v1/webhook-deliveries/${log.data[0].id}/resend`, { method: "POST", key }), params({ id: log.data[0].id }));
    expect(rs.status).toBe(202);
    expect((await resend(request(`/api/v1/webhook-deliveries/x/resend`, { method: "POST", key }), params({ id: "x" }))).status).toBe(404);
    expect((await resend(request(`/api/v1/webhook-deliveries/${log.data[0].id}/resend`, { method: "POST", key: readOnly }), params({ id: log.data[0].id }))).status).toBe(403);

    // Another tenant sees nothing of it.
    const other = await makeContext("owner");
    const otherKey = (await createApiKey(other, { name: "o", scopes: ["webhooks:read", "webhooks:write"] })).key;
    expect((await getOne(request(`/api/v1/webhook-endpoints/${ep.id}`, { key: otherKey }), params({ id: ep.id }))).status).toBe(404);
    expect((await resend(request(`/api/v1/webhook-deliveries/${log.data[0].id}/resend`, { method: "POST", key: otherKey }), params({ id: log.data[0].id }))).status).toBe(404);
    expect((await getOne(request(`/api/v1/webhook-endpoints/nope`, { key }), params({ id: "nope" }))).status).toBe(404);

    expect((await DELETE(request(`/api/v1/webhook-endpoints/${ep.id}`, { method: "DELETE", key }), params({ id: ep.id }))).status).toBe(204);
    expect((await getOne(request(`/api/v1/webhook-endpoints/${ep.id}`, { key }), params({ id: ep.id }))).status).toBe(404);
    expect(await getDb().select().from(secrets).where(eq(secrets.tenantId, ctx.tenantId))).toHaveLength(0);
    const audit = await getDb().select().from(auditLog).where(eq(auditLog.tenantId, ctx.tenantId));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["webhook_endpoint.created", "webhook_endpoint.disabled", "webhook_endpoint.enabled", "webhook_endpoint.secret_rotated", "webhook_delivery.resent", "webhook_endpoint.deleted"]),
    );
    expect(JSON.stringify(audit)).not.toContain(rotated.secret);
  });
});
