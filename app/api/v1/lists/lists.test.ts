import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import * as contactsImport from "@/app/api/v1/contacts/import/route";
import * as preview from "@/app/api/v1/segments/preview/route";
import { createApiKey } from "@/lib/auth/api-keys";
import { createContact } from "@/lib/contacts/contacts";
import { resolveAudience } from "@/lib/lists/audience";
import { makeContext } from "@/lib/test/factories";
import { params, request } from "@/lib/test/http";
import type { TenantContext } from "@/lib/tenancy/context";
import * as item from "./[id]/route";
import * as members from "./[id]/members/route";
import * as collection from "./route";

let ctx: TenantContext;
let other: TenantContext;
let key: string;
let otherKey: string;

beforeAll(async () => {
  ctx = await makeContext("owner");
  other = await makeContext("owner");
  key = (await createApiKey(ctx, { name: "w", scopes: ["contacts:read", "contacts:write"] })).key;
  otherKey = (await createApiKey(other, { name: "w", scopes: ["contacts:read", "contacts:write"] })).key;
});
afterAll(closeDb);

async function call(handler: (req: any, p: any) => Promise<Response>, path: string, init: Parameters<typeof request>[1] = {}, p: Record<string, string> = {}) {
  const res = await handler(request(path, { key, ...init }), params(p));
  const text = await res.text();
  const json = res.headers.get("content-type")?.includes("json") && text ? (JSON.parse(text) as Record<string, any>) : null;
  return { status: res.status, json, text };
}

async function collect(gen: AsyncGenerator<string[]>) {
  const pages: string[][] = [];
  for await (const p of gen) pages.push(p);
  return pages;
}

describe("static lists", () => {
  it("adds 10,000 members by external id in one call, removes by id, counts, exports CSV and streams the audience", async () => {
    const ndjson = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ external_id: `m-${i}`, name: i === 0 ? "=HYPERLINK(1)" : `Member ${i}`, email: `m${i}@example.test` })).join("\n");
    const imported = await call(contactsImport.POST, "/api/v1/contacts/import", { method: "POST", rawBody: ndjson, headers: { "content-type": "application/x-ndjson" } });
    expect(imported.json).toMatchObject({ created: 10_000, failed: 0 });

    const list = await call(collection.POST, "/api/v1/lists", { method: "POST", body: { name: "Registered players", kind: "static" } });
    expect(list).toMatchObject({ status: 201, json: { kind: "static", count: 0 } });
    const id = list.json!.id as string;
    expect((await call(collection.POST, "/api/v1/lists", { method: "POST", body: { name: "Registered players", kind: "static" } })).status).toBe(409);
    expect((await call(item.GET, `/api/v1/lists/${id}`, { key: otherKey }, { id })).status).toBe(404);

    const ext = Array.from({ length: 10_000 }, (_, i) => `m-${i}`);
    const added = await call(members.POST, `/api/v1/lists/${id}/members`, { method: "POST", body: { external_ids: [...ext.slice(0, 9_999), "nobody"] } }, { id });
    expect(added.json).toMatchObject({ added: 9_999, not_found: { contact_ids: [], external_ids: ["nobody"] } });
    const again = await call(members.POST, `/api/v1/lists/${id}/members`, { method: "POST", body: { external_ids: ext.slice(0, 10) } }, { id });
    expect(again.json).toMatchObject({ added: 0 });
    expect((await call(members.POST, `/api/v1/lists/${id}/members`, { method: "POST", body: { external_ids: [...ext, "one-too-many"] } }, { id })).status).toBe(422);

    const page = await call(members.GET, `/api/v1/lists/${id}/members?limit=200`, {}, { id });
    expect(page.json!.data).toHaveLength(200);
    const removed = await call(members.DELETE, `/api/v1/lists/${id}/members`, { method: "DELETE", body: { contact_ids: page.json!.data.map((c: { id: string }) => c.id) } }, { id });
    expect(removed.json).toMatchObject({ removed: 200 });
    expect((await call(item.GET, `/api/v1/lists/${id}`, {}, { id })).json).toMatchObject({ count: 9_799 });

    const csv = await call(members.GET, `/api/v1/lists/${id}/members?format=csv`, {}, { id });
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe("id,external_id,name,email,phone,whatsapp,locale,timezone,created_at");
    expect(lines).toHaveLength(9_800);
    expect(lines.find((l) => l.includes(",m-0,"))).toContain(",'=HYPERLINK(1),");

    const pages = await collect(resolveAudience({ tenantId: ctx.tenantId, listId: id }, { pageSize: 1000 }));
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 799]);
    expect(new Set(pages.flat()).size).toBe(9_799);
    await expect(collect(resolveAudience({ tenantId: other.tenantId, listId: id }))).rejects.toMatchObject({ status: 404 });
    const explicit = await collect(resolveAudience({ tenantId: other.tenantId, contactIds: pages[0]!.slice(0, 5) }));
    expect(explicit).toEqual([]);
    // 10,000 rows through import, membership and export: slow on a shared machine.
  }, 180_000);
});

describe("segments", () => {
  it("filters by fields and attributes with AND/OR, in, exists and numeric/date comparisons, all parameterised", async () => {
    const t = await makeContext("owner");
    const k = (await createApiKey(t, { name: "w", scopes: ["contacts:read", "contacts:write"] })).key;
    const people = [
      { name: "A", email: "a@example.test", attributes: { age: 9, team: "u10", joined: "2024-01-10" } },
      { name: "B", email: "b@example.test", attributes: { age: 12, team: "u12", joined: "2025-03-01" } },
      { name: "C", attributes: { age: 14, team: "u14", joined: "not a date" } },
      { name: "O'Brien", locale: "en-IE", attributes: { age: "15", team: "u16" } },
    ];
    for (const p of people) await createContact(t, p);
    const count = async (segment: unknown) => {
      const r = await call(preview.POST, "/api/v1/segments/preview", { method: "POST", key: k, body: { segment } });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json!.count as number;
    };
    expect(await count({ field: "attributes.age", op: "gte", value: 12 })).toBe(2);
    expect(await count({ and: [{ field: "attributes.age", op: "gt", value: 8 }, { or: [{ field: "attributes.team", op: "in", values: ["u10", "u14"] }, { field: "email", op: "not_exists" }] }] })).toBe(2);
    expect(await count({ field: "attributes.joined", op: "gte", value: "2025-01-01" })).toBe(1);
    expect(await count({ field: "name", op: "eq", value: "O'Brien" })).toBe(1);
    expect(await count({ field: "attributes.coach", op: "exists" })).toBe(0);
    expect(await count({ field: "created_at", op: "lt", value: "2000-01-01T00:00:00Z" })).toBe(0);

    const bad = await call(preview.POST, "/api/v1/segments/preview", { method: "POST", key: k, body: { segment: { or: [{ field: "attributes.x'; drop table contacts; --", op: "eq", value: 1 }, { field: "name", op: "gt", value: 3 }] } } });
    expect(bad.status).toBe(422);
    expect(bad.json!.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["segment.or[0].field"]));

    const saved = await call(collection.POST, "/api/v1/lists", { method: "POST", key: k, body: { name: "Over 11", kind: "segment", segment: { field: "attributes.age", op: "gt", value: 11 } } });
    expect(saved.json).toMatchObject({ kind: "segment", count: 2 });
    const pages = await collect(resolveAudience({ tenantId: t.tenantId, listId: saved.json!.id }));
    expect(pages.flat()).toHaveLength(2);
  });
});
