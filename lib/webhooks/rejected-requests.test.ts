// The Rejected log end to end: refused requests posted over real HTTP to the real route, read back
// from Postgres and through the API.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb, getDb } from "@/db";
import { webhookEvents, webhookRejectedRequests } from "@/db/schema";
import { GET as listGet } from "@/app/api/v1/webhook-events/rejected/route";
import { GET as oneGet } from "@/app/api/v1/webhook-events/rejected/[id]/route";
import { GET as eventGet } from "@/app/api/v1/webhook-events/[id]/route";
import { generateSendgridKeyPair, signSendgridEvent } from "@/e2e/simulator/providers/sendgrid";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { startWebhookBridge } from "@/lib/test/webhook-bridge";
import { purgeExpired } from "@/lib/retention/purge";
import { retentionPolicy } from "@/lib/retention/policy";
import { payloadExcerpt, resetRejectedRequestWindow } from "./rejected-requests";

// Small bounds so the test can reach them; read by the module when it loads.
vi.hoisted(() => {
  process.env.HERALD_WEBHOOK_REJECTED_KEEP = "10";
  process.env.HERALD_WEBHOOK_REJECTED_PER_MINUTE = "5";
});

let bridge: Awaited<ReturnType<typeof startWebhookBridge>>;
beforeAll(async () => {
  bridge = await startWebhookBridge();
});
afterAll(async () => {
  await bridge?.close();
  await closeDb();
});

const SECRET_SIG = "c2VjcmV0LXNpZ25hdHVyZS12YWx1ZS10aGF0LW11c3Qtbm90LWJlLXN0b3JlZA==";
const SECRET_BEARER = "sk_live_must_not_be_stored_123456";

async function tenant() {
  const ctx = await makeContext("owner");
  const { key } = await createApiKey(ctx, { name: "t", scopes: ["webhooks:read"] });
  const keys = generateSendgridKeyPair();
  const config = await makeConfig(ctx, "sendgrid", { overrides: { credentials: { api_key_ref: "SG.x", webhook_signing_key_ref: keys.publicKeyBase64 } } });
  return { ctx, key, keys, config };
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${bridge.url}${path}`, { method: "POST", body, headers: { "x-herald-client-ip": "203.0.113.7", ...headers } });
  return { status: res.status, json: (await res.json()) as { error?: { code: string } } };
}

async function rowsOf(tenantId: string) {
  return getDb().select().from(webhookRejectedRequests).where(eq(webhookRejectedRequests.tenantId, tenantId));
}

async function list(key: string, query = "") {
  const res = await listGet(request(`/api/v1/webhook-events/rejected${query}`, { key }), { params: Promise.resolve({}) });
  return { status: res.status, json: (await res.json()) as { data: { id: string; reason: string; path_config_id: string; headers: Record<string, string> }[]; next_cursor: string | null } };
}

/** The rate cap counts per minute: don't start a counting test in the last seconds of one. */
async function freshMinute() {
  const s = new Date().getSeconds();
  if (s > 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
  resetRejectedRequestWindow();
}

describe("the Rejected log of provider webhooks", () => {
  it("records a bad signature, an unknown config and an unparsable body with reason, source and no secrets; the answers are unchanged", async () => {
    await freshMinute();
    const { ctx, key, keys, config } = await tenant();
    const path = `/api/webhooks/sendgrid/${config.id}`;
    const body = JSON.stringify([{ email: "x@example.com", event: "delivered", timestamp: 1, sg_event_id: randomUUID() }]);
    const ts = String(Math.floor(Date.now() / 1000));

    const bad = await post(path, body, {
      "content-type": "application/json",
      authorization: `Bearer ${SECRET_BEARER}`,
      "X-Twilio-Email-Event-Webhook-Signature": SECRET_SIG,
      "X-Twilio-Email-Event-Webhook-Timestamp": ts,
    });
    expect(bad).toMatchObject({ status: 401, json: { error: { code: "unauthorized" } } });

    const notJson = "{not json\u0000";
    const unparsable = await post(path, notJson, {
      "content-type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signSendgridEvent(keys.privateKey, ts, notJson),
      "X-Twilio-Email-Event-Webhook-Timestamp": ts,
    });
    expect(unparsable.status).toBe(400);

    // The config's id under another provider's path: the owner sees it (a provider given the wrong URL).
    const wrongPath = await post(`/api/webhooks/mailgun/${config.id}`, body, { "content-type": "application/json" });
    expect(wrongPath).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });

    const rows = await rowsOf(ctx.tenantId);
    expect(rows.map((r) => r.reason).sort()).toEqual(["bad_signature", "unknown_config", "unparsable"]);

    // Unsigned, and signed too long ago: each says so.
    expect((await post(path, body, { "content-type": "application/json" })).status).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const stale = await post(path, body, {
      "content-type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signSendgridEvent(keys.privateKey, old, body),
      "X-Twilio-Email-Event-Webhook-Timestamp": old,
    });
    expect(stale.status).toBe(401);
    const later = await rowsOf(ctx.tenantId);
    expect(later.map((r) => r.reason).sort()).toEqual(["bad_signature", "missing_signature", "stale_timestamp", "unknown_config", "unparsable"]);
    const sig = rows.find((r) => r.reason === "bad_signature")!;
    expect(sig).toMatchObject({ configId: config.id, provider: "sendgrid", status: 401, sourceAddress: "203.0.113.7", payloadExcerpt: body });
    expect(sig.headers["x-twilio-email-event-webhook-signature"]).toBe(`${SECRET_SIG.slice(0, 6)}… (${SECRET_SIG.length} chars)`);
    expect(sig.headers.authorization).toBe(`Bearer … (${`Bearer ${SECRET_BEARER}`.length} chars)`);
    expect(sig.headers["content-type"]).toBe("application/json");
    expect(sig.headers["x-herald-client-ip"]).toBeUndefined();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(SECRET_SIG.slice(8));
    expect(stored).not.toContain(SECRET_BEARER);
    expect(rows.find((r) => r.reason === "unparsable")).toMatchObject({ status: 400, payloadExcerpt: "{not json\uFFFD" });
    expect(rows.find((r) => r.reason === "unknown_config")).toMatchObject({ provider: "mailgun", configId: config.id, payloadExcerpt: body });

    // An id no tenant owns is kept for operators only.
    const stranger = randomUUID();
    expect((await post(`/api/webhooks/sendgrid/${stranger}?token=abcdef123`, body, { "content-type": "application/json" })).status).toBe(404);
    const [orphan] = await getDb().select().from(webhookRejectedRequests).where(eq(webhookRejectedRequests.pathConfigId, stranger));
    expect(orphan).toMatchObject({ tenantId: null, configId: null, reason: "unknown_config" });
    expect(orphan!.query).not.toContain("abcdef123");

    const listed = await list(key);
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((r) => r.reason)).toEqual(["stale_timestamp", "missing_signature", "unknown_config", "unparsable", "bad_signature"]);
    expect(JSON.stringify(listed.json)).not.toContain(SECRET_BEARER);
    expect((await list(key, "?reason=unparsable")).json.data).toHaveLength(1);
    expect((await list(key, "?reason=nope")).status).toBe(422);
  });

  it("keeps at most the bound per tenant, caps recordings per config and minute, and another tenant sees none", async () => {
    await freshMinute();
    const a = await tenant();
    const others = await Promise.all([1, 2].map(() => makeConfig(a.ctx, "sendgrid", { overrides: { credentials: { api_key_ref: "SG.x", webhook_signing_key_ref: a.keys.publicKeyBase64 } } })));
    const hdrs = { "content-type": "application/json", "X-Twilio-Email-Event-Webhook-Signature": SECRET_SIG, "X-Twilio-Email-Event-Webhook-Timestamp": "1" };
    // 7 on one config: 5 recorded (the cap), every one still answered 401.
    for (let i = 0; i < 7; i++) expect((await post(`/api/webhooks/sendgrid/${a.config.id}`, `[${i}]`, hdrs)).status).toBe(401);
    expect(await rowsOf(a.ctx.tenantId)).toHaveLength(5);
    // 4 more on each of two other configs: 13 recorded in all, the oldest 3 deleted (bound 10).
    for (const c of others) for (let i = 0; i < 4; i++) expect((await post(`/api/webhooks/sendgrid/${c.id}`, "[]", hdrs)).status).toBe(401);
    const rows = await rowsOf(a.ctx.tenantId);
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.configId === a.config.id)).toHaveLength(2);

    // Pages follow the cursor without repeats.
    const first = await list(a.key, "?limit=6");
    expect(first.json.data).toHaveLength(6);
    const second = await list(a.key, `?limit=6&cursor=${first.json.next_cursor}`);
    expect(second.json.data).toHaveLength(4);
    expect(new Set([...first.json.data, ...second.json.data].map((r) => r.id)).size).toBe(10);

    const b = await tenant();
    expect((await list(b.key)).json.data).toEqual([]);
    expect((await list(b.key, `?config_id=${a.config.id}`)).json.data).toEqual([]);
    const one = await oneGet(request(`/api/v1/webhook-events/rejected/${rows[0]!.id}`, { key: b.key }), { params: Promise.resolve({ id: rows[0]!.id }) });
    expect(one.status).toBe(404);
    // Retention ages rows out with the received events.
    await getDb().update(webhookRejectedRequests).set({ receivedAt: new Date(Date.now() - 40 * 86_400_000) }).where(eq(webhookRejectedRequests.id, rows[1]!.id));
    await purgeExpired({ kind: "webhook_events", budgetMs: 10_000, policy: { ...retentionPolicy({} as NodeJS.ProcessEnv), batch: 1000, pauseMs: 1 } });
    expect((await rowsOf(a.ctx.tenantId)).map((r) => r.id)).not.toContain(rows[1]!.id);
    const own = await oneGet(request(`/api/v1/webhook-events/rejected/${rows[0]!.id}`, { key: a.key }), { params: Promise.resolve({ id: rows[0]!.id }) });
    expect(own.status).toBe(200);
  });

  it("a received event opens with its payload, for its own tenant only", async () => {
    const a = await tenant();
    const ts = String(Math.floor(Date.now() / 1000));
    const eventId = randomUUID();
    const body = JSON.stringify([{ email: "x@example.com", event: "delivered", timestamp: Number(ts), sg_event_id: eventId }]);
    const ok = await post(`/api/webhooks/sendgrid/${a.config.id}`, body, {
      "content-type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signSendgridEvent(a.keys.privateKey, ts, body),
      "X-Twilio-Email-Event-Webhook-Timestamp": ts,
    });
    expect(ok.status).toBe(200);
    expect(await rowsOf(a.ctx.tenantId)).toHaveLength(0);
    const [row] = await getDb().select().from(webhookEvents).where(eq(webhookEvents.tenantId, a.ctx.tenantId));
    const get = (key: string) => eventGet(request(`/api/v1/webhook-events/${row!.id}`, { key }), { params: Promise.resolve({ id: row!.id }) });
    const own = await get(a.key);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { payload: { sg_event_id: string } }).payload.sg_event_id).toBe(eventId);
    const b = await tenant();
    expect((await get(b.key)).status).toBe(404);
  });

  it("an excerpt is the first 2 KB of valid UTF-8 without NUL", () => {
    const body = Buffer.from("é".repeat(1500) + "\u0000");
    const excerpt = payloadExcerpt(body);
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(2048);
    expect(excerpt).toBe("é".repeat(1024));
    expect(payloadExcerpt(Buffer.from("a\u0000b"))).toBe("a\uFFFDb");
  });
});
