// `npm run bench:fairness`: a small tenant's send → sent latency while a big tenant's burst is
// being delivered, on the embedded engine (pg-boss) through the provider simulator (its own
// process, real HTTP). The big tenant queues BENCH_BIG messages at once (batched outbox writes,
// as the batch API does); meanwhile the small tenant sends one OTP every BENCH_OTP_INTERVAL_MS.
// Prints the OTPs' p50/p99/max latency (message created → provider accepted) and how far the
// big burst had got. Target: p99 within a few seconds, not behind the burst.
//
//   BENCH_BIG (default 20000)  BENCH_OTPS (default 40)  BENCH_OTP_INTERVAL_MS (default 250)
//   HERALD_DELIVERY_CONCURRENCY (default 32)  BENCH_SIM_PORT (default 4318)
//   HERALD_FAIR_PRIORITY=0 to measure plain FIFO for comparison
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq, inArray, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { workflows } from "@/inngest/workflows";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { makeConfigForAccount, queueMessage, queueMessages, type QueueInput } from "@/lib/test/delivery";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";


// The simulator listens on loopback: let provider base URLs name it (workers inherit the setting).
process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIG = Number(process.env.BENCH_BIG ?? 20_000);
const OTPS = Number(process.env.BENCH_OTPS ?? 40);
const OTP_INTERVAL_MS = Number(process.env.BENCH_OTP_INTERVAL_MS ?? 250);
const simPort = Number(process.env.BENCH_SIM_PORT ?? 4318);
const run = randomBytes(4).toString("hex");
process.env.HERALD_COMMUNICATION_EXCHANGE ??= `bench-fairness-${run}`;
process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
process.env.DATABASE_POOL_SIZE ??= "20";
process.env.LOG_LEVEL ??= "warn";

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

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
    const big = systemContext(await createTenant({ slug: `big-${run}`, name: "Big" }), "bench");
    const small = systemContext(await createTenant({ slug: `small-${run}`, name: "Small" }), "bench");
    const bigConfig = await makeConfigForAccount(big, await client.createAccount({ provider: "sendgrid" }), simUrl);
    const smallConfig = await makeConfigForAccount(small, await client.createAccount({ provider: "elks" }), simUrl);
    const email = (i: number): QueueInput => ({
      channel: "email",
      route: [bigConfig],
      recipient: `b${i}@example.com`,
      payload: { to: [{ email: `b${i}@example.com` }], subject: `Newsletter ${i}`, body_text: "Hello from the burst" },
    });
    const otp = (i: number) => ({
      channel: "sms" as const,
      route: [smallConfig],
      recipient: `+4670${2_000_000 + i}`,
      payload: { to: `+4670${2_000_000 + i}`, body: `Your code is ${100_000 + i}` },
    });

    await startJobEngine({ workflows, runWorkers: true });
    // Warm up both paths (SDK clients, credential caches).
    await queueMessages(big, Array.from({ length: 10 }, (_, i) => email(-1 - i)));
    await queueMessage(small, otp(-1));
    await waitTerminal(big.tenantId, 10);
    await waitTerminal(small.tenantId, 1);

    const started = performance.now();
    for (let i = 0; i < BIG; i += 1000) await queueMessages(big, Array.from({ length: Math.min(1000, BIG - i) }, (_, k) => email(i + k)));
    const queuedS = (performance.now() - started) / 1000;

    const otpIds: string[] = [];
    const progressAtOtp: number[] = [];
    for (let i = 0; i < OTPS; i++) {
      otpIds.push((await queueMessage(small, otp(i))).id);
      if (i === 0 || i === OTPS - 1) progressAtOtp.push(await countTerminal(big.tenantId));
      await new Promise((r) => setTimeout(r, OTP_INTERVAL_MS));
    }
    await waitTerminal(small.tenantId, OTPS + 1);
    const bigDoneWhenOtpsDone = await countTerminal(big.tenantId);
    const rows = await getDb()
      .select({ createdAt: messages.createdAt, sentAt: messages.sentAt, status: messages.status })
      .from(messages)
      .where(and(eq(messages.tenantId, small.tenantId), inArray(messages.id, otpIds)));
    const lat = rows.map((r) => (r.sentAt ?? new Date()).getTime() - r.createdAt.getTime()).sort((a, b) => a - b);
    await waitTerminal(big.tenantId, BIG + 10);
    const burstS = (performance.now() - started) / 1000;

    console.log(
      `bench:fairness — pg-boss, concurrency ${process.env.HERALD_DELIVERY_CONCURRENCY ?? 32}, fair priority ${process.env.HERALD_FAIR_PRIORITY === "0" ? "OFF (FIFO)" : "on"}; simulator in its own process`,
    );
    console.log(`  big tenant: ${BIG} emails queued in ${queuedS.toFixed(1)} s, all delivered in ${burstS.toFixed(1)} s (${(BIG / burstS).toFixed(0)} messages/s)`);
    console.log(`  small tenant: ${OTPS} SMS OTPs, one per ${OTP_INTERVAL_MS} ms, sent while the burst was ${progressAtOtp[0]}…${bigDoneWhenOtpsDone} of ${BIG + 10} through`);
    console.log(`  OTP send → sent latency: p50 ${pct(lat, 50)} ms, p99 ${pct(lat, 99)} ms, max ${lat.at(-1)} ms (${rows.filter((r) => r.status === "sent").length}/${OTPS} sent)`);
  } finally {
    await stopJobEngine();
    await closeBroker();
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
}

async function countTerminal(tenantId: string) {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), inArray(messages.status, ["sent", "failed"])));
  return row!.n;
}

async function waitTerminal(tenantId: string, expected: number) {
  while ((await countTerminal(tenantId)) < expected) await new Promise((r) => setTimeout(r, 100));
}

await main();
process.exit(0);
