// `npm run bench:customerio`: the Customer.io backfill. BENCH_CIO_CONTACTS (100,000) contacts and
// BENCH_CIO_SCHOOLS (5,000) schools with 3 related contacts each (an owner and two staff) are
// seeded, the integration is activated and a full resync (B2C + B2B) is streamed to the provider
// simulator over real HTTP. Prints time, batches, requests/s beside the per-integration rate
// limit (Customer.io's fair use is about 100/s), and checks the simulated workspace equals
// Herald's data: every person, object and relationship, with their attributes.
// Runs on a fresh database (TEST_DATABASE_URL/DATABASE_URL or embedded). Not part of npm test.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { closeDb, getDb } from "@/db";
import { insertTenant } from "@/db/queries/tenants";
import { startSimulator } from "@/e2e/simulator";
import type { CustomerioAccount } from "@/e2e/simulator/providers/customerio";
import { syncSettings } from "@/lib/integrations/customerio/definition";
import { getCustomerioConfig, resyncCustomerio, saveCustomerioConfig, setCustomerioStatus } from "@/lib/integrations/customerio/integration";
import { runCustomerioSync } from "@/lib/integrations/customerio/sync";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { customerioConfigInput } from "@/lib/validations/customerio";

process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS = "127.0.0.1";
const CONTACTS = Number(process.env.BENCH_CIO_CONTACTS ?? 100_000);
const SCHOOLS = Number(process.env.BENCH_CIO_SCHOOLS ?? 5_000);
const RELATED = 3;

function check(ok: boolean, what: string) {
  if (!ok) throw new Error(`state mismatch: ${what}`);
}

async function main() {
  if (SCHOOLS * RELATED > CONTACTS) throw new Error("need at least 3 contacts per school");
  const db0 = await createTestDatabase();
  process.env.DATABASE_URL = db0.url;
  const sim = await startSimulator({ port: 0, maxRecords: 10_000 });
  try {
    const db = getDb();
    const tenant = (await insertTenant(db, { name: "Bench customer.io", slug: `bench-cio-${Date.now().toString(36)}` }))!;
    const ctx = systemContext(tenant, "bench");
    const account = sim.createAccount({ provider: "customerio", credentials: { region: "eu" } }) as CustomerioAccount;
    await saveCustomerioConfig(ctx, customerioConfigInput.parse({ region: "eu", site_id: account.siteId, api_key: account.apiKey, api_base_url: sim.url, b2c_enabled: true, b2b_enabled: true }));

    let t = performance.now();
    await db.$client`
      insert into contacts (tenant_id, external_id, name, email, locale, attributes, created_at)
      select ${tenant.id}, 'c-' || i, 'Person ' || i, 'person' || i || '@example.test', 'sv-SE',
             jsonb_build_object('team', 'u' || (8 + i % 10), 'age', 6 + i % 12), now() - (i || ' seconds')::interval
      from generate_series(1, ${CONTACTS}) i`;
    await db.$client`
      insert into schools (tenant_id, name, slug, type, city)
      select ${tenant.id}, 'School ' || i, 's-' || i, (array['primary','secondary','high_school'])[1 + i % 3]::school_type, 'City ' || (i % 50)
      from generate_series(1, ${SCHOOLS}) i`;
    await db.$client`
      insert into contact_schools (tenant_id, contact_id, school_id, role)
      select ${tenant.id}, c.id, s.id, case when k = 0 then 'owner' else 'staff' end
      from generate_series(1, ${SCHOOLS}) i cross join generate_series(0, ${RELATED - 1}) k
      join schools s on s.tenant_id = ${tenant.id} and s.slug = 's-' || i
      join contacts c on c.tenant_id = ${tenant.id} and c.external_id = 'c-' || ((i - 1) * ${RELATED} + k + 1)`;
    const seedSeconds = (performance.now() - t) / 1000;

    await setCustomerioStatus(ctx, "active");
    t = performance.now();
    const { marked } = await resyncCustomerio(ctx, { b2c: true, b2b: true });
    const markSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    let batches = 0;
    let requests = 0;
    let runs = 0;
    for (;;) {
      const run = await runCustomerioSync({ tenantId: tenant.id });
      runs += 1;
      batches += run.batches;
      requests += run.requests;
      if (run.stopped) throw new Error(`sync stopped: ${run.stopped}`);
      if (run.claimed === 0) break;
    }
    const syncSeconds = (performance.now() - t) / 1000;
    const cfg = await getCustomerioConfig(ctx);

    // Final state: the workspace equals Herald's.
    const w = sim.state.customerio.workspace(account.id);
    const people = await db.$client<{ external_id: string; email: string; name: string; team: string }[]>`
      select external_id, email, name, attributes->>'team' as team from contacts where tenant_id = ${tenant.id}`;
    check(w.people.size === people.length, `${w.people.size} people vs ${people.length} contacts`);
    for (const p of people) {
      const got = w.people.get(p.external_id);
      check(!!got && got.email === p.email && got.name === p.name && got.team === p.team, `person ${p.external_id}`);
    }
    const schoolRows = await db.$client<{ slug: string; name: string; city: string }[]>`select slug, name, city from schools where tenant_id = ${tenant.id}`;
    check(w.objects.size === schoolRows.length, `${w.objects.size} objects vs ${schoolRows.length} schools`);
    for (const s of schoolRows) {
      const got = w.objects.get(`1:${s.slug}`);
      check(!!got && got.name === s.name && got.city === s.city, `object ${s.slug}`);
    }
    const rels = await db.$client<{ external_id: string; slug: string; role: string }[]>`
      select c.external_id, s.slug, r.role from contact_schools r join contacts c on c.id = r.contact_id join schools s on s.id = r.school_id where r.tenant_id = ${tenant.id}`;
    check(w.relationships.size === rels.length, `${w.relationships.size} relationships vs ${rels.length}`);
    for (const r of rels) check(w.relationships.get(`${r.external_id}|1:${r.slug}`)?.attributes.role === r.role, `relationship ${r.external_id}→${r.slug}`);

    const limit = syncSettings().ratePerSecond;
    const rps = requests / syncSeconds;
    const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });
    console.log(`customer.io backfill: ${fmt(CONTACTS)} contacts, ${fmt(SCHOOLS)} schools × ${RELATED} related contacts (${fmt(rels.length)} relationships)`);
    console.log(`  seed (SQL)           ${fmt(seedSeconds)} s`);
    console.log(`  resync mark          ${fmt(markSeconds)} s for ${fmt(marked)} entities (${fmt(marked / markSeconds)}/s)`);
    console.log(`  sync                 ${fmt(syncSeconds)} s, ${runs} run(s), ${fmt(batches)} batch request(s), ${fmt(requests)} request(s) in all`);
    console.log(`  entities/s           ${fmt(marked / syncSeconds)}`);
    console.log(`  requests/s           ${fmt(rps)} average, ${fmt(w.peakRequestsPerSecond)} peak second (simulator)   ceiling: ${fmt(limit)}/s per integration (Customer.io fair use ≈ 100/s)`);
    console.log(`  ops applied          ${fmt(w.operations)} (simulator)`);
    console.log(`  final state          ${fmt(w.people.size)} people, ${fmt(w.objects.size)} objects, ${fmt(w.relationships.size)} relationships — equal to Herald's`);
    console.log(`  counts               synced ${fmt(cfg.counts.synced)}, pending ${cfg.counts.pending}, failed ${cfg.counts.failed}`);
    if (w.peakRequestsPerSecond > limit * 1.1) throw new Error(`rate limit exceeded: ${w.peakRequestsPerSecond}/s`);
    if (cfg.counts.pending !== 0 || cfg.counts.failed !== 0) throw new Error("entities left pending or failed");
  } finally {
    await sim.close();
    await closeDb();
    await db0.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
