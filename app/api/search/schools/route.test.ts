import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { createSchool, updateSchool } from "@/lib/schools/schools";
import { makeContext, makeUser } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import type { CreateSchoolBody } from "@/lib/validations/schools";
import { GET } from "./route";

let ctx: TenantContext;
let other: TenantContext;
let memberKey: string;
let otherTenantKey: string;
let noScopeKey: string;

const schools: CreateSchoolBody[] = [
  { name: "Kadıköy Anadolu Lisesi", type: "high_school", city: "İstanbul", district: "Kadıköy", latitude: 40.9903, longitude: 29.0286, phone: "+90 216 000 00 01", email: "info@kal.example", tags: ["anadolu", "dil"] },
  { name: "İstanbul Erkek Lisesi", type: "high_school", city: "İstanbul", district: "Fatih", latitude: 41.0122, longitude: 28.9603, phone: "+90 212 000 00 02" },
  { name: "Şişli Ortaokulu", type: "secondary", city: "İstanbul", district: "Şişli", latitude: 41.0602, longitude: 28.9877 },
  { name: "Ankara Fen Lisesi", type: "high_school", city: "Ankara", district: "Çankaya", latitude: 39.9208, longitude: 32.8541, email: "fen@ankara.example" },
  { name: "Göteborgs Förskola", type: "kindergarten", city: "Göteborg", latitude: 57.7089, longitude: 11.9746 },
  { name: "Malmö Universitet", type: "university", city: "Malmö" },
  { name: "Gizli Özel Okul", type: "primary", city: "İstanbul", district: "Beşiktaş", latitude: 41.043, longitude: 29.0094, phone: "+90 212 999 99 99", email: "secret@private.example", is_public: false },
];

function search(params: Record<string, string>, headers: Record<string, string> = {}) {
  const url = new URL("http://localhost/api/search/schools");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return GET(new NextRequest(url, { headers: { "x-herald-client-ip": `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`, ...headers } }), {
    params: Promise.resolve({}),
  });
}

async function json(params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await search({ tenant: ctx.tenantSlug, ...params }, headers);
  const body = await res.json();
  return { status: res.status, body, text: JSON.stringify(body) };
}

const names = (body: { data: { name: string }[] }) => body.data.map((d) => d.name);

beforeAll(async () => {
  ctx = await makeContext("owner");
  other = await makeContext("owner");
  for (const s of schools) await createSchool(ctx, s);
  await createSchool(other, { name: "Kadıköy Başka Okul", type: "primary", city: "İstanbul", is_public: true });
  await createSchool(other, { name: "Başka Gizli Okul", type: "primary", city: "İstanbul", is_public: false });
  memberKey = (await createApiKey(ctx, { name: "reader", scopes: ["schools:read"] })).key;
  noScopeKey = (await createApiKey(ctx, { name: "sender", scopes: ["messages:send"] })).key;
  otherTenantKey = (await createApiKey(other, { name: "reader", scopes: ["schools:read"] })).key;
});
afterAll(closeDb);

describe("GET /api/search/schools — visibility", () => {
  it("never shows anonymous callers a private school or a private field", async () => {
    for (const q of ["", "okul", "gizli", "istanbul", "besiktas"]) {
      const { status, body, text } = await json({ q, per_page: "100" });
      expect(status).toBe(200);
      expect(body.visibility).toBe("public");
      expect(names(body)).not.toContain("Gizli Özel Okul");
      for (const hit of body.data) {
        for (const key of ["phone", "email", "is_public", "inbound_number"]) expect(hit).not.toHaveProperty(key);
      }
      for (const secret of ["+90", "@", "secret", "Beşiktaş"]) expect(text).not.toContain(secret);
    }
    // Facet counts don't betray the private school either.
    const { body } = await json({});
    expect(body.total).toBe(6);
    expect(body.facets.type).not.toContainEqual(expect.objectContaining({ value: "primary" }));
    expect(body.facets.city).toContainEqual({ value: "İstanbul", count: 3 });
  });

  it("shows private schools and contact fields to an API key with schools:read of the tenant", async () => {
    const { body } = await json({ q: "gizli" }, { authorization: `Bearer ${memberKey}` });
    expect(body.visibility).toBe("member");
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ name: "Gizli Özel Okul", is_public: false, phone: "+90 212 999 99 99", email: "secret@private.example", inbound_number: null });
    expect((await json({}, { authorization: `Bearer ${memberKey}` })).body.total).toBe(7);
  });

  it("treats another tenant's key and a key without the scope as anonymous, and rejects a bad key", async () => {
    for (const key of [otherTenantKey, noScopeKey]) {
      const { body } = await json({ q: "gizli" }, { authorization: `Bearer ${key}` });
      expect(body.visibility).toBe("public");
      expect(body.data).toHaveLength(0);
    }
    const bad = await json({}, { authorization: "Bearer hk_not-a-real-key" });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("unauthorized");
  });

  it("shows members signed in with a session cookie the private view of their tenants only", async () => {
    const user = await makeUser({ tenantId: ctx.tenantId, role: "viewer" });
    const token = await encode({ token: { uid: user.id }, secret: process.env.NEXTAUTH_SECRET! });
    const cookie = { cookie: `next-auth.session-token=${token}` };
    expect((await json({ q: "gizli" }, cookie)).body.data).toHaveLength(1);
    // A member of this tenant is a stranger to the other one.
    const res = await search({ tenant: other.tenantSlug, q: "gizli" }, cookie);
    const body = await res.json();
    expect(body.visibility).toBe("public");
    expect(body.data).toHaveLength(0);
  });

  it("never returns another tenant's schools", async () => {
    const { body } = await json({ q: "kadikoy" }, { authorization: `Bearer ${memberKey}` });
    expect(names(body)).toEqual(["Kadıköy Anadolu Lisesi"]);
  });
});

describe("GET /api/search/schools — matching", () => {
  it('"istanbul" finds "İstanbul", "kadikoy" finds "Kadıköy", "ankra" finds "Ankara"', async () => {
    const istanbul = await json({ q: "istanbul" });
    expect(names(istanbul.body).sort()).toEqual(["İstanbul Erkek Lisesi", "Kadıköy Anadolu Lisesi", "Şişli Ortaokulu"].sort());
    const kadikoy = await json({ q: "kadikoy" });
    expect(names(kadikoy.body)).toEqual(["Kadıköy Anadolu Lisesi"]);
    const ankra = await json({ q: "ankra" });
    expect(names(ankra.body)).toEqual(["Ankara Fen Lisesi"]);
  });

  it("finds typos among words written by later edits, not only by creation", async () => {
    const third = await makeContext("owner");
    const school = await createSchool(third, { name: "Yeni Okul", type: "primary", city: "Rize" });
    const q = async (text: string) => {
      const res = await search({ tenant: third.tenantSlug, q: text });
      return names(await res.json());
    };
    expect(await q("trabzn")).toEqual([]);
    await updateSchool(third, school.id, { name: "Trabzon Koleji" });
    expect(await q("trabzn")).toEqual(["Trabzon Koleji"]);
    expect(await q("kolej")).toEqual(["Trabzon Koleji"]);
  });

  it("treats one-character words as not yet typed: a lone letter browses", async () => {
    const browse = await json({});
    const letter = await json({ q: "a" });
    expect(letter.body.total).toBe(browse.body.total);
    expect(names(letter.body)).toEqual(names(browse.body));
    expect(names((await json({ q: "a kadikoy" })).body)).toEqual(["Kadıköy Anadolu Lisesi"]);
  });

  it("matches prefixes and other diacritics, upper-case Turkish input included", async () => {
    expect(names((await json({ q: "kadı" })).body)).toEqual(["Kadıköy Anadolu Lisesi"]);
    expect(names((await json({ q: "gote" })).body)).toEqual(["Göteborgs Förskola"]);
    expect(names((await json({ q: "ŞİŞLİ" })).body)).toEqual(["Şişli Ortaokulu"]);
    expect(names((await json({ q: "malmo univ" })).body)).toEqual(["Malmö Universitet"]);
    expect((await json({ q: "zzzz qqqq" })).body.data).toEqual([]);
  });

  it("highlights matches in the original text", async () => {
    const { body } = await json({ q: "kadikoy lise" });
    const hit = body.data[0];
    expect(hit.highlights.name).toEqual([
      { text: "Kadıköy", match: true },
      { text: " Anadolu ", match: false },
      { text: "Lise", match: true },
      { text: "si", match: false },
    ]);
    expect(hit.highlights.district).toEqual([{ text: "Kadıköy", match: true }]);
    const typo = await json({ q: "ankra" });
    expect(typo.body.data[0].highlights.name[0]).toEqual({ text: "Ankara", match: true });
  });
});

describe("GET /api/search/schools — facets, filters, geo, pages", () => {
  it("counts facets by city and type over the filtered result", async () => {
    const { body } = await json({ q: "lise" });
    expect(body.facets.type).toEqual([{ value: "high_school", count: 3 }]);
    expect(body.facets.city).toEqual([
      { value: "İstanbul", count: 2 },
      { value: "Ankara", count: 1 },
    ]);
    const filtered = await json({ city: "istanbul", type: "high_school" });
    expect(names(filtered.body).sort()).toEqual(["İstanbul Erkek Lisesi", "Kadıköy Anadolu Lisesi"].sort());
    expect(filtered.body.total).toBe(2);
    // Disjunctive facets: the city counts keep the type filter but not the city choice, so the
    // other cities stay visible to add; the type counts keep the city filter.
    expect(filtered.body.facets.city).toEqual([
      { value: "İstanbul", count: 2 },
      { value: "Ankara", count: 1 },
    ]);
    expect(filtered.body.facets.type).toEqual([
      { value: "high_school", count: 2 },
      { value: "secondary", count: 1 },
    ]);
  });

  it("takes several values of a facet at once (any of them)", async () => {
    const both = await json({ city: "istanbul,ankara", type: "high_school" });
    expect(names(both.body).sort()).toEqual(["Ankara Fen Lisesi", "İstanbul Erkek Lisesi", "Kadıköy Anadolu Lisesi"].sort());
    const types = await json({ type: "kindergarten,university" });
    expect(names(types.body).sort()).toEqual(["Göteborgs Förskola", "Malmö Universitet"].sort());
    const bad = await json({ type: "high_school,castle" });
    expect(bad.status).toBe(422);
  });

  it("sorts by distance from near= and limits by radius_km", async () => {
    const { body } = await json({ near: "41.0082,28.9784" });
    const distances = body.data.map((d: { distance_km: number | null }) => d.distance_km);
    expect(body.data[0].name).toBe("İstanbul Erkek Lisesi");
    const known = distances.filter((d: number | null) => d !== null);
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(distances[distances.length - 1]).toBeNull(); // Malmö Universitet has no location
    expect(body.data[0].distance_km).toBeLessThan(2);

    const near = await json({ near: "41.0082,28.9784", radius_km: "15" });
    expect(names(near.body)).toEqual(["İstanbul Erkek Lisesi", "Kadıköy Anadolu Lisesi", "Şişli Ortaokulu"]);
    expect(near.body.total).toBe(3);
    expect(near.body.facets.city).toEqual([{ value: "İstanbul", count: 3 }]);
  });

  it("sorts text matches by distance, and pages them without overlap", async () => {
    const { body } = await json({ q: "lise", near: "39.93,32.85" });
    expect(names(body)[0]).toBe("Ankara Fen Lisesi");
    const distances = body.data.map((d: { distance_km: number }) => d.distance_km);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(body.total).toBe(3);
    expect(body.facets.type).toEqual([{ value: "high_school", count: 3 }]);
    const first = (await json({ q: "lise", per_page: "2", page: "1" })).body;
    const second = (await json({ q: "lise", per_page: "2", page: "2" })).body;
    expect([first.total, second.total]).toEqual([3, 3]);
    expect([...names(first), ...names(second)].sort()).toEqual(["Ankara Fen Lisesi", "Kadıköy Anadolu Lisesi", "İstanbul Erkek Lisesi"].sort());
  });

  it("pages through results without overlap", async () => {
    const all = (await json({ per_page: "100" })).body;
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const { body } = await json({ per_page: "2", page: String(page) });
      expect(body).toMatchObject({ page, per_page: 2, total: 6 });
      seen.push(...names(body));
    }
    expect(seen).toEqual(names(all));
    expect((await json({ per_page: "2", page: "4" })).body.data).toEqual([]);
  });

  it("answers bad input with JSON errors", async () => {
    const missing = await search({});
    expect(missing.status).toBe(422);
    expect((await json({ radius_km: "5" })).status).toBe(422);
    expect((await json({ near: "north" })).status).toBe(422);
    expect((await json({ type: "castle" })).status).toBe(422);
    expect((await json({ per_page: "1000" })).status).toBe(422);
    const unknown = await search({ tenant: "no-such-tenant-here" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("not_found");
  });
});

