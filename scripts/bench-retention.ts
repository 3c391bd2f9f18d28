// `npm run bench:retention`: seeds BENCH_ROWS old, finished rows (relayed outbox events and job
// steps, half each), then measures POST /api/v1/messages against the production server twice in
// the same run — first with no purge (the ceiling), then while the retention purge deletes the
// seeded rows with its production settings — and prints the purge rate beside both send p99s.
//
//   BENCH_ROWS (default 1,000,000)  BENCH_SECONDS (default 8, the baseline)  BENCH_CLIENTS (default 10)
//   PORT (default 3921)
import { randomBytes } from "node:crypto";
import http from "node:http";
import os from "node:os";
import { sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { retentionPolicy } from "@/lib/retention/policy";
import { purgeExpired } from "@/lib/retention/purge";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { makeConfig } from "@/lib/test/provider-configs";
import { httpRequest, pct, requireBuild, startServer } from "./bench-server";

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const clients = Number(process.env.BENCH_CLIENTS ?? 10);
const port = Number(process.env.PORT ?? 3921);
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64");

async function seed() {
  const db = getDb();
  const half = Math.floor(rows / 2);
  const chunk = 100_000;
  for (let from = 0; from < half; from += chunk) {
    const to = Math.min(half, from + chunk) - 1;
    await db.execute(sql`
      insert into outbox_events (name, payload, created_at, dispatched_at)
      select 'herald/bench.old', jsonb_build_object('n', g), now() - interval '30 days' - g * interval '1 second', now() - interval '30 days'
      from generate_series(${from}::int, ${to}::int) g`);
    await db.execute(sql`
      insert into job_steps (run_id, step_id, output, created_at)
      select 'bench-' || (g / 3), 'attempt-' || (g % 3), '{"kind":"done","status":"sent"}'::jsonb, now() - interval '30 days' - g * interval '1 second'
      from generate_series(${from}::int, ${to}::int) g`);
  }
  await db.execute(sql`analyze outbox_events`);
  await db.execute(sql`analyze job_steps`);
  return half * 2;
}

/** Closed-loop sends until `until()` says stop; latencies in ms. */
async function sends(key: string, until: () => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; !until(); i++) {
        const body = JSON.stringify({ channel: "sms", to: `+4670${String(1_000_000 + ((c * 7919 + i) % 8_999_999))}`, body: `Code ${i % 10000}` });
        const t0 = performance.now();
        const res = await httpRequest(agent, port, "POST", "/api/v1/messages", body, { authorization: `Bearer ${key}`, "content-type": "application/json" });
        latencies.push(performance.now() - t0);
        if (res.status !== 202) failed++;
      }
    }),
  );
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), failed };
}

async function main() {
  requireBuild();
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const tenant = await createTenant({ slug: `bench-retention-${randomBytes(3).toString("hex")}`, name: "Bench" });
    const ctx = systemContext(tenant, "bench");
    const { key } = await createApiKey(ctx, { name: "bench", scopes: ["messages:send"] });
    await makeConfig(ctx, "elks");
    const t0 = performance.now();
    const seeded = await seed();
    console.log(`bench:retention — ${os.cpus().length} cores; seeded ${seeded.toLocaleString("en")} old rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    server = await startServer({
      port,
      databaseUrl: db.url,
      // Accepting only (no delivery workers), no rate limit, and no purge of its own.
      env: { HERALD_IN_PROCESS_WORKERS: "false", HERALD_API_RATE_LIMIT_PER_SECOND: "1000000", HERALD_API_RATE_LIMIT_BURST: "1000000", HERALD_RETENTION_INTERVAL_MINUTES: "100000" },
    });
    // Warm up the route, then the ceiling: sends with no purge.
    const warm = Date.now() + 2_000;
    await sends(key, () => Date.now() > warm);
    const baseEnd = Date.now() + seconds * 1000;
    const base = await sends(key, () => Date.now() > baseEnd);

    // The purge with the production batch and pause, the same steps the workflow runs.
    const policy = retentionPolicy();
    let purging = true;
    const purgeStarted = performance.now();
    const purge = (async () => {
      let deleted = 0;
      for (const kind of ["outbox", "job_steps"] as const) {
        for (;;) {
          const r = await purgeExpired({ kind, budgetMs: 20_000, policy });
          deleted += r.deleted;
          if (!r.more) break;
        }
      }
      purging = false;
      return deleted;
    })();
    const during = await sends(key, () => !purging);
    const deleted = await purge;
    const purgeS = (performance.now() - purgeStarted) / 1000;

    const line = (label: string, r: { latencies: number[]; failed: number }, s: number) =>
      `  ${label.padEnd(26)} ${String(r.latencies.length).padStart(7)} sends  ${(r.latencies.length / s).toFixed(0).padStart(5)}/s  p50 ${pct(r.latencies, 50).toFixed(1).padStart(6)} ms  p99 ${pct(r.latencies, 99).toFixed(1).padStart(6)} ms  non-202 ${r.failed}`;
    console.log(`  ${clients} clients, POST /api/v1/messages; purge batch ${policy.batch}, pause ${policy.pauseMs} ms`);
    console.log(line("no purge (ceiling)", base, seconds));
    console.log(line("during the purge", during, purgeS));
    console.log(`  purged ${deleted.toLocaleString("en")} rows in ${purgeS.toFixed(1)} s = ${Math.round(deleted / purgeS).toLocaleString("en")} rows/s`);
    const left = await getDb().execute(sql`select (select count(*) from outbox_events where name = 'herald/bench.old') + (select count(*) from job_steps where run_id like 'bench-%') as n`);
    console.log(`  old rows left: ${String((left as unknown as { n: string }[])[0]!.n)}`);
  } finally {
    await server?.stop();
    await closeDb();
    await db.drop();
  }
}

await main();
process.exit(0);
