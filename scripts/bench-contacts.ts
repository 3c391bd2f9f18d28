// `npm run bench:contacts`: contact import throughput and contact search latency.
//   import — BENCH_IMPORT_ROWS (100,000) CSV rows streamed through POST /api/v1/contacts/import
//            (the route handler in process: body reader, parser, validation, phone normalisation,
//            batched upserts), rows/s and memory, beside the database's own bulk-insert ceiling.
//   search — BENCH_CONTACTS (1,000,000) contacts seeded with generate_series, then p50/p95 of
//            typical searches through listContacts, beside a primary-key lookup as the floor.
// BENCH_PARTS=import,search picks parts. Runs on a fresh database (TEST_DATABASE_URL/DATABASE_URL or embedded).
import { performance } from "node:perf_hooks";
import { NextRequest } from "next/server";
import { closeDb, getDb } from "@/db";
import { insertTenant } from "@/db/queries/tenants";
import { createApiKey } from "@/lib/auth/api-keys";
import { listContacts } from "@/lib/contacts/contacts";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { contactSearchQuery } from "@/lib/validations/contacts";
import { pct } from "./bench-server";

const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const PARTS = new Set((process.env.BENCH_PARTS ?? "import,search").split(",").map((s) => s.trim()));

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function makeTenant(label: string) {
  const tenant = (await insertTenant(getDb(), { name: `Bench ${label}`, slug: `bench-${label}-${Date.now().toString(36)}` }))!;
  return { tenant, ctx: systemContext(tenant, "bench") };
}

/** A CSV body produced on demand: the benchmark never holds the file either. */
function csvStream(rows: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    start(c) {
      c.enqueue(encoder.encode("external_id,name,email,phone,locale,timezone,attributes.team,attributes.age\n"));
    },
    pull(c) {
      if (i >= rows) return c.close();
      let chunk = "";
      for (let k = 0; k < 500 && i < rows; k++, i++) {
        chunk += `ext-${i},Person ${i},person${i}@example.test,070 ${String(1_000_000 + (i % 9_000_000)).padStart(7, "0")},sv-SE,Europe/Stockholm,u${8 + (i % 10)},${6 + (i % 12)}\n`;
      }
      c.enqueue(encoder.encode(chunk));
    },
  });
}

async function benchImport() {
  const { tenant, ctx } = await makeTenant("import");
  await getDb().$client`update tenants set default_country = 'SE' where id = ${tenant.id}`;
  const { key } = await createApiKey(ctx, { name: "bench", scopes: ["contacts:write"] });
  const { POST } = await import("@/app/api/v1/contacts/import/route");
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const req = new NextRequest("http://localhost/api/v1/contacts/import", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
    body: csvStream(IMPORT_ROWS),
    duplex: "half", // Node needs it for a streamed body
  });
  const res = await POST(req, { params: Promise.resolve({}) });
  const result = (await res.json()) as { created: number; failed: number; errors: unknown[] };
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (res.status !== 200 || result.created !== IMPORT_ROWS) throw new Error(`import failed: ${res.status} ${JSON.stringify(result).slice(0, 500)}`);

  // Ceiling: the database inserting the same number of rows with no parsing or validation.
  const { tenant: t2 } = await makeTenant("ceiling");
  const c0 = performance.now();
  await getDb().$client`
    insert into contacts (tenant_id, external_id, name, email, phone, locale, timezone, attributes)
    select ${t2.id}, 'ext-' || g, 'Person ' || g, 'person' || g || '@example.test', '+4670' || lpad(g::text, 7, '0'), 'sv-SE', 'Europe/Stockholm',
      jsonb_build_object('team', 'u' || (8 + g % 10), 'age', 6 + g % 12)
    from generate_series(1, ${IMPORT_ROWS}) g`;
  const ceiling = IMPORT_ROWS / ((performance.now() - c0) / 1000);
  const rate = IMPORT_ROWS / seconds;
  console.log(`import: ${IMPORT_ROWS} rows in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} rows/s (target ≥ 5,000: ${rate >= 5000 ? "met" : "NOT met"})`);
  console.log(`        database bulk-insert ceiling in this run: ${ceiling.toFixed(0)} rows/s`);
  console.log(`        memory: rss ${mb(rssBefore)} before, peak ${mb(peakRss)} (+${mb(peakRss - rssBefore)}), heap now ${mb(process.memoryUsage().heapUsed)}`);
}

const searches: Record<string, Record<string, string>> = {
  "browse (newest)": {},
  "q=person 4242 (name)": { q: "person 4242" },
  "q=person123456@ (email)": { q: "person123456@" },
  "q=+46701234 (phone prefix)": { q: "+46701234" },
  "q=ext-99999 (external id)": { q: "ext-99999" },
  "q=zz-no-match": { q: "zz-no-match" },
  "attribute=team:u12": { attribute: "team:u12" },
  "attribute=age:7 + q=person 77": { attribute: "age:7", q: "person 77" },
};

async function benchSearch() {
  const { tenant, ctx } = await makeTenant("search");
  const sql = getDb().$client;
  const t0 = performance.now();
  for (let from = 1; from <= CONTACTS; from += 250_000) {
    const to = Math.min(CONTACTS, from + 249_999);
    await sql`
      insert into contacts (tenant_id, external_id, name, email, phone, attributes, created_at)
      select ${tenant.id}, 'ext-' || g, 'Person ' || g, 'person' || g || '@example.test', '+4670' || lpad(g::text, 7, '0'),
        jsonb_build_object('team', 'u' || (8 + g % 10), 'age', 6 + g % 12), now() - (g || ' seconds')::interval
      from generate_series(${from}::int, ${to}::int) g`;
  }
  await sql.unsafe("vacuum analyze contacts");
  console.log(`\nsearch: seeded ${CONTACTS} contacts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const [probe] = await sql<{ id: string }[]>`select id from contacts where tenant_id = ${tenant.id} limit 1`;
  const floor: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const s = performance.now();
    await sql`select * from contacts where id = ${probe!.id}`;
    floor.push(performance.now() - s);
  }
  floor.sort((a, b) => a - b);
  console.log(`${"query".padEnd(34)} ${"hits".padStart(5)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}`);
  const all: number[] = [];
  for (const [label, params] of Object.entries(searches)) {
    const query = contactSearchQuery.parse({ ...params, limit: "50" });
    let hits = 0;
    for (let w = 0; w < 2; w++) hits = (await listContacts(ctx, query)).data.length;
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const s = performance.now();
      await listContacts(ctx, query);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    console.log(`${label.padEnd(34)} ${String(hits).padStart(5)} ${pct(times, 50).toFixed(1).padStart(8)} ${pct(times, 95).toFixed(1).padStart(8)}`);
  }
  all.sort((a, b) => a - b);
  const p95 = pct(all, 95);
  console.log(`overall: ${all.length} searches at ${CONTACTS} contacts, p50 ${pct(all, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p95 < 50 ms: ${p95 < 50 ? "met" : "NOT met"})`);
  console.log(`floor in this run (primary-key lookup): p50 ${pct(floor, 50).toFixed(1)} ms, p95 ${pct(floor, 95).toFixed(1)} ms`);
}

async function main() {
  const db0 = await createTestDatabase();
  process.env.DATABASE_URL = db0.url;
  try {
    if (PARTS.has("import")) await benchImport();
    if (PARTS.has("search")) await benchSearch();
  } finally {
    await closeDb();
    await db0.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
