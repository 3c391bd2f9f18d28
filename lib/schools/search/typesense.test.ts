// Contract test of the Typesense engine: a real HTTP server in the test stands in for
// Typesense, records what the real `typesense` client sends, and answers in Typesense's
// response format. Herald's own code (sync, workflow, engine, directory service) runs unmocked.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "@/db";
import { toInngestFunction } from "@/inngest/bind";
import { syncSchoolToSearch } from "@/inngest/functions/sync-school-to-search";
import { createSchool, deleteSchool } from "@/lib/schools/schools";
import { makeContext } from "@/lib/test/factories";
import type { TenantContext } from "@/lib/tenancy/context";
import { searchSchoolsQuery, type SchoolOut } from "@/lib/validations/schools";
import { searchSchoolDirectory } from ".";
import { PostgresSchoolSearch } from "./postgres-engine";
import { reindexTenantSchools } from "./sync";
import { ensureSchoolCollection, schoolCollectionFields, type SchoolDocument, type TypesenseConfig } from "./typesense";
import { TypesenseSchoolSearch } from "./typesense-engine";

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  apiKey: string | undefined;
  body: string;
}

class FakeTypesense {
  server!: Server;
  requests: Recorded[] = [];
  collection: { name: string; fields: { name: string }[] } | null = null;
  docs = new Map<string, SchoolDocument>();
  /** What the next search answers: the ids of stored docs to return, plus extras. */
  nextSearch: { ids: string[]; found: number; facets: Record<string, { value: string; count: number }[]>; distances?: Record<string, number> } = { ids: [], found: 0, facets: {} };

  async start(): Promise<number> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const url = new URL(req.url!, "http://x");
      const rec = { method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), apiKey: req.headers["x-typesense-api-key"] as string | undefined, body };
      this.requests.push(rec);
      const send = (status: number, payload: unknown, type = "application/json") => {
        res.writeHead(status, { "content-type": type });
        res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      };
      if (rec.apiKey !== "contract-key") return send(401, { message: "Forbidden - a valid `x-typesense-api-key` header must be sent." });
      const [, c, name, d, id] = url.pathname.split("/");
      if (c !== "collections") return send(404, { message: "Not Found" });
      if (!name && req.method === "POST") {
        if (this.collection) return send(409, { message: `A collection with name \`${this.collection.name}\` already exists.` });
        this.collection = JSON.parse(body);
        return send(201, { ...this.collection, created_at: 1, num_documents: 0 });
      }
      if (!this.collection || name !== this.collection.name) return send(404, { message: "Not Found" });
      if (!d && req.method === "GET") return send(200, { ...this.collection, num_documents: this.docs.size });
      if (!d && req.method === "PATCH") {
        this.collection.fields.push(...JSON.parse(body).fields);
        return send(200, JSON.parse(body));
      }
      if (d === "documents" && id === "import" && req.method === "POST") {
        const lines = body.split("\n").filter(Boolean);
        for (const line of lines) {
          const doc = JSON.parse(line) as SchoolDocument;
          this.docs.set(doc.id, doc);
        }
        return send(200, lines.map(() => JSON.stringify({ success: true })).join("\n"), "text/plain");
      }
      if (d === "documents" && id === "search" && req.method === "GET") {
        const hits = this.nextSearch.ids.map((docId) => {
          const doc = this.docs.get(docId)!;
          const hit: Record<string, unknown> = { document: doc, highlight: {}, highlights: [], text_match: 578730123365187705, text_match_info: {} };
          const m = this.nextSearch.distances?.[docId];
          if (m !== undefined) hit.geo_distance_meters = { location: m };
          return hit;
        });
        const facet_counts = Object.entries(this.nextSearch.facets).map(([field_name, counts]) => ({
          field_name,
          sampled: false,
          stats: { total_values: counts.length },
          counts: counts.map((x) => ({ count: x.count, highlighted: x.value, value: x.value })),
        }));
        return send(200, { facet_counts, found: this.nextSearch.found, hits, out_of: this.docs.size, page: Number(rec.query.page ?? 1), request_params: { collection_name: name, per_page: Number(rec.query.per_page ?? 10), q: rec.query.q }, search_cutoff: false, search_time_ms: 1 });
      }
      if (d === "documents" && id && req.method === "DELETE") {
        const doc = this.docs.get(id);
        if (!doc) return send(404, { message: `Could not find a document with id: ${id}` });
        this.docs.delete(id);
        return send(200, doc);
      }
      if (d === "documents" && !id && req.method === "DELETE") {
        const m = /^tenant_id:=`([^`]+)` && synced_at:<(\d+)$/.exec(rec.query.filter_by ?? "");
        if (!m) return send(400, { message: "Could not parse the filter query." });
        let n = 0;
        for (const [docId, doc] of this.docs) {
          if (doc.tenant_id === m[1] && doc.synced_at < Number(m[2])) {
            this.docs.delete(docId);
            n++;
          }
        }
        return send(200, { num_deleted: n });
      }
      send(404, { message: "Not Found" });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return (this.server.address() as AddressInfo).port;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

const fake = new FakeTypesense();
let config: TypesenseConfig;
let ctx: TenantContext;
let kadikoy: SchoolOut;
let secret: SchoolOut;
let ankara: SchoolOut;

beforeAll(async () => {
  const port = await fake.start();
  config = { host: "127.0.0.1", port, protocol: "http", apiKey: "contract-key", collection: `schools_${randomBytes(3).toString("hex")}`, timeoutSeconds: 5 };
  ctx = await makeContext("owner");
  kadikoy = await createSchool(ctx, { name: "Kadıköy Anadolu Lisesi", type: "high_school", city: "İstanbul", district: "Kadıköy", latitude: 40.99, longitude: 29.03, phone: "+90 216 000 00 01", email: "info@kal.example", tags: ["anadolu"] });
  secret = await createSchool(ctx, { name: "Gizli Özel Okul", type: "primary", city: "İstanbul", phone: "+90 212 999 99 99", email: "secret@private.example", is_public: false });
  ankara = await createSchool(ctx, { name: "Ankara Fen Lisesi", type: "high_school", city: "Ankara" });
});
afterAll(async () => {
  fake.server.close();
  await closeDb();
});

function runWorkflow(schoolIds: string[]) {
  const env = { TYPESENSE_HOST: "127.0.0.1", TYPESENSE_PORT: String(config.port), TYPESENSE_PROTOCOL: "http", TYPESENSE_API_KEY: "contract-key", TYPESENSE_COLLECTION: config.collection };
  Object.assign(process.env, env);
  const t = new InngestTestEngine({ function: toInngestFunction(syncSchoolToSearch) });
  return t.execute({ events: [{ name: "herald/schools.changed", data: { tenantId: ctx.tenantId, schoolIds } }] }).finally(() => {
    for (const k of Object.keys(env)) delete process.env[k];
  });
}

describe("Typesense engine contract", () => {
  it("creates the collection schema once, idempotently", async () => {
    expect(await ensureSchoolCollection(config)).toBe("created");
    expect(await ensureSchoolCollection(config)).toBe("unchanged");
    const creates = fake.requests.filter((r) => r.method === "POST" && r.path === "/collections");
    expect(creates).toHaveLength(1);
    const schema = JSON.parse(creates[0]!.body);
    expect(schema.name).toBe(config.collection);
    expect(schema.fields).toEqual(schoolCollectionFields);
    const byName = Object.fromEntries(schema.fields.map((f: { name: string }) => [f.name, f]));
    expect(byName.city).toMatchObject({ type: "string", facet: true });
    expect(byName.type).toMatchObject({ type: "string", facet: true });
    expect(byName.location).toMatchObject({ type: "geopoint", optional: true });
    expect(byName.name_sort).toMatchObject({ sort: true });
    expect(byName.phone).toBeUndefined();
    expect(byName.email).toBeUndefined();
    // A field added by a newer Herald is patched in, not recreated.
    fake.collection!.fields = fake.collection!.fields.filter((f) => f.name !== "synced_at");
    expect(await ensureSchoolCollection(config)).toBe("updated");
    const patch = fake.requests.filter((r) => r.method === "PATCH").at(-1)!;
    expect(JSON.parse(patch.body).fields.map((f: { name: string }) => f.name)).toEqual(["synced_at"]);
  });

  it("syncs changed schools through the workflow: public fields only, folded search text", async () => {
    const run = await runWorkflow([kadikoy.id, secret.id, ankara.id]);
    expect(run.error).toBeUndefined();
    const imp = fake.requests.filter((r) => r.path.endsWith("/documents/import")).at(-1)!;
    expect(imp.query.action).toBe("upsert");
    expect(imp.apiKey).toBe("contract-key");
    const doc = fake.docs.get(kadikoy.id)!;
    expect(doc).toMatchObject({
      id: kadikoy.id,
      tenant_id: ctx.tenantId,
      is_public: true,
      type: "high_school",
      city: "İstanbul",
      city_key: "istanbul",
      name: "Kadıköy Anadolu Lisesi",
      name_search: "kadikoy anadolu lisesi",
      place_search: "istanbul kadikoy",
      extra_search: "anadolu",
      location: [40.99, 29.03],
      tags: ["anadolu"],
    });
    expect(fake.docs.get(secret.id)).toMatchObject({ is_public: false });
    for (const d of fake.docs.values()) {
      expect(d).not.toHaveProperty("phone");
      expect(d).not.toHaveProperty("email");
      expect(JSON.stringify(d)).not.toMatch(/secret@|\+90/);
    }
    expect(fake.docs.get(ankara.id)).not.toHaveProperty("location");
  });

  it("deletes a removed school's document, and a repeated delete is harmless", async () => {
    const gone = await createSchool(ctx, { name: "Kapanan Okul", type: "course", city: "Bursa" });
    await runWorkflow([gone.id]);
    expect(fake.docs.has(gone.id)).toBe(true);
    await deleteSchool(ctx, gone.id);
    expect((await runWorkflow([gone.id])).error).toBeUndefined();
    expect(fake.docs.has(gone.id)).toBe(false);
    expect((await runWorkflow([gone.id])).error).toBeUndefined();
    expect(fake.requests.filter((r) => r.method === "DELETE" && r.path.endsWith(`/documents/${gone.id}`))).toHaveLength(2);
  });

  it("sends Herald's filters, sorting and facets, and maps the answer to the Postgres engine's shape", async () => {
    const query = searchSchoolsQuery.parse({ tenant: ctx.tenantSlug, q: "Kadıköy", city: "İstanbul", type: "high_school" });
    const fromPg = await searchSchoolDirectory({ id: ctx.tenantId }, "public", query, new PostgresSchoolSearch());
    fake.nextSearch = { ids: fromPg.data.map((d) => d.id), found: fromPg.total, facets: { city: fromPg.facets.city, type: fromPg.facets.type } };
    const fromTs = await searchSchoolDirectory({ id: ctx.tenantId }, "public", query, new TypesenseSchoolSearch(config));
    expect(fromPg.data.map((d) => d.name)).toEqual(["Kadıköy Anadolu Lisesi"]);
    expect(fromTs).toEqual(fromPg);

    // The page's request (facet counts come from smaller requests beside it).
    const sent = fake.requests.filter((r) => r.path.endsWith("/documents/search") && r.query.per_page === "20").at(-1)!;
    expect(sent.query).toMatchObject({
      q: "kadikoy",
      query_by: "name_search,place_search,extra_search",
      prefix: "true,true,true",
      filter_by: `tenant_id:=\`${ctx.tenantId}\` && is_public:=true && city_key:=\`istanbul\` && type:=\`high_school\``,
      sort_by: "_text_match:desc,name_sort:asc",
      facet_by: "city,type",
      drop_tokens_threshold: "0",
      page: "1",
      per_page: "20",
    });
  });

  it("sorts by distance with near/radius and hydrates contact fields for members from Postgres", async () => {
    const query = searchSchoolsQuery.parse({ tenant: ctx.tenantSlug, near: "41.0,29.0", radius_km: "25" });
    fake.nextSearch = { ids: [kadikoy.id, secret.id], found: 2, facets: { city: [{ value: "İstanbul", count: 2 }], type: [{ value: "high_school", count: 1 }, { value: "primary", count: 1 }] }, distances: { [kadikoy.id]: 3412 } };
    const res = await searchSchoolDirectory({ id: ctx.tenantId }, "member", query, new TypesenseSchoolSearch(config));
    const sent = fake.requests.filter((r) => r.path.endsWith("/documents/search")).at(-1)!;
    expect(sent.query.filter_by).toBe(`tenant_id:=\`${ctx.tenantId}\` && location:(41, 29, 25 km)`);
    expect(sent.query.sort_by).toBe("location(41, 29):asc,_text_match:desc,name_sort:asc");
    expect(sent.query.q).toBe("*");
    expect(res.visibility).toBe("member");
    expect(res.data[0]).toMatchObject({ id: kadikoy.id, distance_km: 3.412, phone: "+90 216 000 00 01", email: "info@kal.example", is_public: true });
    expect(res.data[1]).toMatchObject({ id: secret.id, distance_km: null, is_public: false, phone: "+90 212 999 99 99" });

    // Even if the index returned a private school to an anonymous caller, it is filtered out.
    const anon = await searchSchoolDirectory({ id: ctx.tenantId }, "public", query, new TypesenseSchoolSearch(config));
    expect(anon.data.map((d) => d.id)).toEqual([kadikoy.id]);
    expect(anon.data[0]).not.toHaveProperty("phone");
  });

  it("reindexes a tenant fully and removes documents Postgres no longer has", async () => {
    fake.docs.set("stale-doc", { ...fake.docs.get(ankara.id)!, id: "stale-doc", synced_at: 1 });
    const result = await reindexTenantSchools(config, ctx.tenantId);
    expect(result).toMatchObject({ indexed: 3, deleted: 1 });
    expect(fake.docs.has("stale-doc")).toBe(false);
    expect([...fake.docs.keys()].sort()).toEqual([kadikoy.id, secret.id, ankara.id].sort());
  });

  it("answers 503 when Typesense is unreachable", async () => {
    const down = new TypesenseSchoolSearch({ ...config, port: 1 });
    const query = searchSchoolsQuery.parse({ tenant: ctx.tenantSlug });
    await expect(searchSchoolDirectory({ id: ctx.tenantId }, "public", query, down)).rejects.toMatchObject({ status: 503 });
  });
});
