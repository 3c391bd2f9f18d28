import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import type { Scope } from "@/lib/auth/permissions";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import { makeConfig } from "@/lib/test/provider-configs";
import { POST as sendBatch } from "../messages/batch/route";
import { GET as getMessage } from "../messages/[id]/route";
import { POST as sendMessage } from "../messages/route";
import { POST as publish } from "./[key]/publish/route";
import { POST as preview } from "./[key]/preview/route";
import { POST as rollback } from "./[key]/rollback/route";
import { DELETE as remove, GET as getOne, PATCH as patch } from "./[key]/route";
import { GET as versions } from "./[key]/versions/route";
import { GET as list, POST as create } from "./route";

afterAll(async () => {
  await closeDb();
});

async function tenantWithKey(scopes: Scope[] = ["templates:read", "templates:write", "messages:send", "messages:read"]) {
  const ctx = await makeContext("owner");
  const key = (await createApiKey(ctx, { name: "templates", scopes })).key;
  return { ctx, key };
}

type Json = Record<string, any>;
async function call(handler: (req: any, route: any) => Promise<Response>, path: string, init: { method?: string; key: string; body?: unknown }, p: Record<string, string> = {}) {
  const res = await handler(request(path, { method: init.method ?? "GET", key: init.key, body: init.body }), params(p));
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Json };
}

const welcome = {
  key: "welcome",
  name: "Welcome",
  category: "marketing",
  content: {
    default_locale: "en",
    locales: {
      en: {
        email: { subject: "Welcome {{ data.name }}", html: "<h1>Hi {{ data.name }}</h1><p>{{ tenant.name }} · <a href=\"{{ unsubscribe_url }}\">unsubscribe</a></p>" },
        sms: { body: "Hi {{ data.name }}, your code is {{ data.code }}" },
      },
      "sv-SE": { email: { subject: "Välkommen {{ data.name }}", html: "<h1>Hej {{ data.name }}</h1>" } },
    },
  },
};

describe("templates API", () => {
  it("creates, reads, lists, edits the draft, publishes, lists versions, rolls back, deletes", async () => {
    const { key } = await tenantWithKey();
    const created = await call(create, "/api/v1/templates", { method: "POST", key, body: welcome });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json).toMatchObject({ key: "welcome", channels: ["email", "sms"], locales: ["en", "sv-SE"], published_version: null, has_unpublished_changes: true });

    const listed = await call(list, "/api/v1/templates?q=welc", { key });
    expect(listed.json.data.map((t: Json) => t.key)).toEqual(["welcome"]);

    const v1 = await call(publish, "/api/v1/templates/welcome/publish", { method: "POST", key, body: { note: "first" } }, { key: "welcome" });
    expect(v1.status).toBe(201);
    expect(v1.json).toMatchObject({ version: 1, published_version: 1, has_unpublished_changes: false });

    const edited = { ...welcome.content, locales: { ...welcome.content.locales, en: { ...welcome.content.locales.en, sms: { body: "v2 {{ data.name }}" } } } };
    const patched = await call(patch, "/api/v1/templates/welcome", { method: "PATCH", key, body: { content: edited, description: "New" } }, { key: "welcome" });
    expect(patched.json).toMatchObject({ description: "New", published_version: 1, has_unpublished_changes: true });

    const v2 = await call(publish, "/api/v1/templates/welcome/publish", { method: "POST", key }, { key: "welcome" });
    expect(v2.json.version).toBe(2);
    const history = await call(versions, "/api/v1/templates/welcome/versions", { key }, { key: "welcome" });
    expect(history.json.data.map((v: Json) => [v.version, v.current, v.note])).toEqual([[2, true, ""], [1, false, "first"]]);

    // The published version renders; v1 is immutable and rollback brings it back.
    const p2 = await call(preview, "/api/v1/templates/welcome/preview", { method: "POST", key, body: { channel: "sms", data: { name: "Ada" }, source: "published" } }, { key: "welcome" });
    expect(p2.json).toMatchObject({ version: 2, sms: { body: "v2 Ada" } });
    const back = await call(rollback, "/api/v1/templates/welcome/rollback", { method: "POST", key, body: { version: 1 } }, { key: "welcome" });
    expect(back.json).toMatchObject({ published_version: 1, latest_version: 2, has_unpublished_changes: false });
    const p1 = await call(preview, "/api/v1/templates/welcome/preview", { method: "POST", key, body: { channel: "sms", data: { name: "Ada", code: 7 }, source: "published" } }, { key: "welcome" });
    expect(p1.json).toMatchObject({ version: 1, sms: { body: "Hi Ada, your code is 7", segments: 1, encoding: "GSM-7" } });
    const missingVersion = await call(rollback, "/api/v1/templates/welcome/rollback", { method: "POST", key, body: { version: 9 } }, { key: "welcome" });
    expect(missingVersion.status).toBe(422);

    expect((await call(remove, "/api/v1/templates/welcome", { method: "DELETE", key }, { key: "welcome" })).status).toBe(204);
    expect((await call(getOne, "/api/v1/templates/welcome", { key }, { key: "welcome" })).status).toBe(404);
  });

  it("parallel creates of one key: exactly one 201, the rest 409", async () => {
    const { ctx, key } = await tenantWithKey();
    const results = await Promise.all(Array.from({ length: 6 }, () => call(create, "/api/v1/templates", { method: "POST", key, body: { ...welcome, key: "race" } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const [row] = await getDb().$client`select count(*)::int as n from templates where key = 'race' and tenant_id = ${ctx.tenantId}`;
    expect(row!.n).toBe(1);
  });

  it("parallel publishes get consecutive versions", async () => {
    const { key } = await tenantWithKey();
    await call(create, "/api/v1/templates", { method: "POST", key, body: welcome });
    const results = await Promise.all(Array.from({ length: 5 }, () => call(publish, "/api/v1/templates/welcome/publish", { method: "POST", key }, { key: "welcome" })));
    expect(results.map((r) => r.json.version).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([
    ["bad key", { ...welcome, key: "Has Space" }, "key"],
    ["default locale without content", { ...welcome, content: { ...welcome.content, default_locale: "de" } }, "content.default_locale"],
    ["liquid syntax error", { ...welcome, content: { default_locale: "en", locales: { en: { sms: { body: "{% if %}" } } } } }, "content.locales.en.sms.body"],
    ["include from disk", { ...welcome, content: { default_locale: "en", locales: { en: { sms: { body: "{% include '/etc/passwd' %}" } } } } }, "content.locales.en.sms.body"],
    ["email without body", { ...welcome, content: { default_locale: "en", locales: { en: { email: { subject: "x" } } } } }, "content.locales.en.email.html"],
  ])("refuses %s with 422", async (_label, body, path) => {
    const { key } = await tenantWithKey();
    const r = await call(create, "/api/v1/templates", { method: "POST", key, body });
    expect(r.status).toBe(422);
    expect(r.json.error.details.map((d: Json) => d.path)).toContain(path);
  });

  it("preview lists every missing variable; another tenant's template is 404; scopes are enforced", async () => {
    const { key } = await tenantWithKey();
    await call(create, "/api/v1/templates", { method: "POST", key, body: welcome });
    const r = await call(preview, "/api/v1/templates/welcome/preview", { method: "POST", key, body: { channel: "sms", data: {} } }, { key: "welcome" });
    expect(r.status).toBe(422);
    expect(r.json.error).toMatchObject({ code: "TEMPLATE_MISSING_VARIABLES" });
    expect(r.json.error.details.map((d: Json) => d.variable)).toEqual(["data.name", "data.code"]);

    const localised = await call(preview, "/api/v1/templates/welcome/preview", { method: "POST", key, body: { channel: "email", data: { name: "<Ada>" }, locale: "sv" } }, { key: "welcome" });
    expect(localised.json).toMatchObject({ locale: "sv-SE", version: null, email: { subject: "Välkommen <Ada>", html: "<h1>Hej &lt;Ada&gt;</h1>", text: "HEJ <ADA>" } });

    const other = await tenantWithKey();
    expect((await call(getOne, "/api/v1/templates/welcome", { key: other.key }, { key: "welcome" })).status).toBe(404);
    const reader = await tenantWithKey(["templates:read"]);
    const denied = await call(create, "/api/v1/templates", { method: "POST", key: reader.key, body: welcome });
    expect(denied.status).toBe(403);
  });
});

describe("sends by template", () => {
  async function setup() {
    const t = await tenantWithKey();
    await makeConfig(t.ctx, "sendgrid");
    await makeConfig(t.ctx, "twilio");
    await call(create, "/api/v1/templates", { method: "POST", key: t.key, body: welcome });
    return t;
  }

  it("renders the published version into the stored payload, records key and version, adds one-click unsubscribe to marketing email", async () => {
    const { key } = await setup();
    const unpublished = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { channel: "sms", to: "+46701234567", template: "welcome", data: { name: "Ada", code: 1 } } });
    expect(unpublished.status).toBe(422);
    expect(unpublished.json.error.code).toBe("TEMPLATE_NOT_PUBLISHED");
    await call(publish, "/api/v1/templates/welcome/publish", { method: "POST", key }, { key: "welcome" });

    const sms = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { channel: "sms", to: "+46701234567", template: "welcome", data: { name: "Ada", code: 1 } } });
    expect(sms.status, JSON.stringify(sms.json)).toBe(202);
    expect(sms.json.sms).toMatchObject({ segments: 1, encoding: "GSM-7" });
    const stored = await call(getMessage, `/api/v1/messages/${sms.json.id}`, { key }, { id: sms.json.id });
    expect(stored.json).toMatchObject({ template_id: "welcome", template_version: 1, payload: { to: "+46701234567", body: "Hi Ada, your code is 1" } });

    const email = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { channel: "email", to: [{ email: "ada@example.com" }], template: "welcome", data: { name: "Ada" }, locale: "sv-SE" } });
    expect(email.status, JSON.stringify(email.json)).toBe(202);
    const e = (await call(getMessage, `/api/v1/messages/${email.json.id}`, { key }, { id: email.json.id })).json;
    expect(e.payload).toMatchObject({ subject: "Välkommen Ada", body_html: "<h1>Hej Ada</h1>", body_text: "HEJ ADA" });
    expect(e.payload.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(e.payload.headers["List-Unsubscribe"]).toMatch(/^<https?:\/\/.+\/u\/v1\.[\w-]+\.[\w-]+>$/);
  });

  it("answers 422 listing every missing variable, refuses content fields, and replays by idempotency key", async () => {
    const { key } = await setup();
    await call(publish, "/api/v1/templates/welcome/publish", { method: "POST", key }, { key: "welcome" });
    const missing = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { channel: "sms", to: "+46701234567", template: "welcome" } });
    expect(missing.status).toBe(422);
    expect(missing.json.error.details.map((d: Json) => d.variable)).toEqual(["data.name", "data.code"]);
    const both = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { channel: "sms", to: "+46701234567", body: "x", template: "welcome" } });
    expect(both.status).toBe(422);
    expect(both.json.error.details[0].path).toBe("body");
    const unknown = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { channel: "sms", to: "+46701234567", template: "nope" } });
    expect(unknown.json.error.code).toBe("TEMPLATE_NOT_FOUND");

    const body = { channel: "sms", to: "+46701234567", template: "welcome", data: { name: "Ada", code: 2 }, idempotency_key: "k1" };
    const first = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body });
    const again = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body });
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.json.id).toBe(first.json.id);
    const changed = await call(sendMessage, "/api/v1/messages", { method: "POST", key, body: { ...body, data: { name: "Bo", code: 2 } } });
    expect(changed.json.error.code).toBe("idempotency_key_reused");
  });

  it("batch: each item rendered on its own, errors per item", async () => {
    const { key } = await setup();
    await call(publish, "/api/v1/templates/welcome/publish", { method: "POST", key }, { key: "welcome" });
    const r = await call(sendBatch, "/api/v1/messages/batch", {
      method: "POST",
      key,
      body: {
        messages: [
          { channel: "sms", to: "+46701234567", template: "welcome", data: { name: "Ada", code: 1 } },
          { channel: "sms", to: "+46701234568", template: "welcome", data: { name: "Bo" } },
          { channel: "sms", to: "+46701234569", body: "literal" },
        ],
      },
    });
    expect(r.json.results.map((x: Json) => x.status)).toEqual([202, 422, 202]);
    expect(r.json.results[1].error.details.map((d: Json) => d.variable)).toEqual(["data.code"]);
  });
});
