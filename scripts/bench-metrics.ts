// `npm run bench:metrics`: the Overview query (GET /api/v1/usage/overview, 24h / 7d / 30d) on the
// production server with 1,000,000 messages in the database (30 days, 4 channels, 3 configs) and
// their usage rollups. Target p95 < 100 ms.
//
//   BENCH_MESSAGES (default 1000000)  BENCH_REQUESTS (default 200 per range)  PORT (default 3919)
import { randomBytes } from "node:crypto";
import http from "node:http";
import { sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { createConfig } from "@/lib/providers/configs";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { httpRequest, pct, requireBuild, startServer } from "./bench-server";

// A throwaway key for this run's database; the server inherits it.
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64");

const port = Number(process.env.PORT ?? 3919);
const total = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const requests = Number(process.env.BENCH_REQUESTS ?? 200);

async function main() {
  requireBuild();
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const tenant = await createTenant({ slug: `bench-${randomBytes(3).toString("hex")}`, name: "Bench" });
  const ctx = systemContext(tenant, "bench");
  const configs = [];
  for (const [provider, extra] of [
    ["sendgrid", { from_email: "b@example.com", from_name: "B", credentials: { api_key_ref: "SG.x", webhook_signing_key_ref: "pk" } }],
    ["elks", { sender_id: "Bench", credentials: { api_username_ref: "u", api_password_ref: "p" } }],
    ["mailgun", { domain: "mg.example.com", region: "eu", from_email: "b@mg.example.com", from_name: "B", credentials: { api_key_ref: "k", webhook_signing_key_ref: "w" } }],
  ] as const) {
    const c = await createConfig(ctx, { provider, display_name: `Bench ${provider}`, ...extra } as never);
    await transitionConfig(ctx, c.id, "active");
    configs.push(c);
  }
  const { key } = await createApiKey(ctx, { name: "bench", scopes: ["usage:read"] });

  const t0 = performance.now();
  const d = getDb();
  // 1M messages over 30 days; statuses and engagement in realistic proportions.
  for (let done = 0; done < total; done += 100_000) {
    const n = Math.min(100_000, total - done);
    await d.execute(sql`
      insert into messages (tenant_id, channel, direction, status, provider, config_id, recipient, payload, trace_id, provider_reference,
                            sent_at, delivered_at, unique_opens, unique_clicks, opens, clicks, segments, created_at)
      select ${tenant.id}::uuid, case when c.provider = 'elks' then 'sms' else 'email' end::message_channel, 'outbound',
             (case when r < 0.02 then 'failed' when r < 0.04 then 'bounced' when r < 0.30 then 'delivered' when r < 0.50 then 'clicked' else 'opened' end)::message_status,
             c.provider, c.id, 'user' || g || '@example.com', '{}'::jsonb, md5(g::text), 'hm_' || md5(g::text),
             case when r >= 0.02 then ts end, case when r >= 0.04 then ts + interval '5 seconds' end,
             case when r >= 0.30 then 1 else 0 end, case when r >= 0.30 and r < 0.50 then 1 else 0 end,
             case when r >= 0.30 then 1 else 0 end, case when r >= 0.30 and r < 0.50 then 1 else 0 end,
             case when c.provider = 'elks' then 1 end, ts
      from (select g, random() as r, now() - random() * interval '30 days' as ts, (g % 3) as k from generate_series(${done + 1}::int, ${done + n}::int) g) s
      join (select id, provider, row_number() over (order by id) - 1 as k from provider_configs where tenant_id = ${tenant.id}) c on c.k = s.k`);
  }
  // The rollups as the incremental updates would have left them (same counting rules).
  await d.execute(sql`
    insert into usage_config_hourly (tenant_id, config_id, provider, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments)
    select tenant_id, config_id, provider, channel, date_trunc('hour', created_at),
      count(sent_at), count(delivered_at), count(*) filter (where unique_opens > 0), count(*) filter (where unique_clicks > 0),
      count(*) filter (where status = 'bounced'), count(*) filter (where status = 'failed'), coalesce(sum(segments), 0)
    from messages where tenant_id = ${tenant.id} group by 1, 2, 3, 4, 5`);
  await d.execute(sql`
    insert into usage_tenant_hourly (tenant_id, channel, hour, sent, delivered, opened, clicked, bounced, failed, segments)
    select tenant_id, channel, hour, sum(sent), sum(delivered), sum(opened), sum(clicked), sum(bounced), sum(failed), sum(segments)
    from usage_config_hourly where tenant_id = ${tenant.id} group by 1, 2, 3`);
  await d.execute(sql`analyze`);
  const [count] = await d.execute(sql`select count(*)::int as n from messages`);
  console.log(`seeded ${String(count!.n)} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await closeDb();

  const server = await startServer({ port, databaseUrl: db.url });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    for (const range of ["24h", "7d", "30d"] as const) {
      const path = `/api/v1/usage/overview?range=${range}`;
      const headers = { authorization: `Bearer ${key}` };
      for (let i = 0; i < 10; i++) await httpRequest(agent, port, "GET", path, undefined, headers);
      const lat: number[] = [];
      let errors = 0;
      for (let i = 0; i < requests; i++) {
        const s = performance.now();
        const res = await httpRequest(agent, port, "GET", path, undefined, headers);
        lat.push(performance.now() - s);
        if (res.status !== 200) errors++;
      }
      lat.sort((a, b) => a - b);
      const p95 = pct(lat, 95);
      console.log(`overview ${range.padEnd(4)} p50 ${pct(lat, 50).toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  p99 ${pct(lat, 99).toFixed(1)} ms  errors ${errors}  target p95 < 100 ms: ${p95 < 100 ? "met" : "NOT met"}`);
    }
  } finally {
    agent.destroy();
    await server.stop();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
