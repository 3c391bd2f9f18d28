import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { contacts, tenants } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import type { TenantContext } from "@/lib/tenancy/context";
import * as item from "./[id]/route";
import * as byExternal from "./by-external-id/[external_id]/route";
import * as importRoute from "./import/route";
import * as collection from "./route";

let ctx: TenantContext;
let writer: string;
let reader: string;
let otherWriter: string;

beforeAll(async () => {
  ctx = await makeContext("owner");
  const other = await makeContext("owner");
  await getDb().update(tenants).set({ defaultCountry: "SE" }).where(eq(tenants.id, ctx.tenantId));
  writer = (await createApiKey(ctx, { name: "w", scopes: ["contacts:read", "contacts:write"] })).key;
  reader = (await createApiKey(ctx, { name: "r", scopes: ["contacts:read"] })).key;
  otherWriter = (await createApiKey(other, { name: "w", scopes: ["contacts:read", "contacts:write"] })).key;
});
afterAll(closeDb);

async function call(handler: (req: any, p: any) => Promise<Response>, path: string, init: Parameters<typeof request>[1] = {}, p: Record<string, string> = {}) {
  const res = await handler(request(path, { key: writer, ...init }), params(p));
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, any>) : null };
}

describe("/api/v1/contacts", () => {
  it("creates, reads, patches and finds a contact; other tenants and readers are kept out", async () => {
    const created = await call(collection.POST, "/api/v1/contacts", { method: "POST", body: { external_id: "p-1", name: "Elif Şahin", email: "ELIF@example.test", phone: "070 111 22 33", locale: "tr-tr", timezone: "Europe/Istanbul" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: "elif@example.test", phone: "+46701112233", locale: "tr-TR", subscriptions: [], schools: [], push_targets: [] });
    const id = created.json!.id as string;
    expect((await call(item.GET, `/api/v1/contacts/${id}`, { key: otherWriter }, { id })).status).toBe(404);
    expect((await call(item.GET, "/api/v1/contacts/nope", {}, { id: "nope" })).status).toBe(404);
    expect((await call(collection.POST, "/api/v1/contacts", { method: "POST", key: reader, body: { name: "x" } })).status).toBe(403);
    const dup = await call(collection.POST, "/api/v1/contacts", { method: "POST", body: { external_id: "p-1" } });
    expect(dup).toMatchObject({ status: 409, json: { error: { details: [{ path: "external_id" }] } } });

    const patched = await call(item.PATCH, `/api/v1/contacts/${id}`, {
      method: "PATCH",
      body: { subscriptions: [{ channel: "sms", topic: "marketing", status: "unsubscribed" }], push_targets: [{ token: "tok-1", platform: "ios" }], attributes: { team: "u12", level: 3 } },
    }, { id });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ name: "Elif Şahin", subscriptions: [{ channel: "sms", topic: "marketing", status: "unsubscribed", source: "api" }], push_targets: [{ token: "tok-1", active: true }] });

    const bad = await call(item.PATCH, `/api/v1/contacts/${id}`, { method: "PATCH", body: { timezone: "Mars/Olympus", locale: "not a tag!", phone: "123", attributes: { "bad key": 1 } } }, { id });
    expect(bad.status).toBe(422);
    expect(bad.json!.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["attributes.bad key", "locale", "timezone"]);
    const deep = await call(item.PATCH, `/api/v1/contacts/${id}`, { method: "PATCH", body: { attributes: { a: { b: { c: { d: { e: { f: 1 } } } } } } } }, { id });
    expect(deep.status).toBe(422);

    const found = await call(collection.GET, "/api/v1/contacts?q=%C5%9Fahin&attribute=level:3");
    expect(found.json!.data.map((c: { id: string }) => c.id)).toEqual([id]);
    const byExt = await call(byExternal.GET, "/api/v1/contacts/by-external-id/p-1", {}, { external_id: "p-1" });
    expect(byExt.json).toMatchObject({ id });
    // A path segment Postgres could not compare (NUL, an unpaired surrogate) names nothing: 404
    // from the shared route wrapper, before any query.
    for (const bad of ["p\u0000", "p\ud800"]) {
      const res = await call(byExternal.GET, "/api/v1/contacts/by-external-id/x", {}, { external_id: bad });
      expect([res.status, res.json!.error.code]).toEqual([404, "not_found"]);
    }
  });

  it("PUT by external id is an idempotent upsert: parallel PUTs make one row", async () => {
    const body = { name: "Parallel Person", email: "parallel@example.test" };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(byExternal.PUT, "/api/v1/contacts/by-external-id/par%201", { method: "PUT", body }, { external_id: "par 1" })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json!.id)).size).toBe(1);
    const rows = await getDb().select().from(contacts).where(eq(contacts.externalId, "par 1"));
    expect(rows).toHaveLength(1);
  });

  it("imports CSV with progress and per-line errors, then NDJSON upserting the same contacts", async () => {
    const lines = ["external_id;name;email;phone;attributes.team;unsubscribed"];
    for (let i = 1; i <= 2500; i++) lines.push(`imp-${i};Person ${i};p${i}@example.test;070 ${String(10_000_000 + i).slice(1)};u${i % 3};${i % 100 === 0 ? "email" : ""}`);
    lines.push("imp-bad;Bad;not-an-email;;x;");
    lines.push("imp-short;only two");
    const csv = lines.join("\r\n");
    const res = await importRoute.POST(request("/api/v1/contacts/import", { method: "POST", key: writer, rawBody: csv, headers: { "content-type": "text/csv", accept: "application/x-ndjson" } }), params({}));
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const events = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, any>);
    const progress = events.filter((e) => e.type === "progress");
    expect(progress.length, JSON.stringify(events.at(-1)).slice(0, 500)).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ processed: 2502, created: 2500 });
    const result = events.at(-1)!;
    expect(result).toMatchObject({ type: "result", total_rows: 2502, created: 2500, updated: 0, failed: 2 });
    expect(result.errors).toEqual([
      { line: 2502, field: "email", message: "Not a valid email address" },
      { line: 2503, message: "Expected 6 fields, found 2" },
    ]);
    const unsubscribed = await call(collection.GET, "/api/v1/contacts?unsubscribed=email&limit=100");
    expect(unsubscribed.json!.data).toHaveLength(25);

    const ndjson = ['{"external_id":"imp-1","attributes":{"coach":true}}', "{broken", '{"external_id":"imp-new","name":"New One","timezone":"Nowhere/City"}', '{"name":"No Id","whatsapp":"+46 70 555 66 77"}'].join("\n");
    const second = await call(importRoute.POST, "/api/v1/contacts/import", { method: "POST", rawBody: ndjson, headers: { "content-type": "application/x-ndjson" } });
    expect(second.json).toMatchObject({ total_rows: 4, created: 1, updated: 1, failed: 2, errors: [{ line: 2, message: "Not valid JSON" }, { line: 3, field: "timezone" }] });
    const [one] = await getDb().select().from(contacts).where(eq(contacts.externalId, "imp-1"));
    // Attributes merge on import; other fields are kept.
    expect(one).toMatchObject({ name: "Person 1", attributes: { team: "u1", coach: true } });

    const header = await call(importRoute.POST, "/api/v1/contacts/import", { method: "POST", rawBody: "name,shoe_size\nx,42", headers: { "content-type": "text/csv" } });
    expect(header).toMatchObject({ status: 422, json: { error: { message: "The CSV header is invalid", details: [{ line: 1, field: "shoe_size" }] } } });
    expect((await call(importRoute.POST, "/api/v1/contacts/import", { method: "POST", rawBody: "{}", headers: { "content-type": "application/json" } })).status).toBe(415);
  });
});
