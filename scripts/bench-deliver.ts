// `npm run bench:deliver`: messages delivered per second on the embedded engine (pg-boss) through
// the provider simulator (its own process, real HTTP), with each terminal event published to
// RabbitMQ (confirms) as in production. N queued messages are drained by this process's workers;
// the figure is N / (first queued → last terminal). Target: ≥ 300 messages/s.
//
//   BENCH_MESSAGES (default 5000)  HERALD_DELIVERY_CONCURRENCY (default 32)  BENCH_SIM_PORT (default 4317)
//   BENCH_CHANNEL=email|sms (default email: SendGrid through @sendgrid/mail)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, inArray, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { communicationEvents, messages } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { workflows } from "@/inngest/workflows";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount, queueMessages, type QueueInput } from "@/lib/test/delivery";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";


// The simulator listens on loopback: let provider base URLs name it (workers inherit the setting).
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.env.BENCH_MESSAGES ?? 5000);
const simPort = Number(process.env.BENCH_SIM_PORT ?? 4317);
const channel = process.env.BENCH_CHANNEL === "sms" ? "sms" : "email";
const run = randomBytes(4).toString("hex");
process.env.HERALD_COMMUNICATION_EXCHANGE ??= `bench-communication-${run}`;
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.DATABASE_POOL_SIZE ??= "20";
process.env.LOG_LEVEL ??= "warn";

async function main() {
  const sim = spawn(process.execPath, ["--import", "tsx", "e2e/simulator/cli.ts", "--port", String(simPort), "--no-auto-delivery"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const simUrl = `http://127.0.0.1:${simPort}`;
  const client = new SimulatorClient(simUrl);
  const db = await createTestDatabase();
  try {
    process.env.DATABASE_URL = db.url;
    for (let i = 0; ; i++) {
      try {
        await client.health();
        break;
      } catch {
        if (i > 100) throw new Error("the simulator did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const tenant = await createTenant({ slug: `bench-${run}`, name: "Bench" });
    const ctx = systemContext(tenant, "bench");
    const provider = channel === "email" ? "sendgrid" : "elks";
    const account = await client.createAccount({ provider });
    const config = await makeConfigForAccount(ctx, account, simUrl);
    const inputs: QueueInput[] = Array.from({ length: N }, (_, i) =>
      channel === "email"
        ? { channel, route: [config], recipient: `b${i}@example.com`, payload: { to: [{ email: `b${i}@example.com` }], subject: `Bench ${i}`, body_text: "Hello from the bench" } }
        : { channel, route: [config], recipient: `+4670${1_000_000 + i}`, payload: { to: `+4670${1_000_000 + i}`, body: `Bench ${i}` } },
    );

    // Warm up: SDK clients, credential cache, broker connection, exchange.
    await startJobEngine({ workflows, runWorkers: true });
    const warm = await queueMessages(ctx, inputs.slice(0, 20));
    await waitTerminal(warm.length, ctx.tenantId);

    const started = performance.now();
    for (let i = 0; i < N; i += 1000) await queueMessages(ctx, inputs.slice(i, i + 1000));
    const queuedMs = performance.now() - started;
    const done = await waitTerminal(N + warm.length, ctx.tenantId);
    const elapsedS = (performance.now() - started) / 1000;
    const [ev] = await getDb()
      .select({ published: sql<number>`count(*) filter (where ${communicationEvents.status} = 'published')::int`, all: sql<number>`count(*)::int` })
      .from(communicationEvents)
      .where(eq(communicationEvents.tenantId, ctx.tenantId));
    const requests = (await client.listRequests({ accountId: account.id, limit: 100_000 })).length;

    console.log(`bench:deliver — ${N} ${channel} messages via ${provider} (simulator in its own process), pg-boss, concurrency ${process.env.HERALD_DELIVERY_CONCURRENCY ?? 32}`);
    console.log(`  queued in ${queuedMs.toFixed(0)} ms (batched outbox writes)`);
    console.log(`  terminal: ${done.sent} sent, ${done.failed} failed in ${elapsedS.toFixed(2)} s`);
    console.log(`  delivered: ${((done.sent - warm.length) / elapsedS).toFixed(0)} messages/s  (target ≥ 300/s)`);
    console.log(`  provider calls: ${requests}; communication events published: ${ev!.published}/${ev!.all}`);
  } finally {
    await stopJobEngine();
    await closeBroker();
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
}

async function waitTerminal(expected: number, tenantId: string) {
  for (;;) {
    const [row] = await getDb()
      .select({
        sent: sql<number>`count(*) filter (where ${messages.status} = 'sent')::int`,
        failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
      })
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), inArray(messages.status, ["sent", "failed"])));
    if (row!.sent + row!.failed >= expected) return row!;
    await new Promise((r) => setTimeout(r, 100));
  }
}

await main();
process.exit(0);
