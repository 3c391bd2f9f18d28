// `npm run bench:webhooks`: verified SendGrid events per second, posted in signed batches of 1,000
// to the production server (fresh database), for messages that exist — so every event is matched
// and applied (delivered, opens, clicks). Prints the acknowledged rate (verify + record + enqueue)
// and the end-to-end rate (until the job engine has applied every event). Ceiling from the same run:
// Postgres durable inserts of 1,000-row statements on this database. Target (issue 23) ≥ 10,000
// events/s acknowledged and applied; correctness: every event recorded and processed once.
//
//   BENCH_MESSAGES (default 20000, 10000 with BENCH_QUICK=1)  BENCH_BATCHES (default 60, 20 quick)  BENCH_CLIENTS (default 4)  PORT (default 3918)
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { generateSendgridKeyPair, signSendgridEvent } from "@/e2e/simulator/providers/sendgrid";
import { createConfig } from "@/lib/providers/configs";
import { transitionConfig } from "@/lib/providers/config-lifecycle";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { measureInsertCeiling, quick, reportResult, verdict } from "./bench-result";
import { httpRequest, pct, requireBuild, startServer } from "./bench-server";

// A throwaway key for this run's database; the server inherits it to decrypt the config's secret.
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64");

const port = Number(process.env.PORT ?? 3918);
const messageCount = Number(process.env.BENCH_MESSAGES ?? (quick ? 10_000 : 20_000));
const batches = Number(process.env.BENCH_BATCHES ?? (quick ? 20 : 60));
const clients = Number(process.env.BENCH_CLIENTS ?? 4);
const BATCH = 1000;
const TARGET = 10_000;

async function main() {
  requireBuild();
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const tenant = await createTenant({ slug: `bench-${randomBytes(3).toString("hex")}`, name: "Bench" });
  const ctx = systemContext(tenant, "bench");
  const keys = generateSendgridKeyPair();
  const config = await createConfig(ctx, {
    provider: "sendgrid",
    display_name: "Bench SendGrid",
    from_email: "bench@example.com",
    from_name: "Bench",
    credentials: { api_key_ref: "SG.bench", webhook_signing_key_ref: keys.publicKeyBase64 },
  } as never);
  await transitionConfig(ctx, config.id, "active");
  // Messages as the delivery workflow leaves them: sent through this config.
  const ids: string[] = [];
  for (let i = 0; i < messageCount; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, messageCount - i) }, (_, j) => {
      const id = randomUUID();
      ids.push(id);
      return {
        id,
        tenantId: tenant.id,
        channel: "email" as const,
        status: "sent" as const,
        provider: "sendgrid" as const,
        configId: config.id,
        recipient: `user${i + j}@example.com`,
        payload: {},
        traceId: id,
        providerReference: `hm_${id}`,
        providerMessageId: randomBytes(16).toString("base64url").slice(0, 22),
        sentAt: new Date(),
      };
    });
    await getDb().insert(messages).values(rows);
  }
  await closeDb();

  // Pre-build signed batches: delivered for each message, then opens and clicks.
  const kinds = ["delivered", "open", "click"] as const;
  const bodies: { body: string }[] = [];
  let cursor = 0;
  for (let b = 0; b < batches; b++) {
    const events: string[] = [];
    for (let k = 0; k < BATCH; k++, cursor++) {
      const id = ids[cursor % ids.length]!;
      const kind = kinds[Math.floor(cursor / ids.length) % kinds.length]!;
      events.push(
        JSON.stringify({
          email: `user@example.com`,
          timestamp: Math.floor(Date.now() / 1000),
          event: kind,
          sg_event_id: randomBytes(16).toString("base64url"),
          sg_message_id: `x.filter-${k}`,
          herald_message_id: id,
          ...(kind === "click" ? { url: "https://example.com/" } : {}),
        }),
      );
    }
    const body = "[" + events.join(",\r\n") + "]\r\n";
    bodies.push({ body });
  }

  // Ceiling before the server starts, so neither competes with the other.
  const ceiling = await measureInsertCeiling(db.url, { seconds: quick ? 2 : 4, clients, rowsPerStatement: BATCH });
  const server = await startServer({ port, databaseUrl: db.url });
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const path = `/api/webhooks/sendgrid/${config.id}`;
  const sign = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { "content-type": "application/json", "X-Twilio-Email-Event-Webhook-Signature": signSendgridEvent(keys.privateKey, ts, body), "X-Twilio-Email-Event-Webhook-Timestamp": ts };
  };
  try {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = next++; i < bodies.length; i = next++) {
          const { body } = bodies[i]!;
          const t0 = performance.now();
          const res = await httpRequest(agent, port, "POST", path, body, sign(body));
          latencies.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const ackSeconds = (performance.now() - started) / 1000;
    const total = batches * BATCH;
    process.env.DATABASE_URL = db.url;
    const pending = async () => Number((await getDb().execute(sql`select count(*)::int as n from webhook_events where status = 'pending'`))[0]!.n);
    while ((await pending()) > 0 && performance.now() - started < 600_000) await new Promise((r) => setTimeout(r, 200));
    const doneSeconds = (performance.now() - started) / 1000;
    const [counts] = await getDb().execute(sql`select count(*) filter (where status = 'processed')::int as processed, count(*) filter (where status <> 'processed')::int as other from webhook_events`);
    latencies.sort((a, b) => a - b);
    const ackRate = total / ackSeconds;
    const e2eRate = total / doneSeconds;
    console.log(`batches ${batches} × ${BATCH} events, ${clients} clients, statuses ${[...statuses].map(([s, n]) => `${s}:${n}`).join(" ")}`);
    console.log(`acknowledged (verified + recorded):  ${ackRate.toFixed(0)} events/s   batch p50 ${pct(latencies, 50).toFixed(0)} ms  p95 ${pct(latencies, 95).toFixed(0)} ms`);
    console.log(`applied end to end (job engine):     ${e2eRate.toFixed(0)} events/s   (${JSON.stringify(counts)})`);
    console.log(`ceiling: Postgres ${BATCH}-row inserts, ${clients} clients: ${ceiling.toFixed(0)} rows/s`);
    console.log(`target ≥ ${TARGET} events/s: ${verdict(ackRate >= TARGET)} (acknowledged), ${verdict(e2eRate >= TARGET)} (applied)`);
    const c = counts as { processed: number; other: number };
    const correct = c.processed === total && c.other === 0 && (statuses.get(200) ?? 0) + (statuses.get(202) ?? 0) === batches;
    console.log(`every event acknowledged, recorded and applied once: ${c.processed}/${total}  ${verdict(correct)}`);
    const pgCeiling = { name: `Postgres ${BATCH}-row inserts`, figure: ceiling, unit: "rows/s" };
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    reportResult({ bench: "webhooks", path: "webhooks acknowledged (SendGrid ×1000)", figure: ackRate, unit: "events/s", ceiling: pgCeiling, ratio: ackRate / ceiling, p50, p99, target: "≥ 10,000 events/s", pass: ackRate >= TARGET });
    reportResult({ bench: "webhooks", path: "webhooks applied end to end", figure: e2eRate, unit: "events/s", ceiling: pgCeiling, ratio: e2eRate / ceiling, target: "≥ 10,000 events/s", pass: e2eRate >= TARGET });
    reportResult({ bench: "webhooks", path: "webhooks: recorded + applied once", figure: c.processed, unit: `of ${total.toLocaleString("en-US")}`, target: "all, once", pass: correct });
  } finally {
    agent.destroy();
    await server.stop();
    await closeDb();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
