import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { deactivateDeviceToken } from "@/lib/messaging/device-tokens";
import { setTenantLimits } from "@/lib/messaging/fair-share";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { POST as sendEmailVia } from "../../communication/[provider]/emails/route";
import { POST as sendPushVia } from "../../communication/[provider]/push/route";
import { POST as sendSmsVia } from "../../communication/[provider]/sms/route";
import { POST as sendWaTemplate } from "../../communication/[provider]/messages/template/route";
import { GET as getOne } from "./[id]/route";
import { POST as sendBatch } from "./batch/route";
import { GET as list, POST as send } from "./route";

afterAll(async () => {
  await closeDb();
});

const sql = () => getDb().$client;

async function tenantWithKey(scopes: ("messages:send" | "messages:read")[] = ["messages:send", "messages:read"]) {
  const ctx = await makeContext("owner");
  const key = (await createApiKey(ctx, { name: "send", scopes })).key;
  return { ctx, key };
}

async function post(key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await send(request("/api/v1/messages", { method: "POST", key, body, headers }), params({}));
  return { res, json: (await res.json()) as Record<string, any> };
}

async function countMessages(tenantId: string) {
  const [row] = await sql()`select count(*)::int as n from messages where tenant_id = ${tenantId}`;
  return row!.n as number;
}

async function countQueuedEvents(tenantId: string) {
  const [row] = await sql()`select count(*)::int as n from outbox_events where tenant_id = ${tenantId} and name = 'herald/message.queued'`;
  return row!.n as number;
}

const email = { channel: "email", to: [{ email: "ada@example.com", name: "Ada" }], subject: "Hi", body_text: "Hello" };

describe("POST /api/v1/messages validation", () => {
  let key: string;
  beforeAll(async () => {
    ({ key } = await tenantWithKey());
  });

  it.each([
    ["unknown channel", { channel: "fax", to: "x" }, ["channel"]],
    ["email: bad address and no content", { channel: "email", to: [{ email: "nope" }] }, ["to[0].email", "body_text", "subject"]],
    ["email: template and body", { ...email, template_id: "d-1" }, ["template_id"]],
    ["email: custom_args must be strings", { ...email, custom_args: { n: 1 } }, ["custom_args.n"]],
    ["email: unknown field", { ...email, cc: [] }, [""]],
    ["sms: not E.164, body too long", { channel: "sms", to: "0701234567", body: "a".repeat(1601) }, ["to", "body"]],
    ["push: target and topic", { channel: "push", topic: "news", target: { device_token: "t", platform: "ios" }, title: "x" }, ["target"]],
    ["push: bad platform, ttl", { channel: "push", target: { device_token: "t", platform: "tv" }, title: "x", ttl_seconds: -1 }, ["target.platform", "ttl_seconds"]],
    ["push: data values are strings", { channel: "push", topic: "n", data: { a: 1 } }, ["data.a"]],
    ["whatsapp: template and text", { channel: "whatsapp", to: "+46701234567", template_name: "hello", body_text: "x" }, ["body_text"]],
    ["whatsapp: bad language", { channel: "whatsapp", to: "+46701234567", template_name: "hello", template_language: "!!" }, ["template_language"]],
    ["key too long", { ...email, idempotency_key: "k".repeat(256) }, ["idempotency_key"]],
  ])("%s → 422 with field paths", async (_name, body, paths) => {
    const { res, json } = await post(key, body);
    expect(res.status).toBe(422);
    expect(json.error.code).toBe("validation_failed");
    const got = (json.error.details as { path: string }[]).map((d) => d.path);
    for (const p of paths) expect(got).toContain(p);
  });

  it("an Idempotency-Key header over 255 characters, or differing from the body's key, is refused", async () => {
    expect((await post(key, email, { "Idempotency-Key": "k".repeat(256) })).res.status).toBe(422);
    const { res, json } = await post(key, { ...email, idempotency_key: "a" }, { "Idempotency-Key": "b" });
    expect(res.status).toBe(422);
    expect(json.error.details[0].path).toBe("idempotency_key");
  });

  it("needs messages:send", async () => {
    const { key: readOnly } = await tenantWithKey(["messages:read"]);
    expect((await post(readOnly, email)).res.status).toBe(403);
  });
});

describe("accepting a send", () => {
  it("answers 202 and commits message, first status history row and the queued event together", async () => {
    const { ctx, key } = await tenantWithKey();
    const sg = await makeConfig(ctx, "sendgrid");
    const mg = await makeConfig(ctx, "mailgun");
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const { res, json } = await post(key, { ...email, action_id: "act_1", context: { device_id: "D1", raw_id: 5 } }, { traceparent });
    expect(res.status).toBe(202);
    expect(json).toMatchObject({ status: "queued", channel: "email", provider: "sendgrid", config_id: sg.id });
    expect(json.route).toEqual([
      { config_id: sg.id, provider: "sendgrid" },
      { config_id: mg.id, provider: "mailgun" },
    ]);
    expect(res.headers.get("location")).toBe(`/api/v1/messages/${json.id}`);

    const [row] = await sql()`select * from messages where id = ${json.id}`;
    expect(row).toMatchObject({ status: "queued", recipient: "ada@example.com", action_id: "act_1", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", provider_reference: `hm_${json.id}` });
    expect(row!.context).toEqual({ device_id: "D1", raw_id: 5 });
    const [event] = await sql()`select * from outbox_events where id = ${json.id}`;
    expect(event).toMatchObject({ name: "herald/message.queued", tenant_id: ctx.tenantId, payload: { tenantId: ctx.tenantId, messageId: json.id } });

    const detail = await getOne(request(`/api/v1/messages/${json.id}`, { key }), params({ id: json.id }));
    const d = (await detail.json()) as Record<string, any>;
    expect(detail.status).toBe(200);
    expect(d.payload).toMatchObject({ to: [{ email: "ada@example.com", name: "Ada" }], subject: "Hi" });
    expect(d.status_history).toEqual([expect.objectContaining({ from: null, to: "queued" })]);
    expect(d.attempts).toEqual([]);
    expect(d.events).toEqual([]);
  });

  it("computes SMS segments", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "elks");
    const { res, json } = await post(key, { channel: "sms", to: "+46 70 123 45 67", body: "Hej 😀 ".repeat(20) });
    expect(res.status).toBe(202);
    expect(json.sms).toEqual({ encoding: "UCS-2", segments: 3, characters: 120 });
    const [row] = await sql()`select segments, recipient from messages where id = ${json.id}`;
    expect(row).toEqual({ segments: 3, recipient: "+46701234567" });
  });

  it("COMM_NO_ROUTE creates nothing", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "twilio", { overrides: { supported_countries: ["US"] } });
    await makeConfig(ctx, "sendgrid", { status: "paused" });
    for (const body of [email, { channel: "sms", to: "+46701234567", body: "x" }, { channel: "whatsapp", to: "+46701234567", body_text: "x" }]) {
      const { res, json } = await post(key, { ...body, idempotency_key: `nr-${body.channel}` });
      expect(res.status).toBe(422);
      expect(json.error.code).toBe("COMM_NO_ROUTE");
    }
    expect(await countMessages(ctx.tenantId)).toBe(0);
    expect(await countQueuedEvents(ctx.tenantId)).toBe(0);
  });

  it("a failure after the message insert rolls the message back with its outbox event", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "sendgrid");
    // A real database failure in the same transaction, after messages and history were written.
    const fn = `fail_outbox_${ctx.tenantId.replace(/-/g, "")}`;
    await sql().unsafe(`create function ${fn}() returns trigger language plpgsql as $$ begin
      if new.tenant_id = '${ctx.tenantId}' then raise exception 'forced failure'; end if; return new; end $$`);
    await sql().unsafe(`create trigger ${fn} before insert on outbox_events for each row execute function ${fn}()`);
    try {
      const { res, json } = await post(key, email);
      expect(res.status).toBe(500);
      expect(json.error.code).toBe("internal_error");
    } finally {
      await sql().unsafe(`drop trigger ${fn} on outbox_events; drop function ${fn}()`);
    }
    expect(await countMessages(ctx.tenantId)).toBe(0);
    const [h] = await sql()`select count(*)::int as n from message_status_history where tenant_id = ${ctx.tenantId}`;
    expect(h!.n).toBe(0);
    expect((await post(key, email)).res.status).toBe(202);
    expect(await countMessages(ctx.tenantId)).toBe(1);
    expect(await countQueuedEvents(ctx.tenantId)).toBe(1);
  });

  it("refuses a deactivated device token", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "fcm");
    await deactivateDeviceToken(ctx.tenantId, { token: "dead-token", platform: "android", provider: "fcm", reason: "UNREGISTERED" });
    const { res, json } = await post(key, { channel: "push", target: { device_token: "dead-token", platform: "android" }, title: "Hi" });
    expect(res.status).toBe(422);
    expect(json.error.code).toBe("COMM_INVALID_RECIPIENT");
    expect((await post(key, { channel: "push", target: { device_token: "live-token", platform: "android" }, title: "Hi" })).res.status).toBe(202);
  });
});

describe("idempotency", () => {
  it("replays the original with 200 and Idempotency-Replayed; a different payload is 422", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "sendgrid");
    const first = await post(key, email, { "Idempotency-Key": "order-1" });
    expect(first.res.status).toBe(202);
    expect(first.res.headers.get("idempotency-replayed")).toBeNull();
    // Same request, key in the body this time, fields in another order.
    const again = await post(key, { body_text: "Hello", subject: "Hi", to: [{ name: "Ada", email: "ADA@example.com" }], channel: "email", idempotency_key: "order-1" });
    expect(again.res.status).toBe(200);
    expect(again.res.headers.get("idempotency-replayed")).toBe("true");
    expect(again.json.id).toBe(first.json.id);
    const changed = await post(key, { ...email, subject: "Other" }, { "Idempotency-Key": "order-1" });
    expect(changed.res.status).toBe(422);
    expect(changed.json.error.code).toBe("idempotency_key_reused");
    expect(await countMessages(ctx.tenantId)).toBe(1);
  });

  it("keys are per tenant", async () => {
    const a = await tenantWithKey();
    const b = await tenantWithKey();
    await makeConfig(a.ctx, "sendgrid");
    await makeConfig(b.ctx, "sendgrid");
    const ra = await post(a.key, email, { "Idempotency-Key": "shared" });
    const rb = await post(b.key, email, { "Idempotency-Key": "shared" });
    expect([ra.res.status, rb.res.status]).toEqual([202, 202]);
    expect(ra.json.id).not.toBe(rb.json.id);
  });

  it("50 concurrent identical requests with one key → one message; every answer carries its id", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "elks");
    const body = { channel: "sms", to: "+46701234567", body: "Your code is 1234" };
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(key, body, { "Idempotency-Key": "concurrent-1" })));
    const statuses = answers.map((a) => a.res.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.every((s) => s === 202 || s === 200)).toBe(true);
    const ids = new Set(answers.map((a) => a.json.id));
    expect(ids.size).toBe(1);
    expect(await countMessages(ctx.tenantId)).toBe(1);
    expect(await countQueuedEvents(ctx.tenantId)).toBe(1);
    const [only] = [...ids];
    const [row] = await sql()`select id from messages where tenant_id = ${ctx.tenantId}`;
    expect(row!.id).toBe(only);
  });
});

describe("POST /api/v1/messages with config_id (a pin)", () => {
  it("sends through exactly that config instead of routing; a config of another channel is 422; another tenant's is 404; batch items pin too", async () => {
    const { ctx, key } = await tenantWithKey();
    const other = await makeContext("owner");
    const first = await makeConfig(ctx, "sendgrid");
    const pinned = await makeConfig(ctx, "mailgun");
    const sms = await makeConfig(ctx, "elks");
    const paused = await makeConfig(ctx, "mailgun", { status: "paused" });
    const foreign = await makeConfig(other, "sendgrid");

    const routed = await post(key, email);
    expect(routed.res.status).toBe(202);
    expect(routed.json.route.map((h: { config_id: string }) => h.config_id)).toContain(first.id);
    const ok = await post(key, { ...email, config_id: pinned.id });
    expect(ok.res.status, JSON.stringify(ok.json)).toBe(202);
    expect(ok.json.route).toEqual([{ config_id: pinned.id, provider: "mailgun" }]);
    expect(ok.json.config_id).toBe(pinned.id);

    const wrongChannel = await post(key, { ...email, config_id: sms.id });
    expect(wrongChannel.res.status).toBe(422);
    expect(wrongChannel.json.error).toMatchObject({ code: "COMM_CONFIG_CHANNEL_MISMATCH", details: [{ path: "config_id" }] });
    expect((await post(key, { ...email, config_id: paused.id })).json.error.code).toBe("COMM_CONFIG_NOT_ACTIVE");
    expect((await post(key, { ...email, config_id: foreign.id })).res.status).toBe(404);
    const notUuid = await post(key, { ...email, config_id: "nope" });
    expect(notUuid.res.status).toBe(422);
    expect(notUuid.json.error.details[0].path).toBe("config_id");

    const batch = await sendBatch(
      request("/api/v1/messages/batch", { method: "POST", key, body: { messages: [{ ...email, config_id: pinned.id }, { ...email, config_id: sms.id }] } }),
      params({}),
    );
    const b = (await batch.json()) as { results: { status: number; result?: { route: unknown }; error?: { code: string } }[] };
    expect(b.results[0]).toMatchObject({ status: 202, result: { route: [{ config_id: pinned.id, provider: "mailgun" }] } });
    expect(b.results[1]).toMatchObject({ status: 422, error: { code: "COMM_CONFIG_CHANNEL_MISMATCH" } });
  });
});

describe("send quota and idempotent replays", () => {
  it("a replay answers from the stored message and takes nothing from the quota (single and batch)", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "sendgrid");
    // One send a second: a replay that took quota would be refused with 429.
    await setTenantLimits(ctx, { sendsPerSecond: 1, maxConcurrentDeliveries: null });
    const first = await post(key, { ...email, idempotency_key: "replay-quota" });
    expect(first.res.status).toBe(202);
    // Five replays and a batch replay at once: had each taken a token, all but ~one would be 429.
    const [batch, ...again] = await Promise.all([
      sendBatch(request("/api/v1/messages/batch", { method: "POST", key, body: { messages: [{ ...email, idempotency_key: "replay-quota" }] } }), params({})),
      ...Array.from({ length: 5 }, () => send(request("/api/v1/messages", { method: "POST", key, body: { ...email, idempotency_key: "replay-quota" } }), params({}))),
    ]);
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(again.every((r) => r.headers.get("idempotency-replayed") === "true")).toBe(true);
    expect(batch!.status).toBe(200);
    expect(((await batch!.json()) as { replayed: number }).replayed).toBe(1);
    expect(await countMessages(ctx.tenantId)).toBe(1);
  });
});

describe("provider-specific endpoints", () => {
  it("send through the named config; another tenant's config is 404; wrong provider or inactive is 422", async () => {
    const { ctx, key } = await tenantWithKey();
    const other = await makeContext("owner");
    const twilio = await makeConfig(ctx, "twilio");
    const elks = await makeConfig(ctx, "elks");
    const paused = await makeConfig(ctx, "twilio", { status: "paused" });
    const foreign = await makeConfig(other, "twilio");
    const call = (provider: string, body: unknown) =>
      sendSmsVia(request(`/api/communication/${provider}/sms`, { method: "POST", key, body }), params({ provider }));
    const sms = { to: "+46701234567", body: "Hi" };

    const ok = await call("twilio", { ...sms, config_id: twilio.id });
    const okJson = (await ok.json()) as Record<string, any>;
    expect(ok.status).toBe(202);
    expect(okJson.route).toEqual([{ config_id: twilio.id, provider: "twilio" }]);

    expect((await call("twilio", { ...sms, config_id: foreign.id })).status).toBe(404);
    const mismatch = await call("twilio", { ...sms, config_id: elks.id });
    expect(mismatch.status).toBe(422);
    expect(((await mismatch.json()) as any).error.code).toBe("COMM_CONFIG_PROVIDER_MISMATCH");
    const inactive = await call("twilio", { ...sms, config_id: paused.id });
    expect(inactive.status).toBe(422);
    expect(((await inactive.json()) as any).error.code).toBe("COMM_CONFIG_NOT_ACTIVE");
    // SMS endpoints exist for elks, twilio and infobip only.
    expect((await call("sendgrid", { ...sms, config_id: twilio.id })).status).toBe(404);
    const missing = await call("twilio", sms);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as any).error.details[0].path).toBe("config_id");
  });

  it("email, push and WhatsApp template endpoints", async () => {
    const { ctx, key } = await tenantWithKey();
    const mg = await makeConfig(ctx, "mailgun");
    const os = await makeConfig(ctx, "onesignal");
    const wa = await makeConfig(ctx, "whatsapp");
    const e = await sendEmailVia(
      request("/api/communication/mailgun/emails", { method: "POST", key, body: { config_id: mg.id, to: [{ email: "a@b.se" }], template_id: "welcome", template_data: { n: 1 } } }),
      params({ provider: "mailgun" }),
    );
    expect(e.status).toBe(202);
    const p = await sendPushVia(
      request("/api/communication/onesignal/push", { method: "POST", key, body: { config_id: os.id, target: { player_id: "3b7f2b1e-0000-4000-8000-000000000001", platform: "ios" }, title: "Hi", badge_count: 2 } }),
      params({ provider: "onesignal" }),
    );
    expect(p.status).toBe(202);
    // OneSignal cannot target a raw device token.
    const p2 = await sendPushVia(
      request("/api/communication/onesignal/push", { method: "POST", key, body: { config_id: os.id, target: { device_token: "tok", platform: "ios" }, title: "Hi" } }),
      params({ provider: "onesignal" }),
    );
    expect(p2.status).toBe(422);
    expect(((await p2.json()) as any).error.code).toBe("COMM_NO_ROUTE");
    const w = await sendWaTemplate(
      request("/api/communication/whatsapp/messages/template", {
        method: "POST",
        key,
        body: { config_id: wa.id, to: "+46701234567", template_name: "order_update", template_language: "sv_SE", template_parameters: ["42"] },
      }),
      params({ provider: "whatsapp" }),
    );
    const wj = (await w.json()) as Record<string, any>;
    expect(w.status).toBe(202);
    const [row] = await sql()`select payload, template_id from messages where id = ${wj.id}`;
    expect(row).toMatchObject({ template_id: "order_update", payload: { message_type: "template", template_language: "sv-SE" } });
  });
});

describe("batch", () => {
  it("validates, routes and answers each item; accepted items are all committed", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "sendgrid");
    await makeConfig(ctx, "twilio", { overrides: { supported_countries: ["SE"] } });
    await post(key, email, { "Idempotency-Key": "pre-existing" });
    const items = [
      email,
      { channel: "sms", to: "+46701234567", body: "ok" },
      { channel: "sms", to: "+14165550123", body: "no route" },
      { channel: "email", to: [] },
      { ...email, idempotency_key: "pre-existing" },
      { ...email, subject: "changed", idempotency_key: "pre-existing" },
      { ...email, idempotency_key: "dup" },
      { ...email, idempotency_key: "dup" },
      { ...email, subject: "x", idempotency_key: "dup" },
      "not an object",
    ];
    const res = await sendBatch(request("/api/v1/messages/batch", { method: "POST", key, body: { messages: items } }), params({}));
    const json = (await res.json()) as { accepted: number; replayed: number; rejected: number; results: any[] };
    expect(res.status).toBe(200);
    expect(json.results.map((r) => r.status)).toEqual([202, 202, 422, 422, 200, 422, 202, 200, 422, 422]);
    expect(json.results[2].error.code).toBe("COMM_NO_ROUTE");
    expect(json.results[3].error.details.map((d: any) => d.path)).toContain("to");
    expect(json.results[5].error.code).toBe("idempotency_key_reused");
    expect(json.results[7].result.id).toBe(json.results[6].result.id);
    expect(json.results[8].error.code).toBe("idempotency_key_reused");
    expect(json).toMatchObject({ accepted: 3, replayed: 2, rejected: 5 });
    expect(await countMessages(ctx.tenantId)).toBe(4);
    expect(await countQueuedEvents(ctx.tenantId)).toBe(4);
  });

  it("takes at most 1,000 items and no Idempotency-Key header", async () => {
    const { key } = await tenantWithKey();
    const big = await sendBatch(request("/api/v1/messages/batch", { method: "POST", key, body: { messages: Array(1001).fill(email) } }), params({}));
    expect(big.status).toBe(422);
    const hdr = await sendBatch(
      request("/api/v1/messages/batch", { method: "POST", key, body: { messages: [email] }, headers: { "Idempotency-Key": "x" } }),
      params({}),
    );
    expect(hdr.status).toBe(400);
  });

  it("accepts 1,000 messages in one call", async () => {
    const { ctx, key } = await tenantWithKey();
    await makeConfig(ctx, "elks");
    const messages = Array.from({ length: 1000 }, (_, i) => ({ channel: "sms", to: `+4670${String(1000000 + i)}`, body: `n ${i}`, idempotency_key: `b-${i}` }));
    const res = await sendBatch(request("/api/v1/messages/batch", { method: "POST", key, body: { messages } }), params({}));
    const json = (await res.json()) as { accepted: number };
    expect(json.accepted).toBe(1000);
    expect(await countMessages(ctx.tenantId)).toBe(1000);
  });
});

describe("GET /api/v1/messages", () => {
  it("filters and pages newest first; another tenant's message is 404", async () => {
    const { ctx, key } = await tenantWithKey();
    const sg = await makeConfig(ctx, "sendgrid");
    await makeConfig(ctx, "elks");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(key, { ...email, to: [{ email: `user${i}@example.com` }] })).json.id);
    const smsId = (await post(key, { channel: "sms", to: "+46701234567", body: "x" })).json.id;
    const get = async (qs: string) => {
      const res = await list(request(`/api/v1/messages?${qs}`, { key }), params({}));
      return (await res.json()) as { data: any[]; next_cursor: string | null };
    };
    const page1 = await get("channel=email&limit=2");
    expect(page1.data.map((m) => m.id)).toEqual([ids[4], ids[3]]);
    const page2 = await get(`channel=email&limit=2&cursor=${page1.next_cursor}`);
    expect(page2.data.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    const page3 = await get(`channel=email&limit=2&cursor=${page2.next_cursor}`);
    expect(page3.data.map((m) => m.id)).toEqual([ids[0]]);
    expect(page3.next_cursor).toBeNull();
    expect((await get("q=USER3")).data.map((m) => m.id)).toEqual([ids[3]]);
    expect((await get("provider=elks")).data.map((m) => m.id)).toEqual([smsId]);
    expect((await get(`config_id=${sg.id}&status=queued`)).data).toHaveLength(5);
    expect((await get("since=2999-01-01T00:00:00Z")).data).toHaveLength(0);
    const bad = await list(request("/api/v1/messages?status=nope", { key }), params({}));
    expect(bad.status).toBe(422);

    const other = await tenantWithKey();
    const res = await getOne(request(`/api/v1/messages/${ids[0]}`, { key: other.key }), params({ id: ids[0]! }));
    expect(res.status).toBe(404);
    expect((await getOne(request("/api/v1/messages/nope", { key }), params({ id: "nope" }))).status).toBe(404);
    await transitionConfig(ctx, sg.id, "paused");
  });
});
