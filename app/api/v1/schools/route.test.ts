import { and, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { outboxEvents, schools } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { makeContext } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import * as item from "./[id]/route";
import * as importRoute from "./import/route";
import * as collection from "./route";

let ctx: TenantContext;
let writer: string;
let reader: string;
let otherWriter: string;

function req(path: string, init: { method?: string; key?: string; body?: unknown; csv?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? writer}`, ...init.headers };
  let body: string | undefined;
  if (init.csv !== undefined) {
    headers["content-type"] ??= "text/csv";
    body = init.csv;
  } else if (init.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.body);
  }
  return new NextRequest(new URL(path, "http://localhost"), { method: init.method ?? "GET", headers, body });
}
const noParams = { params: Promise.resolve({}) };
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });

beforeAll(async () => {
  ctx = await makeContext("owner");
  const other = await makeContext("owner");
  writer = (await createApiKey(ctx, { name: "w", scopes: ["schools:read", "schools:write"] })).key;
  reader = (await createApiKey(ctx, { name: "r", scopes: ["schools:read"] })).key;
  otherWriter = (await createApiKey(other, { name: "w", scopes: ["schools:read", "schools:write"] })).key;
});
afterAll(closeDb);

describe("/api/v1/schools CRUD", () => {
  it("creates, reads, updates and deletes a school, emitting a sync event each time", async () => {
    const created = await collection.POST(
      req("/api/v1/schools", { method: "POST", body: { name: "Üsküdar Fen Lisesi", type: "high_school", city: "İstanbul", latitude: 41.02, longitude: 29.01, phone: "+90 216 111 11 11", tags: "fen, stem" } }),
      noParams,
    );
    expect(created.status).toBe(201);
    const school = await created.json();
    expect(school).toMatchObject({ slug: "uskudar-fen-lisesi-istanbul", is_public: true, tags: ["fen", "stem"], inbound_number: null, phone: "+90 216 111 11 11" });

    const got = await item.GET(req(`/api/v1/schools/${school.id}`, { key: reader }), idParams(school.id));
    expect((await got.json()).name).toBe("Üsküdar Fen Lisesi");

    const patched = await item.PATCH(req(`/api/v1/schools/${school.id}`, { method: "PATCH", body: { is_public: false, district: "Üsküdar" } }), idParams(school.id));
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ is_public: false, district: "Üsküdar", latitude: 41.02 });

    // A lone coordinate is rejected against the merged school, and nothing changes.
    const lone = await item.PATCH(req(`/api/v1/schools/${school.id}`, { method: "PATCH", body: { longitude: null } }), idParams(school.id));
    expect(lone.status).toBe(422);
    expect((await lone.json()).error.details[0].path).toBe("longitude");

    const deleted = await item.DELETE(req(`/api/v1/schools/${school.id}`, { method: "DELETE" }), idParams(school.id));
    expect(deleted.status).toBe(204);
    expect((await item.GET(req(`/api/v1/schools/${school.id}`), idParams(school.id))).status).toBe(404);

    const events = await getDb()
      .select()
      .from(outboxEvents)
      .where(and(eq(outboxEvents.tenantId, ctx.tenantId), eq(outboxEvents.name, "herald/schools.changed")));
    expect(events.filter((e) => (e.payload as { schoolIds: string[] }).schoolIds.includes(school.id))).toHaveLength(3);
  });

  it("keeps slugs unique per tenant: 409 for a taken slug, a suffix for a generated one", async () => {
    const body = { name: "Moda Koleji", type: "primary", city: "İstanbul", slug: "moda-koleji" };
    expect((await collection.POST(req("/api/v1/schools", { method: "POST", body }), noParams)).status).toBe(201);
    const dup = await collection.POST(req("/api/v1/schools", { method: "POST", body }), noParams);
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.code).toBe("conflict");
    // Another tenant may use the same slug.
    expect((await collection.POST(req("/api/v1/schools", { method: "POST", key: otherWriter, body }), noParams)).status).toBe(201);
    const { slug: _s, ...noSlug } = body;
    const a = await (await collection.POST(req("/api/v1/schools", { method: "POST", body: noSlug }), noParams)).json();
    const b = await (await collection.POST(req("/api/v1/schools", { method: "POST", body: noSlug }), noParams)).json();
    expect([a.slug, b.slug]).toEqual(["moda-koleji-istanbul", "moda-koleji-istanbul-2"]);
  });

  it("answers 404 for another tenant's school and for a non-UUID id", async () => {
    const mine = await (await collection.POST(req("/api/v1/schools", { method: "POST", body: { name: "Private One", type: "course", city: "Malmö" } }), noParams)).json();
    for (const call of [
      () => item.GET(req(`/api/v1/schools/${mine.id}`, { key: otherWriter }), idParams(mine.id)),
      () => item.PATCH(req(`/api/v1/schools/${mine.id}`, { method: "PATCH", key: otherWriter, body: { name: "Hijacked" } }), idParams(mine.id)),
      () => item.DELETE(req(`/api/v1/schools/${mine.id}`, { method: "DELETE", key: otherWriter }), idParams(mine.id)),
      () => item.GET(req("/api/v1/schools/not-a-uuid"), idParams("not-a-uuid")),
    ]) {
      expect((await call()).status).toBe(404);
    }
    const [row] = await getDb().select().from(schools).where(eq(schools.id, mine.id));
    expect(row?.name).toBe("Private One");
    const list = await (await collection.GET(req("/api/v1/schools?per_page=100", { key: otherWriter }), noParams)).json();
    expect(list.data.map((s: { id: string }) => s.id)).not.toContain(mine.id);
  });

  it("validates bodies and checks scopes", async () => {
    const bad = await collection.POST(req("/api/v1/schools", { method: "POST", body: { name: "", type: "castle", city: "X", email: "nope", latitude: 91, longitude: 0 } }), noParams);
    expect(bad.status).toBe(422);
    const paths = (await bad.json()).error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["email", "latitude", "name", "type"]);
    const denied = await collection.POST(req("/api/v1/schools", { method: "POST", key: reader, body: { name: "A", type: "course", city: "B" } }), noParams);
    expect(denied.status).toBe(403);
  });
});

describe("POST /api/v1/schools/import", () => {
  const csv = [
    "name;type;city;district;latitude;longitude;email;tags;is_public;slug",
    "Bornova Anadolu Lisesi;Lise;İzmir;Bornova;38.46;27.22;info@bal.example;anadolu|dil;evet;",
    '"Karşıyaka ""Yeni"" Okulu";ilkokul;İzmir;"Karşıyaka;',
    'merkez";;;;;hayır;',
    ";primary;İzmir;;;;;;;",
    "Bad Type School;castle;İzmir;;;;;;;",
    "Lone Lat;primary;İzmir;;38.4;;;;;",
    "Bad Mail;course;İzmir;;;;not-an-email;;;",
    "Too;few;fields",
    "Bornova Anadolu Lisesi;Lise;İzmir;;;;;;;",
    "Lund Gymnasium;gymnasium;Lund;;55.7;13.19;;;yes;lund-gy",
  ].join("\r\n");

  it("imports valid rows and reports every bad row with its line number", async () => {
    const res = await importRoute.POST(req("/api/v1/schools/import", { method: "POST", csv }), noParams);
    expect(res.status).toBe(200);
    const result = await res.json();
    expect(result).toMatchObject({ total_rows: 9, created: 3, updated: 0, failed: 6, errors_truncated: false });
    expect(result.errors).toEqual([
      { line: 5, field: "name", message: "Name is required" },
      { line: 6, field: "type", message: 'Unknown type "castle"' },
      { line: 7, field: "longitude", message: "Give both latitude and longitude, or neither" },
      { line: 8, field: "email", message: "Not a valid email address" },
      { line: 9, message: "Expected 10 fields, found 3" },
      { line: 10, field: "slug", message: 'Duplicate of line 2 (slug "bornova-anadolu-lisesi-izmir"); give each school its own slug' },
    ].map((e) => expect.objectContaining(e)));
    const rows = await getDb().select().from(schools).where(eq(schools.tenantId, ctx.tenantId));
    const karsiyaka = rows.find((r) => r.name === 'Karşıyaka "Yeni" Okulu');
    expect(karsiyaka).toMatchObject({ type: "primary", district: "Karşıyaka;\nmerkez", isPublic: false });
    expect(rows.find((r) => r.slug === "lund-gy")).toMatchObject({ type: "high_school", latitude: 55.7 });
    expect(rows.find((r) => r.slug === "bornova-anadolu-lisesi-izmir")).toMatchObject({ type: "high_school", tags: ["anadolu", "dil"], email: "info@bal.example" });

    // Re-importing the same file updates the same schools instead of duplicating them.
    const again = await (await importRoute.POST(req("/api/v1/schools/import", { method: "POST", csv }), noParams)).json();
    expect(again).toMatchObject({ created: 0, updated: 3, failed: 6 });
  });

  it("streams progress as NDJSON when asked", async () => {
    const lines = ["name,type,city", ...Array.from({ length: 1203 }, (_, i) => `Stream School ${i},primary,Uppsala`)];
    const res = await importRoute.POST(req("/api/v1/schools/import", { method: "POST", csv: lines.join("\n"), headers: { accept: "application/x-ndjson" } }), noParams);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const events = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    const progress = events.filter((e) => e.type === "progress").map((e) => e.processed);
    expect(progress).toEqual([0, 500, 1000, 1203]);
    expect(events[events.length - 1]).toMatchObject({ type: "result", total_rows: 1203, created: 1203, failed: 0 });
  });

  it("rejects a bad file as a whole and writes nothing", async () => {
    const before = (await getDb().select().from(schools).where(eq(schools.tenantId, ctx.tenantId))).length;
    const cases: [string, number, Record<string, string>?][] = [
      ["nmae,type,city\nX,primary,Y", 422],
      ["type,city\nprimary,Y", 422],
      ["name,type,city\n", 422],
      ['name,type,city\n"Open quote,primary,Y', 422],
      ["name,type,city\nX,primary,Y", 415, { "content-type": "application/json" }],
      ["name,type,city\nX,primary,Y", 413, { "content-length": String(6 * 1024 * 1024) }],
    ];
    for (const [body, status, headers] of cases) {
      const res = await importRoute.POST(req("/api/v1/schools/import", { method: "POST", csv: body, headers }), noParams);
      expect(res.status, body).toBe(status);
      expect((await res.json()).error.code).toBeTypeOf("string");
    }
    expect((await getDb().select().from(schools).where(eq(schools.tenantId, ctx.tenantId))).length).toBe(before);
    const denied = await importRoute.POST(req("/api/v1/schools/import", { method: "POST", key: reader, csv: "name,type,city\nX,primary,Y" }), noParams);
    expect(denied.status).toBe(403);
  });
});
